"""The built-in positions: the seed's exact figures, validated by the core."""

import json
from decimal import Decimal as D

import pytest

from app.domain.builtin import DATA_PATH, load_builtin, load_catalog
from app.domain.errors import LibraryInvalid, TemplateInvalid
from app.domain.indicators import Aggregation, Direction, Kind
from app.domain.templates import Rater


def items(position):
    t = load_builtin().template(position)
    return {i.indicator_code: (i.weight, i.target, i.cap, i.rater) for i in t.items}


def raw():
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def test_operations_template_has_the_seeds_weights_and_targets():
    assert items("ops") == {
        "ops_sales": (D(30), D(100000), D("1.2"), None),
        "ops_new_conversion": (D(20), D("0.05"), D("1.2"), None),
        "ops_ad_roi": (D(20), D(3), D("1.2"), None),
        "ops_teamwork": (D(15), D(5), D("1.2"), Rater.MANAGER),
        "ops_innovation": (D(15), D(5), D("1.2"), Rater.MANAGER),
    }
    assert load_builtin().template("ops").currency == "USD"


def test_customer_service_template_has_the_seeds_weights_and_targets():
    assert items("cs") == {
        "cs_reply_30s_share": (D(25), D("0.9"), D("1.2"), None),
        "cs_top_rating_share": (D(25), D("0.85"), D("1.2"), None),
        "cs_complaint_closed_24h": (D(30), D(1), D("1.0"), None),
        "cs_service_attitude": (D(10), D(5), D("1.2"), Rater.CUSTOMER),
        "cs_product_knowledge": (D(10), D(5), D("1.2"), Rater.MANAGER),
    }


def test_warehouse_template_has_the_seeds_weights_and_targets():
    assert items("warehouse") == {
        "wh_misship_rate": (D(30), D("0.001"), D("1.2"), None),
        "wh_dispatch_24h_share": (D(30), D("0.95"), D("1.2"), None),
        "wh_stock_accuracy": (D(30), D("0.995"), D("1.2"), None),
        "wh_team_cooperation": (D(5), D(5), D("1.2"), Rater.PEER),
        "wh_responsibility": (D(5), D(5), D("1.2"), Rater.MANAGER),
    }


def test_quantitative_and_qualitative_shares_match_the_seed():
    catalog = load_builtin()
    for position, quantitative in (("ops", 70), ("cs", 80), ("warehouse", 90)):
        template = catalog.template(position)
        share = sum(i.weight for i in template.items if catalog.library[i.indicator_code].kind is Kind.QUANTITATIVE)
        assert share == quantitative, position


def test_the_designer_template_is_designed_editable_and_valid():
    designer = load_builtin().positions["designer"]
    assert designer.origin == "designed" and designer.template.editable
    assert sum(i.weight for i in designer.template.items) == 100
    assert load_builtin().library["design_revision_rounds"].direction is Direction.LOWER


def test_indicator_rules_of_the_seed():
    lib = load_builtin().library
    assert lib["ops_sales"].cumulative and lib["ops_sales"].aggregation is Aggregation.SUM
    assert lib["ops_new_conversion"].aggregation is Aggregation.RATIO
    assert lib["wh_misship_rate"].direction is Direction.LOWER
    assert lib["ops_ad_roi"].hint_zh == "需优化关键词"
    monitor = lib["cs_avg_reply_seconds"]
    assert not monitor.scored and monitor.aggregation is Aggregation.RATIO and monitor.direction is Direction.LOWER


def test_job_descriptions_carry_duties_authorities_and_goals():
    ops = load_builtin().positions["ops"].job_description
    assert ops.duties[0].frequency_zh == "每周" and ops.duties[0].standard_zh == "提交1份选品报告"
    assert ops.authorities[0].limit_zh == "1万元以内"
    assert ops.goals[0].text_zh == "季度销售额增长15%"
    for position in load_builtin().positions.values():
        jd = position.job_description
        assert jd.duties and jd.authorities and jd.goals, position.code


def test_a_broken_weight_in_the_data_file_is_refused():
    data = raw()
    data["positions"][0]["template"]["items"][0]["weight"] = "25"
    with pytest.raises(TemplateInvalid, match="当前合计为95"):
        load_catalog(data)


def test_an_unknown_department_or_contradictory_indicator_is_refused():
    data = raw()
    data["positions"][1]["department"] = "nowhere"
    with pytest.raises(LibraryInvalid, match="部门「nowhere」不存在"):
        load_catalog(data)
    data = raw()
    data["indicators"][1]["cumulative"] = True  # a cumulative ratio
    with pytest.raises(LibraryInvalid, match="累计指标"):
        load_catalog(data)


def test_a_bad_number_in_the_data_file_names_its_path():
    data = raw()
    data["positions"][2]["template"]["items"][1]["target"] = "ninety-five"
    with pytest.raises(LibraryInvalid) as caught:
        load_catalog(data)
    assert "positions[2].template.items[1].target" in caught.value.fields
