"""HR's lines on an assessment: 加减分项 within a stated limit, and 一票否决."""

from decimal import Decimal as D

import pytest

from app.domain.adjustments import NO_LINES, Adjustment, AdjustmentLimit, SheetLines, Veto, adjustment_sum
from app.domain.errors import DataInvalid
from app.domain.exact import Ratio
from app.domain.formatting import adjustments_text, signed
from app.domain.grades import DEFAULT_BANDS, GradeBand, GradeBands
from app.domain.progress import Pace
from app.domain.projection import project
from app.domain.proration import month_grade
from app.domain.scoring import ScoringItem, score_assessment

ITEM = ScoringItem("x", D(100), D(100))
LIMIT = AdjustmentLimit(D(5), D(5))
VETO = Veto("重大客诉", "工单CS-1017", "人事 张敏", "major_complaint")


def lines(*points: str, limit: AdjustmentLimit | None = LIMIT, veto: Veto | None = None) -> SheetLines:
    return SheetLines(tuple(Adjustment(D(p), "理由", "王主管") for p in points), limit, veto)


def total(actual: str, sheet: SheetLines, cap: str = "1.2"):
    return score_assessment([ScoringItem("x", D(100), D(100), cap=D(cap))], {"x": Ratio.of(actual)}, lines=sheet)


def test_no_lines_changes_nothing():
    assert adjustment_sum(NO_LINES) is None
    result = total("88", NO_LINES)
    assert (result.total, result.adjustments, result.veto) == (D("88.0"), None, None)


def test_adjustments_add_to_the_item_total_before_rounding():
    result = total("84.96", lines("0.04", "-0.05"))  # 84.96 + 0.04 − 0.05 = 84.95 → 85.0
    assert (result.total, result.grade.label_zh) == (D("85.0"), "优秀")
    assert result.adjustments.counted == D("-0.01")


def test_bonuses_and_penalties_count_only_up_to_their_limits():
    counted = adjustment_sum(lines("3", "4", "-2", "-2", limit=AdjustmentLimit(D(5), D(3))))
    assert (counted.bonus, counted.bonus_counted, counted.bonus_limited) == (D(7), D(5), True)
    assert (counted.penalty, counted.penalty_counted, counted.penalty_limited) == (D(-4), D(-3), True)
    assert counted.counted == D(2)
    assert adjustments_text(counted) == "加减分项+2分（加分7分，超过上限按5分计；扣分4分，超过上限按3分计）"


def test_a_limit_exactly_reached_is_not_a_cut():
    counted = adjustment_sum(lines("2", "3", "-5"))
    assert (counted.bonus_limited, counted.penalty_limited, counted.counted) == (False, False, D(0))
    assert adjustments_text(counted) == "加减分项0分（加分5分；扣分5分）"
    assert adjustments_text(adjustment_sum(lines("-1.5"))) == "加减分项-1.5分（扣分1.5分）"


def test_the_total_may_exceed_100_and_is_never_below_0():
    assert total("120", lines("5")).total == D("125.0")  # cap 1.2 plus a bonus within its limit
    assert total("120", lines("5"), cap="1").total == D("105.0")
    assert total("3", lines("-5")).total == D("0.0")


def test_a_veto_sets_the_lowest_grade_whatever_the_total():
    result = total("95", lines(veto=VETO, limit=None))
    assert (result.total, result.grade.label_zh, result.grade.code, result.veto) == (D("95.0"), "不合格", "fail", VETO)
    assert VETO.label_zh == "一票否决：重大客诉"
    custom = GradeBands([GradeBand("a", "卓越", D(90), D("1.5")), GradeBand("d", "待改进", None, D(0))])
    vetoed = score_assessment([ITEM], {"x": Ratio.of(95)}, custom, SheetLines(veto=VETO))
    assert vetoed.grade.label_zh == "待改进"


def test_lines_apply_on_the_exact_path_too():
    """Item scores of 84.94/3 and 2·84.94/3 do not terminate; +0.01 puts the sum on 84.95 exactly."""
    items = [ScoringItem("a", D(50), D(3)), ScoringItem("b", D(50), D(3))]
    actuals = {"a": Ratio(D("84.94"), D(50)), "b": Ratio(D("169.88"), D(50))}
    result = score_assessment(items, actuals, lines=lines("0.01", veto=VETO))
    assert result.exact_fallback and result.total == D("85.0")
    assert (result.grade.code, result.adjustments.counted, result.veto) == ("fail", D("0.01"), VETO)


def test_a_veto_in_any_assessment_of_a_month_makes_the_month_lowest():
    assert month_grade([(D("95.0"), 10), (D("90.0"), 13)], DEFAULT_BANDS, vetoed=True).grade.code == "fail"
    assert month_grade([(D("95.0"), 10), (D("90.0"), 13)], DEFAULT_BANDS).grade.code == "excellent"


@pytest.mark.parametrize("sheet_args, field, message", [
    ((("0",), LIMIT, None), "adjustments[0]", "第1条加减分项的分值不能为0"),
    ((("3",), None, None), "adjustment_limit", "有加减分项时必须说明加分和扣分的上限"),
    (((), AdjustmentLimit(D(-1), D(5)), None), "adjustment_limit.bonus", "加分上限不能为负数"),
    (((), AdjustmentLimit(D(5), D("1e20")), None), "adjustment_limit.penalty", "扣分上限超出可保存的范围"),
    (((), None, Veto("重大客诉", " ", "人事")), "veto.evidence", "一票否决必须写明证据"),
    (((), None, Veto("", "工单", "人事")), "veto.name", "一票否决必须写明事项名称"),
])
def test_lines_that_break_a_rule_are_refused_naming_the_field(sheet_args, field, message):
    points, limit, veto = sheet_args
    with pytest.raises(DataInvalid) as caught:
        lines(*points, limit=limit, veto=veto)
    assert message in caught.value.fields[field]


def test_a_line_needs_its_reason_and_who_gave_it():
    with pytest.raises(DataInvalid, match="第2条加减分项必须写明理由"):
        SheetLines((Adjustment(D(1), "加班", "王"), Adjustment(D(1), "", "王")), LIMIT)
    with pytest.raises(DataInvalid, match="第1条加减分项必须写明给分人"):
        SheetLines((Adjustment(D(1), "加班", " "),), LIMIT)


def test_signed_points_read_as_a_sheet_shows_them():
    assert [signed(D(p)) for p in ("3", "-2", "0", "0.50")] == ["+3", "-2", "0", "+0.5"]


def test_a_projection_counts_the_lines_too():
    sales = ScoringItem("s", D(100), D(100), cumulative=True)
    projection = project([sales], {"s": Ratio.of(40)}, paces={"s": Pace(9, 18)}, lines=lines("2", veto=VETO))
    assert (projection.score.total, projection.score.grade.code) == (D("82.0"), "fail")  # 40 → 80 at pace
