"""Alert rules on plain figures: streaks on working days, batch mis-shipment rates, pace nudges."""

import json
from datetime import date, timedelta
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

import pytest

from app.domain.alerts import (
    AlertRuleInvalid,
    Packed,
    Person,
    RuleKind,
    batch_finding,
    pace_findings,
    parse_rule,
    scan_streaks,
)
from app.domain.builtin import load_builtin
from app.domain.exact import Ratio
from app.domain.indicators import Provenance
from app.domain.observations import DayFigure
from app.domain.progress import item_progress
from app.domain.scoring import ScoringItem
from app.domain.workcalendar import WorkCalendar

LIBRARY = load_builtin().library
REPLY = LIBRARY["cs_avg_reply_seconds"]
SLOW = parse_rule("cs_reply_slow_streak", "连续3天响应时间超过30秒", "streak", "cs_avg_reply_seconds",
                  {"comparison": "above", "threshold": "30", "days": 3, "subject_zh": "响应时间"})
BATCH = parse_rule("wh_batch_misship", "批次错发率超过0.1%", "batch_rate", None, {"threshold": "0.001"})
PACE = parse_rule("cumulative_behind_pace", "累计指标落后进度", "pace", None, {"behind_share": "0.2", "after_day": 15})
# November 2026: the 23rd is a Monday; the 28th/29th a weekend.
CAL = WorkCalendar()
WANG = Person(7, "王芳", CAL, joined_on=date(2025, 3, 1))
WINDOW = (date(2026, 11, 2), date(2026, 11, 30))


def day(n: int) -> date:
    return date(2026, 11, n)


def seconds(n: int, average, replies: int = 100) -> DayFigure:
    """A day's figure of record: `average` seconds over `replies` replies (a ratio of sums)."""
    return DayFigure(day(n), D(str(average)) * replies, D(replies), Provenance.IMPORTED)


def scan(figures, person=WANG, **kwargs):
    return scan_streaks(SLOW, REPLY, person, figures, kwargs.pop("window", WINDOW), **kwargs)


def test_three_slow_working_days_fire_with_the_days_figures_as_evidence():
    found = scan([seconds(23, 20), seconds(24, 34), seconds(25, 36), seconds(26, 31)]).findings
    assert len(found) == 1
    alert = found[0]
    assert alert.message == "王芳连续3天响应时间超过30秒（11月24日 34秒、11月25日 36秒、11月26日 31秒）"
    assert alert.fingerprint == "cs_reply_slow_streak:7:2026-11-24" and alert.employee_id == 7
    assert [d["day"] for d in alert.evidence["days"]] == ["2026-11-24", "2026-11-25", "2026-11-26"]
    assert alert.evidence["days"][0] == {"day": "2026-11-24", "value": "34.0000", "numerator": "3400",
                                         "denominator": "100", "provenance": "imported"}


def test_two_slow_days_do_not_fire():
    assert scan([seconds(24, 34), seconds(25, 36), seconds(26, 29)]).findings == ()


def test_exactly_the_threshold_is_not_above_it():
    assert scan([seconds(24, 30), seconds(25, 36), seconds(26, 31)]).findings == ()


def test_the_average_is_a_ratio_of_sums_not_a_mean_of_rates():
    day_of_parts = DayFigure(day(24), D(3001), D(100), Provenance.IMPORTED)  # 30.01 s over the day's replies
    found = scan([day_of_parts, seconds(25, 36), seconds(26, 31)]).findings
    assert len(found) == 1 and "11月24日 30.01秒" in found[0].message


def test_a_weekend_between_slow_days_neither_breaks_nor_counts():
    found = scan([seconds(26, 34), seconds(27, 35), seconds(28, 50), seconds(29, 50), seconds(30, 31)]).findings
    assert [d["day"] for d in found[0].evidence["days"]] == ["2026-11-26", "2026-11-27", "2026-11-30"]
    weekend_only = scan([seconds(26, 34), seconds(28, 50), seconds(29, 50)]).findings
    assert weekend_only == ()  # slow figures on rest days are not counted


def test_a_holiday_between_slow_days_neither_breaks_nor_counts():
    national_day = WorkCalendar(holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
                                makeup_days=frozenset({date(2026, 10, 10)}))
    person = Person(7, "王芳", national_day)
    slow = [DayFigure(d, D(3500), D(100), Provenance.IMPORTED)
            for d in (date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 2))]
    window = (date(2026, 9, 28), date(2026, 10, 8))
    assert scan(slow, person, window=window).findings == ()  # the holiday's figures do not count
    after = slow + [DayFigure(date(2026, 10, 8), D(3100), D(100), Provenance.IMPORTED)]
    found = scan(after, person, window=window).findings
    assert [d["day"] for d in found[0].evidence["days"]] == ["2026-09-29", "2026-09-30", "2026-10-08"]


def test_leave_between_slow_days_neither_breaks_nor_counts():
    on_leave = Person(7, "王芳", CAL, leave=frozenset({day(25)}))
    figures = [seconds(24, 34), seconds(25, 10), seconds(26, 36), seconds(27, 31)]
    found = scan(figures, on_leave).findings
    assert [d["day"] for d in found[0].evidence["days"]] == ["2026-11-24", "2026-11-26", "2026-11-27"]
    assert scan([seconds(24, 34), seconds(25, 40), seconds(26, 36)], on_leave).findings == ()


def test_a_good_day_breaks_the_streak():
    assert scan([seconds(23, 34), seconds(24, 35), seconds(25, 20), seconds(26, 31), seconds(27, 33)]).findings == ()


def test_a_working_day_without_figures_breaks_the_streak():
    assert scan([seconds(23, 34), seconds(24, 35), seconds(26, 31), seconds(27, 33)]).findings == ()
    nothing_measured = DayFigure(day(25), D(0), D(0), Provenance.IMPORTED)
    figures = [seconds(23, 34), seconds(24, 35), nothing_measured, seconds(26, 31), seconds(27, 33)]
    assert scan(figures).findings == ()


def test_a_fourth_slow_day_is_the_same_alert_and_a_new_streak_after_a_break_is_new():
    three = scan([seconds(23, 34), seconds(24, 35), seconds(25, 36)]).findings
    four = scan([seconds(23, 34), seconds(24, 35), seconds(25, 36), seconds(26, 40)]).findings
    assert [f.fingerprint for f in four] == [f.fingerprint for f in three]
    assert four[0].evidence == three[0].evidence  # the facts that fired it, whenever it is evaluated
    again = [seconds(n, 35) for n in (2, 3, 4)] + [seconds(5, 20)] + [seconds(n, 35) for n in (6, 9, 10)]
    assert [f.fingerprint for f in scan(again, window=(date(2026, 10, 30), day(30))).findings] == [
        "cs_reply_slow_streak:7:2026-11-02", "cs_reply_slow_streak:7:2026-11-06"]


def test_days_before_joining_do_not_count():
    joiner = Person(7, "王芳", CAL, joined_on=day(25))
    assert scan([seconds(23, 34), seconds(24, 35), seconds(25, 36), seconds(26, 31)], joiner).findings == ()
    found = scan([seconds(24, 35), seconds(25, 36), seconds(26, 31), seconds(27, 33)], joiner).findings
    assert found[0].fingerprint == "cs_reply_slow_streak:7:2026-11-25"


def test_a_streak_overlapping_an_earlier_alert_is_not_raised_again():
    figures = [seconds(23, 34), seconds(24, 35), seconds(25, 36), seconds(26, 31)]
    assert scan(figures, alerted_days=frozenset({day(24), day(25), day(26)})).findings == ()


def test_a_streak_reaching_the_window_start_asks_to_look_further_back():
    figures = [seconds(n, 35) for n in (2, 3, 4)]
    result = scan(figures, window=(day(2), day(30)))
    assert result.findings == () and result.open_start
    complete = scan(figures, window=(day(2), day(30)), complete=True)
    assert [f.fingerprint for f in complete.findings] == ["cs_reply_slow_streak:7:2026-11-02"]
    joined_then = scan(figures, Person(7, "王芳", CAL, joined_on=day(2)), window=(day(2), day(30)))
    assert len(joined_then.findings) == 1 and not joined_then.open_start


def test_below_streaks_read_in_the_indicators_own_unit():
    rule = parse_rule("cs_30s_low", "30秒响应率连续偏低", "streak", "cs_reply_30s_share",
                      {"comparison": "below", "threshold": "0.9", "days": 2})
    low = [DayFigure(day(n), D(85), D(100), Provenance.VERIFIED) for n in (24, 25)]
    found = scan_streaks(rule, LIBRARY["cs_reply_30s_share"], WANG, low, WINDOW).findings
    assert found[0].message == "王芳连续2天30秒响应率低于90%（11月24日 85%、11月25日 85%）"


PACKERS = (("P01", 31, "李娜"), ("P02", 32, "赵强"))


def packed(n: int, wrong: set[int]) -> list[Packed]:
    """`n` orders packed alternately by two packers; the orders numbered in `wrong` went out wrong."""
    return [Packed(f"SO{i:04d}", PACKERS[i % 2][0], i in wrong, PACKERS[i % 2][1], PACKERS[i % 2][2]) for i in range(n)]


def test_a_batch_at_exactly_the_threshold_does_not_fire():
    assert batch_finding(BATCH, "erp", "B1", packed(1000, {7})) is None


def test_a_batch_above_the_threshold_names_its_orders_and_packers():
    found = batch_finding(BATCH, "erp", "B20261125-03", packed(500, {7, 10}))
    assert found.message == ("批次B20261125-03错发率0.4%（超过0.1%）：订单SO0007、SO0010；"
                             "打包人：赵强（P02）、李娜（P01）")
    assert found.fingerprint == "wh_batch_misship:erp:B20261125-03" and found.employee_id is None
    assert found.evidence["orders"] == [{"order_no": "SO0007", "packer_code": "P02", "packer_id": 32},
                                        {"order_no": "SO0010", "packer_code": "P01", "packer_id": 31}]
    assert found.evidence["packers"] == [{"employee_id": 32, "code": "P02", "name": "赵强"},
                                         {"employee_id": 31, "code": "P01", "name": "李娜"}]
    assert (found.evidence["shipped"], found.evidence["wrong"], found.evidence["rate"]) == (500, 2, "0.004000")


def test_an_unmatched_packer_is_named_by_code_and_long_lists_are_cut_in_the_message_only():
    shipped = [Packed(f"SO{i:03d}", "X9", wrong=i < 40) for i in range(100)]
    found = batch_finding(BATCH, "erp", "B2", shipped)
    assert "X9（未匹配员工）" in found.message and "等40单" in found.message
    assert len(found.message) <= 500 and len(found.evidence["orders"]) == 40


SALES = ScoringItem("ops_sales", D(30), D(100000), cumulative=True)
NAMES = {"ops_sales": "月度销售额"}


def bars(actual: int, share: Fraction):
    return {"ops_sales": item_progress(SALES, Ratio.of(actual), share)}


def test_behind_pace_by_more_than_20_percent_after_mid_month_nudges_once_a_week():
    found = pace_findings(PACE, WANG, 41, day(23), bars(40000, Fraction(3, 5)), NAMES)
    assert found[0].message == "王芳的月度销售额落后进度超过20%：完成40%，进度应达60%"
    assert found[0].fingerprint == "cumulative_behind_pace:41:ops_sales:2026W48"
    same_week = pace_findings(PACE, WANG, 41, day(27), bars(45000, Fraction(3, 4)), NAMES)
    assert same_week[0].fingerprint == found[0].fingerprint
    assert found[0].evidence == {"kind": "pace", "assessment_id": 41, "indicator": "ops_sales", "as_of": "2026-11-23",
                                 "achievement": "0.4000", "pace": "0.6000", "behind_share": "0.2"}


def test_a_rated_item_is_never_nudged_as_behind():
    teamwork = ScoringItem("ops_teamwork", D(15), D(5), qualitative=True)
    rated = {"ops_teamwork": item_progress(teamwork, Ratio.of(1), Fraction(3, 5))}  # 1 of 5, late in the month
    assert pace_findings(PACE, WANG, 41, day(23), rated, NAMES) == []


def test_no_nudge_within_20_percent_before_mid_month_or_on_a_rest_day():
    assert pace_findings(PACE, WANG, 41, day(23), bars(48000, Fraction(3, 5)), NAMES) == []  # exactly 80 % of pace
    assert pace_findings(PACE, WANG, 41, day(13), bars(10000, Fraction(2, 5)), NAMES) == []
    assert pace_findings(PACE, WANG, 41, day(28), bars(10000, Fraction(3, 5)), NAMES) == []  # Saturday
    on_leave = Person(7, "王芳", CAL, leave=frozenset({day(23)}))
    assert pace_findings(PACE, on_leave, 41, day(23), bars(10000, Fraction(3, 5)), NAMES) == []


@pytest.mark.parametrize("kind, indicator, params", [
    ("sometimes", None, {}),
    ("streak", None, {"threshold": "30", "days": 3}),
    ("streak", "cs_avg_reply_seconds", {"threshold": "thirty", "days": 3}),
    ("streak", "cs_avg_reply_seconds", {"threshold": "30", "days": 1}),
    ("streak", "cs_avg_reply_seconds", {"threshold": "30", "days": 3, "comparison": "beyond"}),
    ("batch_rate", None, {"threshold": "1.5"}),
    ("pace", None, {"behind_share": "0.2"}),
    ("pace", None, {"behind_share": "0.2", "after_day": 15, "notify": ["hr"]}),
    ("batch_rate", None, {"threshold": "0.001", "notify": "manager"}),
    ("batch_rate", None, {"threshold": "NaN"}),
    ("streak", "cs_avg_reply_seconds", {"threshold": "30", "days": 3, "subject_zh": " "}),
])
def test_unusable_rules_are_refused_with_a_chinese_message(kind, indicator, params):
    with pytest.raises(AlertRuleInvalid) as refused:
        parse_rule("r", "规则", kind, indicator, params)
    assert refused.value.code == "alert_rule_invalid" and "预警规则「规则」" in refused.value.message


def test_the_evening_reminder_is_a_rule_of_the_clock_parsed_but_not_evaluated_here():
    rule = parse_rule("progress_missing_evening", "未提交进展", "missing_progress", None, {"at": "18:00"})
    assert rule.kind is RuleKind.MISSING_PROGRESS and rule.notify == ("employee",)


def test_defaults_notify_agent_and_manager_for_streaks_and_managers_for_batches():
    assert SLOW.notify == ("employee", "manager") and BATCH.notify == ("manager",) and PACE.notify == ("employee",)


def test_slow_days_across_a_long_window_are_found_in_date_order():
    figures = [seconds(n, 35) for n in (3, 4, 5, 10, 11, 12)]
    figures.append(DayFigure(day(6), D(10), D(1), Provenance.IMPORTED))
    window = (day(2) - timedelta(days=1), day(30))  # starts on a Sunday before the first figure
    found = scan(figures, window=window).findings
    assert [f.evidence["first_day"] for f in found] == ["2026-11-03", "2026-11-10"]


def test_the_shipped_slow_reply_rule_reads_as_the_seed_does():
    shipped = json.loads((Path(__file__).parents[2] / "app/data/alert_rules.json").read_text(encoding="utf-8"))
    raw = next(r for r in shipped["rules"] if r["code"] == "cs_reply_slow_streak")
    rule = parse_rule(raw["code"], raw["name_zh"], raw["kind"], raw["indicator"], raw["params"])
    found = scan_streaks(rule, REPLY, WANG, [seconds(24, 34), seconds(25, 36), seconds(26, 31)], WINDOW).findings
    assert found[0].message == "王芳连续3天响应时间超过30秒（11月24日 34秒、11月25日 36秒、11月26日 31秒）"
