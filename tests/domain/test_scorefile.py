"""`score_document`: golden files (tests/golden/score) compared exactly, plus the facts they must show.

Regenerate after an intended change with `UPDATE_GOLDEN=1 python -m pytest tests/domain/test_scorefile.py`
and review the diff: a golden file is a claim about behaviour, not a snapshot to refresh blindly.
"""

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.domain.scorefile import score_document

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "score"
CASES = sorted(p.name.removesuffix(".in.json") for p in GOLDEN.glob("*.in.json"))


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def run(name: str) -> dict:
    """What `flask kpi score` prints for a golden input: the result, or the error object."""
    doc = json.loads((GOLDEN / f"{name}.in.json").read_text(encoding="utf-8"))
    try:
        return score_document(doc)
    except DomainError as error:
        return error.to_dict()


def test_there_are_golden_cases_for_every_kind_of_input():
    assert len(CASES) >= 6
    assert {"ops_seed_report", "cs_seed_month", "warehouse_perfect_zero", "designer_template",
            "inline_items_floor_and_bands", "observations_provenance_fx", "transfer_prorated_calendar"} <= set(CASES)
    assert any(name.startswith("error_") for name in CASES)


@pytest.mark.parametrize("name", CASES)
def test_golden_output_matches_exactly(name):
    expected_path = GOLDEN / f"{name}.out.json"
    actual = canonical(run(name))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert actual == expected_path.read_text(encoding="utf-8")


def item(result: dict, code: str) -> dict:
    return next(i for i in result["items"] if i["indicator"] == code)


def test_the_seed_report_reads_as_the_seed_wrote_it():
    result = run("ops_seed_report")
    assert result["summary"] == "运营岗总分88分，优秀；广告ROI未达标（2.8:1），需优化关键词"
    assert (result["total"], result["grade"], result["coefficient"]) == ("88.0", "优秀", "1.2")
    roi = item(result, "ops_ad_roi")
    assert (roi["met"], roi["hint"], roi["actual_display"], roi["achievement"]) == \
        (False, "需优化关键词", "2.8:1", "0.9333")


def test_complaints_are_capped_at_full_marks_and_unmet_rates_are_listed():
    result = run("cs_seed_month")
    assert item(result, "cs_complaint_closed_24h")["score"] == "30.00"
    assert result["summary"] == \
        "客服岗总分96.9分，优秀；满意度4.8分以上占比未达标（78.95%），需提升服务质量，争取客户好评"


def test_a_perfect_zero_mis_shipment_rate_earns_the_cap():
    result = run("warehouse_perfect_zero")
    mis = item(result, "wh_misship_rate")
    assert (mis["score"], mis["capped"], mis["met"], mis["actual_display"]) == ("36.00", True, True, "0%")
    assert item(result, "wh_stock_accuracy")["achievement"] == "1.0000"
    assert result["summary"].endswith("；各项均达标")


def test_an_inline_template_with_a_floor_hit_exactly_and_custom_bands():
    result = run("inline_items_floor_and_bands")
    gmv = item(result, "live_gmv")
    assert (gmv["score"], gmv["below_floor"], gmv["floor"]) == ("30.00", False, "0.6")
    assert (result["total"], result["grade"], result["grade_code"]) == ("73.0", "达标", "b")


def test_daily_observations_use_the_figure_of_record_and_report_discrepancies():
    result = run("observations_provenance_fx")
    sales = item(result, "ops_sales")
    assert sales["actual"] == "101100"  # 3200 verified + 2900 imported + 95000 verified
    assert sales["data"]["days_by_provenance"] == {"imported": 1, "verified": 2}
    [conflict] = sales["data"]["discrepancies"]
    assert (conflict["day"], conflict["reported"], conflict["record"], conflict["difference"]) == (
        "2025-10-01", "3500", "3200", "0.0938")
    conversion = item(result, "ops_new_conversion")
    assert (conversion["numerator"], conversion["denominator"]) == ("89", "2200")  # a ratio of sums
    assert conversion["met"] is False  # the mean of the daily rates (6.01 %) would have said met
    roi = item(result, "ops_ad_roi")
    assert (roi["numerator"], roi["denominator"]) == ("4960", "1700")  # CNY converted at 0.14


def test_a_transfer_gives_two_assessments_and_a_month_grade_weighted_by_working_days():
    result = run("transfer_prorated_calendar")
    ops, cs = result["assessments"]
    assert ops["period"] == {"start": "2025-10-01", "end": "2025-10-15", "working_days": 6,
                             "month_working_days": 18, "prorated": True}
    assert item(ops, "ops_sales")["target"] == "48387.1"  # a shop sells every day: 15 of 31 calendar days
    assert (ops["total"], cs["total"]) == ("88.8", "75.1")  # 30 × 40000 / 48387.10 = 24.80 + 64
    month = result["month"]
    assert (month["total"], month["grade"]) == ("79.7", "良好")  # (88.8 × 6 + 75.1 × 12) / 18
    assert (month["weights"], month["working_days"]) == (["1/3", "2/3"], [6, 12])


def test_a_projection_labels_last_months_rating_and_extrapolates_sales_at_pace():
    result = run("projection_midmonth")
    innovation, sales = item(result, "ops_innovation"), item(result, "ops_sales")
    assert (innovation["basis"], innovation["basis_label"]) == ("last_month", "参考上月")
    assert item(result, "ops_teamwork")["basis"] == "actual"
    # 33,000 USD sold through 15 October (15 of 31 calendar days) is shown as it is, beside the
    # projection to the month's end: 33000 × 31 / 15 = 68,200 USD.
    assert (sales["basis"], sales["actual"], sales["projected"]) == ("extrapolated", "33000", "68200")
    assert sales["progress"] == {"label": "完成33%", "fill": "0.3300", "state": "behind", "state_label": "落后",
                                 "pace": "0.4839", "pace_label": "进度应达48%", "through": "2025-10-15",
                                 "through_label": "截至10月15日", "stale": False, "stale_label": None}
    assert item(result, "ops_ad_roi")["progress"]["pace"] is None
    assert result["summary"].startswith("运营岗预计总分84.3分，良好；")


def test_a_rated_item_reads_as_its_rating_never_unmet_or_behind():
    result = score_document({"position": "ops", "month": "2025-10", "mode": "projection", "as_of": "2025-10-15",
                             "actuals": {"ops_sales": "50000", "ops_new_conversion": "0.05", "ops_ad_roi": "3"},
                             "ratings": {"ops_teamwork": ["4"], "ops_innovation": ["4", "5"]}})
    teamwork, innovation = item(result, "ops_teamwork"), item(result, "ops_innovation")
    assert (teamwork["status"], teamwork["status_label"], teamwork["completion"], teamwork["met"],
            teamwork["hint"]) == ("rated", "4/5分", "4/5分", False, None)
    assert teamwork["progress"] == {"label": "4/5分", "fill": "0.8000", "state": "rated", "state_label": "4/5分",
                                    "pace": None, "pace_label": None}
    assert (innovation["status_label"], innovation["progress"]["label"]) == ("4.5/5分", "4.5/5分")
    assert (teamwork["score"], innovation["score"]) == ("12.00", "13.50")  # weight × rating / scale, as before
    assert "团队协作" not in result["summary"] and "创新建议" not in result["summary"]


def test_bad_input_becomes_one_error_object_naming_the_problem():
    weights = run("error_weights_not_100")["error"]
    assert weights["code"] == "template_invalid"
    assert "考核项「广告ROI」的目标值必须大于0" in weights["message"] and "当前合计为95" in weights["message"]
    assert run("error_unknown_position")["error"]["code"] == "score_file_invalid"
    assert run("error_missing_rate")["error"]["message"] == "汇率表缺少2025年10月EUR兑USD的汇率，请先补充"


@pytest.mark.parametrize("doc, field", [
    ({"month": "2025-10"}, "position"),
    ({"position": "ops"}, "month"),
    ({"position": "ops", "month": "2025-13"}, "month"),
    ({"position": "ops", "month": "2025-10", "actuals": {"ops_sales": "lots"}}, "actuals.ops_sales"),
    ({"position": "ops", "month": "2025-10", "actuals": {"ops_sales": True}}, "actuals.ops_sales"),
    ({"position": "ops", "month": "2025-10", "actuals": {"ops_sales": "NaN"}}, "actuals.ops_sales"),
    ({"position": "ops", "month": "2025-10", "actuals": {"ops_gmv": "1"}}, "actuals.ops_gmv"),
    ({"position": "ops", "month": "2025-10", "ratings": {"ops_teamwork": ["6"]}}, "ratings.ops_teamwork[0]"),
    ({"position": "ops", "month": "2025-10", "ratings": {"ops_sales": ["4"]}}, "ratings.ops_sales"),
    ({"position": "ops", "month": "2025-10", "mode": "projection"}, "as_of"),
    ({"position": "ops", "month": "2025-10", "period": {"start": "2025-09-30"}}, "period"),
    ({"position": "ops", "month": "2025-10", "observations": {"ops_sales": [{"day": "2025-10-01"}]}},
     "observations.ops_sales[0]"),
    ({"position": "ops", "month": "2025-10", "observations": {"ops_sales": [{"day": "1.10.", "value": 1}]}},
     "observations.ops_sales[0].day"),
    ({"position": "ops", "month": "2025-10", "actuals": {"ops_new_conversion": {"numerator": 1, "denominator": 0}}},
     "actuals.ops_new_conversion.denominator"),
    ({"position": "ops", "month": "2025-10", "calendar": {"rest_weekdays": [0]}}, "calendar.rest_weekdays"),
])
def test_malformed_documents_are_refused_naming_the_field(doc, field):
    with pytest.raises(DomainError) as caught:
        score_document(doc)
    assert caught.value.code == "score_file_invalid"
    assert field in caught.value.fields, caught.value.fields
    assert caught.value.message.startswith(field)


def test_a_figure_given_twice_is_refused():
    doc = {"position": "ops", "month": "2025-10", "actuals": {"ops_sales": "1"},
           "observations": {"ops_sales": [{"day": "2025-10-01", "value": "1"}]}}
    with pytest.raises(DomainError, match="只能用actuals、observations、ratings中的一种"):
        score_document(doc)


def test_json_floats_are_read_as_written():
    doc = {"position": "ops", "month": "2025-10", "actuals": {"ops_new_conversion": 0.05}}
    assert item(score_document(doc), "ops_new_conversion")["achievement"] == "1.0000"


def test_overlapping_assessments_in_one_month_are_refused():
    doc = {"month": "2025-10", "assessments": [
        {"position": "ops", "period": {"start": "2025-10-01", "end": "2025-10-16"}},
        {"position": "cs", "period": {"start": "2025-10-16", "end": "2025-10-31"}}]}
    with pytest.raises(DomainError, match="不能重叠"):
        score_document(doc)


def test_missing_items_are_no_data_and_named_in_the_summary():
    result = score_document({"position": "ops", "month": "2025-10", "actuals": {"ops_sales": "120000"}})
    conversion = item(result, "ops_new_conversion")
    assert (conversion["status"], conversion["achievement"], conversion["score"]) == ("no_data", None, "0.00")
    assert result["summary"] == \
        "运营岗总分36分，不合格；新品转化率无数据；广告ROI无数据；团队协作未评分；创新建议未评分"


def test_there_are_golden_cases_for_every_scoring_method_adjustments_and_a_veto():
    assert {"method_deduction_to_zero", "method_bands_on_boundary", "method_pass_fail", "veto_total_95",
            "adjustments_limit_hit", "error_method_invalid"} <= set(CASES)


def test_74_percent_stock_accuracy_by_deduction_reaches_zero_and_partial_steps_count_whole():
    result = run("method_deduction_to_zero")
    stock, mis, dispatch = (item(result, c) for c in ("wh_stock_accuracy", "wh_misship_rate", "wh_dispatch_24h_share"))
    assert (stock["score"], stock["steps"], stock["method"]) == ("0.00", 255, "deduction")
    assert stock["method_label"] == "扣分制：每低于目标0.1%扣2分，不足0.1%按0.1%计，扣完为止"
    assert (stock["cap"], stock["floor"]) == (None, None)
    assert (mis["score"], mis["steps"]) == ("21.00", 3)  # 0.13 % against ≤ 0.1 %: 3 steps of 0.01 % above
    assert (dispatch["score"], dispatch["steps"]) == ("24.00", 3)  # 0.25 % short: a started step counts
    assert ("库存准确率未达标（74%，按扣分制得0分：每低于目标0.1%扣2分，不足0.1%按0.1%计，扣完为止）"
            in result["summary"])
    assert "method" not in item(result, "wh_responsibility")  # a ratio item reads as it always did


def test_a_figure_exactly_on_a_band_boundary_earns_the_better_band():
    result = run("method_bands_on_boundary")
    stock, mis = item(result, "wh_stock_accuracy"), item(result, "wh_misship_rate")
    assert (stock["actual_display"], stock["score"], stock["band"]) == ("98%", "20.00", "98%（含）至99.5%得20分")
    assert (mis["actual_display"], mis["score"], mis["band"]) == ("0.3%", "15.00", "0.1%至0.3%（含）得15分")
    assert (result["total"], result["grade"]) == ("73.0", "合格")


def test_pass_fail_is_all_or_nothing_and_exactly_at_target_passes():
    result = run("method_pass_fail")
    assert (item(result, "cs_reply_30s_share")["score"], item(result, "cs_reply_30s_share")["met"]) == ("25.00", True)
    assert item(result, "cs_complaint_closed_24h")["score"] == "0.00"
    assert result["summary"] == ("客服岗总分68分，合格；"
                                 "投诉处理及时率未达标（91.67%，按达标制得0分：达标得30分，未达标得0分），"
                                 "需在24小时内闭环每一条投诉")


def test_a_veto_on_a_total_of_95_is_fail_and_named_in_the_report():
    result = run("veto_total_95")
    assert (result["total"], result["grade"], result["grade_code"], result["coefficient"]) == \
        ("95.0", "不合格", "fail", "0.5")
    assert result["summary"] == "仓储岗总分95分，不合格（一票否决：重大客诉）；各项均达标"
    veto = result["veto"]
    assert (veto["name"], veto["grade_by_total"], veto["recorded_by"]) == ("重大客诉", "优秀", "人事 张敏")
    assert veto["evidence"].startswith("工单CS-20251017")


def test_adjustments_beyond_their_limits_count_only_up_to_them():
    result = run("adjustments_limit_hit")
    adjustments = result["adjustments"]
    assert (adjustments["bonus"], adjustments["bonus_counted"], adjustments["bonus_limited"]) == ("7", "5", True)
    assert (adjustments["penalty"], adjustments["penalty_counted"], adjustments["penalty_limited"]) == \
        ("-4", "-3", True)
    assert (result["total"], result["grade"]) == ("90.0", "优秀")  # the seed's 88 + 5 − 3
    assert [line["given_by"] for line in adjustments["lines"]][:2] == ["运营主管 王磊", "总经理 陈静"]
    assert result["summary"].endswith("；加减分项+2分（加分7分，超过上限按5分计；扣分4分，超过上限按3分计）")


def test_a_template_with_broken_methods_is_refused_naming_every_problem():
    error = run("error_method_invalid")["error"]
    assert error["code"] == "template_invalid"
    assert set(error["fields"]) == {"items[0]", "items[1]", "items[2]"}
    assert "之间有空缺（0.97至0.98）" in error["fields"]["items[0]"] and "重叠" in error["fields"]["items[0]"]
    assert "当前为35" in error["fields"]["items[0]"]


def inline(method: object, **item: object) -> dict:
    return {"month": "2025-10", "template": {"name_zh": "仓储", "currency": "CNY", "items": [
        {"indicator": "wh_stock_accuracy", "weight": "100", "target": "0.995", "method": method, **item}]}}


@pytest.mark.parametrize("doc, field", [
    (inline({"kind": "steps"}), "template.items[0].method.kind"),
    (inline("deduction"), "template.items[0].method"),
    (inline({"kind": "deduction", "points": "2"}), "template.items[0].method.step"),
    (inline({"kind": "bands", "bands": {}}), "template.items[0].method.bands"),
    (inline({"kind": "bands", "bands": [{"min": "x", "points": "1"}]}), "template.items[0].method.bands[0].min"),
    (inline({"kind": "pass_fail"}, cap="1.0"), "template.items[0].cap"),
    ({"position": "ops", "month": "2025-10", "adjustments": [{"points": "1", "reason": "加班"}],
      "adjustment_limit": {"bonus": "5", "penalty": "5"}}, "adjustments[0].given_by"),
    ({"position": "ops", "month": "2025-10", "adjustment_limit": {"bonus": "5"}}, "adjustment_limit.penalty"),
    ({"position": "ops", "month": "2025-10", "veto": {"name": "重大客诉", "recorded_by": "人事"}}, "veto.evidence"),
    ({"month": "2025-10", "veto": {"name": "重大客诉", "evidence": "工单", "recorded_by": "人事"},
      "assessments": [{"position": "ops"}]}, "veto"),
])
def test_malformed_methods_and_lines_are_refused_naming_the_field(doc, field):
    with pytest.raises(DomainError) as caught:
        score_document(doc)
    assert caught.value.code == "score_file_invalid"
    assert field in caught.value.fields, caught.value.fields


def test_lines_that_break_a_rule_are_data_invalid():
    doc = {"position": "ops", "month": "2025-10", "adjustments": [{"points": "0", "reason": "无", "given_by": "王"}]}
    with pytest.raises(DomainError) as caught:
        score_document(doc)
    assert caught.value.code == "data_invalid"
    assert set(caught.value.fields) == {"adjustments[0]", "adjustment_limit"}


def test_a_veto_in_one_assessment_of_a_transfer_makes_the_month_fail():
    doc = {"month": "2025-10", "assessments": [
        {"position": "ops", "period": {"start": "2025-10-01", "end": "2025-10-15"},
         "actuals": {"ops_sales": "50000", "ops_new_conversion": "0.05", "ops_ad_roi": "3"},
         "ratings": {"ops_teamwork": ["5"], "ops_innovation": ["5"]}},
        {"position": "cs", "period": {"start": "2025-10-16", "end": "2025-10-31"},
         "actuals": {"cs_reply_30s_share": "0.9", "cs_top_rating_share": "0.85", "cs_complaint_closed_24h": "1"},
         "ratings": {"cs_service_attitude": ["5"], "cs_product_knowledge": ["5"]},
         "veto": {"name": "重大客诉", "evidence": "工单", "recorded_by": "人事"}}]}
    result = score_document(doc)
    ops, cs = result["assessments"]
    assert (ops["grade"], cs["grade"], cs["total"]) == ("优秀", "不合格", "100.0")
    assert Decimal(result["month"]["total"]) > 85 and result["month"]["grade"] == "不合格"


def test_a_cumulative_items_method_figures_are_prorated_with_its_target():
    doc = {"month": "2025-10", "period": {"start": "2025-10-01", "end": "2025-10-15"},
           "template": {"name_zh": "运营", "currency": "USD", "items": [
               {"indicator": "ops_sales", "weight": "50", "target": "100000",
                "method": {"kind": "deduction", "step": "10000", "points": "5"}},
               {"indicator": "ops_new_conversion", "weight": "50", "target": "0.05",
                "method": {"kind": "bands", "bands": [{"max": "0.04", "points": "0"},
                                                      {"min": "0.04", "points": "50"}]}}]},
           "actuals": {"ops_sales": "40000", "ops_new_conversion": "0.04"}}
    result = score_document(doc)  # sales accrue every day: 15 of 31 calendar days
    sales = item(result, "ops_sales")
    assert (sales["target"], sales["steps"], sales["score"]) == ("48387.1", 2, "40.00")
    assert sales["method_label"] == "扣分制：每低于目标4,838.71 USD扣5分，不足4,838.71 USD按4,838.71 USD计，扣完为止"
    assert item(result, "ops_new_conversion")["score"] == "50.00"  # a rate's bands are not pro-rated


def test_the_documented_example_is_what_score_document_prints():
    text = (Path(__file__).resolve().parents[2] / "app" / "domain" / "SCOREFILE.md").read_text(encoding="utf-8")
    example = text.split("## Example", 1)[1]
    doc_in = example.split("### Input", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    doc_out = example.split("### Output", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    assert canonical(score_document(json.loads(doc_in))) == doc_out
