"""The built-in positions: the seed's exact figures, validated by the core."""

import json
from decimal import Decimal as D

import pytest

from app.domain.builtin import DATA_PATH, load_builtin, load_catalog
from app.domain.errors import LibraryInvalid, TemplateInvalid
from app.domain.indicators import Aggregation, Direction, Kind
from app.domain.scorefile import score_document
from app.domain.templates import Rater, validate_template


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


def test_the_department_head_template_weighs_team_results_and_management():
    assert items("dept_head") == {
        "head_team_avg_score": (D(20), D(80), D("1.2"), None),
        "head_key_work_completion": (D(25), D(1), D("1.0"), None),
        "head_team_retention": (D(10), D("0.95"), D("1.2"), None),
        "head_coaching_completion": (D(10), D("0.9"), D("1.2"), None),
        "head_appraisal_on_time": (D(10), D(1), D("1.0"), None),
        "head_leadership": (D(15), D(5), D("1.2"), Rater.MANAGER),
        "head_collaboration": (D(10), D(5), D("1.2"), Rater.MANAGER),
    }


def test_the_hr_template_covers_hiring_payroll_training_satisfaction_the_cycle_and_costs():
    assert items("hr_admin") == {
        "hr_hiring_on_time": (D(20), D("0.9"), D("1.2"), None),
        "hr_payroll_accuracy": (D(20), D(1), D("1.0"), None),
        "hr_kpi_cycle_on_time": (D(15), D(1), D("1.0"), None),
        "hr_training_completion": (D(10), D("0.9"), D("1.2"), None),
        "hr_employee_satisfaction": (D(10), D("0.85"), D("1.2"), None),
        "hr_admin_cost_control": (D(10), D(1), D("1.0"), None),
        "hr_service": (D(15), D(5), D("1.2"), Rater.MANAGER),
    }


@pytest.mark.parametrize(("position", "department", "quantitative"), [("dept_head", "总经办", 75),
                                                                      ("hr_admin", "人事行政部", 85)])
def test_the_staff_templates_are_designed_editable_valid_and_need_no_connector(position, department, quantitative):
    catalog = load_builtin()
    built = catalog.positions[position]
    template = built.template
    assert built.origin == "designed" and template.editable and template.currency == "CNY"
    assert catalog.departments[built.department_code].name_zh == department
    validate_template(template, catalog.library)
    assert sum(i.weight for i in template.items) == 100
    measured = [catalog.library[i.indicator_code] for i in template.items if i.rater is None]
    assert sum(i.weight for i in template.items if i.rater is None) == quantitative
    # Nothing here is synced yet: every figure is reported by the person (with evidence), a rate of
    # events that adds up over the month however often it is reported; the rest the manager rates.
    for indicator in measured:
        assert (indicator.kind, indicator.source, indicator.aggregation, indicator.cumulative) == \
            (Kind.QUANTITATIVE, "self_report", Aggregation.RATIO, False), indicator.code
        assert indicator.hint_zh and indicator.definition_zh, indicator.code
    assert {i.rater for i in template.items if i.rater} == {Rater.MANAGER}


def test_the_staff_positions_come_after_the_seeds_the_designer_and_the_buyer():
    data = raw()
    assert [p["code"] for p in data["positions"]] == ["ops", "cs", "warehouse", "designer", "purchaser", "dept_head",
                                                      "hr_admin"]
    assert [p["origin"] for p in data["positions"]] == ["seed"] * 3 + ["designed"] * 4


def test_an_hr_month_scores_as_worked_out_by_hand():
    result = score_document({
        "position": "hr_admin", "month": "2026-10",
        "actuals": {
            "hr_hiring_on_time": {"numerator": "9", "denominator": "10"},  # 90 % of 90 %: 20
            "hr_payroll_accuracy": {"numerator": "49", "denominator": "50"},  # 98 %: 19.6
            "hr_kpi_cycle_on_time": {"numerator": "5", "denominator": "5"},  # 15
            "hr_training_completion": {"numerator": "18", "denominator": "20"},  # 10
            "hr_employee_satisfaction": {"numerator": "34", "denominator": "40"},  # 85 %: 10
            "hr_admin_cost_control": {"numerator": "20000", "denominator": "22000"},  # 10 × 10/11
        },
        "ratings": {"hr_service": ["4"]},  # 15 × 4/5 = 12
    })
    # 20 + 19.6 + 15 + 10 + 10 + 9.0909… + 12 = 95.69… → 95.7
    assert (result["total"], result["grade"]) == ("95.7", "优秀")
    assert result["summary"].startswith("人事行政岗总分95.7分，优秀；薪资考勤核算准确率未达标（98%）")
    assert "行政费用预算控制率未达标（90.91%）" in result["summary"]


def test_a_department_head_over_target_is_capped_where_more_than_all_is_meaningless():
    result = score_document({
        "position": "dept_head", "month": "2026-10",
        "actuals": {
            "head_team_avg_score": {"numerator": "172", "denominator": "2"},  # 86 of 80: 21.5
            "head_key_work_completion": {"numerator": "4", "denominator": "4"},  # 25, capped at 1.0
            "head_team_retention": {"numerator": "12", "denominator": "12"},  # 100 % of 95 %: 10.526…
            "head_coaching_completion": {"numerator": "3", "denominator": "4"},  # 75 % of 90 %: 8.333…
            "head_appraisal_on_time": {"numerator": "9", "denominator": "10"},  # 9
        },
        "ratings": {"head_leadership": ["5"], "head_collaboration": ["3"]},  # 15 + 6
    })
    # 21.5 + 25 + 10.5263 + 8.3333 + 9 + 15 + 6 = 95.36 → 95.4
    assert (result["total"], result["grade"]) == ("95.4", "优秀")
    key = next(i for i in result["items"] if i["indicator"] == "head_key_work_completion")
    assert (key["score"], key["met"]) == ("25.00", True)
