"""Item scores, totals and grades: the seed's worked examples and every boundary of the rules."""

from dataclasses import replace
from decimal import Decimal as D
from fractions import Fraction

import pytest

from app.domain.builtin import load_builtin
from app.domain.errors import DataInvalid
from app.domain.exact import Ratio
from app.domain.indicators import Direction
from app.domain.methods import PassFail
from app.domain.scoring import (
    ItemStatus,
    ScoringItem,
    achievement,
    score_assessment,
    scoring_items,
)

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER


def one(item: ScoringItem, actual):
    return score_assessment([item], {item.code: actual}).items[0]


def ops_items():
    catalog = load_builtin()
    return scoring_items(catalog.template("ops"), catalog.library)


def test_seed_report_88_points_is_excellent_with_roi_unmet():
    result = score_assessment(
        ops_items(),
        {
            "ops_sales": Ratio.of(100000),
            "ops_new_conversion": Ratio(D(16), D(300)),
            "ops_ad_roi": Ratio.of("2.8"),
            "ops_teamwork": Ratio.of(3),
            "ops_innovation": Ratio.of(3),
        },
    )
    assert result.total == D("88.0")
    assert result.grade.label_zh == "优秀"
    roi = result.items[2]
    assert roi.status is ItemStatus.UNMET and roi.achievement.fraction() == Fraction(14, 15)
    assert [i.met for i in result.items[:2]] == [True, True]


def test_conversion_of_4_percent_against_5_percent_is_80_percent_achievement():
    item = ScoringItem("conv", D(20), D("0.05"))
    result = one(item, Ratio(D(40), D(1000)))
    assert result.achievement.fraction() == Fraction(4, 5)
    assert result.score == D(16)
    assert result.status is ItemStatus.UNMET


def test_roi_2_8_against_3_scores_weight_times_the_exact_ratio():
    result = one(ScoringItem("roi", D(20), D(3)), Ratio.of("2.8"))
    assert result.score.quantize(D("0.0001")) == D("18.6667")
    assert not result.met


def test_lower_is_better_achievement_is_target_over_actual():
    result = one(ScoringItem("mis", D(30), D("0.001"), LOWER), Ratio(D(1), D(2000)))  # 0.05 %
    assert result.achievement.fraction() == 2
    assert result.met and result.capped
    assert result.score == D(36)  # capped at 1.2


def test_perfect_zero_under_cap_1_2_earns_the_cap():
    result = one(ScoringItem("mis", D(30), D("0.001"), LOWER), Ratio(D(0), D(5000)))
    assert result.perfect_zero and result.met
    assert result.achievement.fraction() == Fraction(6, 5)
    assert result.score == D(36)


def test_perfect_zero_under_cap_1_0_earns_exactly_the_weight():
    result = one(ScoringItem("mis", D(30), D("0.001"), LOWER, cap=D("1.0")), Ratio.of(0))
    assert result.score == D(30)
    assert result.achievement.fraction() == 1


def test_zero_for_higher_is_better_scores_zero_and_is_unmet():
    result = one(ScoringItem("sales", D(30), D(100000)), Ratio.of(0))
    assert result.score == 0 and result.status is ItemStatus.UNMET


def test_a_exactly_at_the_floor_keeps_its_score():
    item = ScoringItem("conv", D(20), D("0.05"), floor=D("0.6"))
    at_floor = one(item, Ratio.of("0.03"))  # a = 0.6 exactly
    assert at_floor.achievement.fraction() == Fraction(3, 5)
    assert not at_floor.below_floor
    assert at_floor.score == D(12)


def test_a_just_below_the_floor_scores_zero():
    item = ScoringItem("conv", D(20), D("0.05"), floor=D("0.6"))
    below = one(item, Ratio.of("0.02999999"))
    assert below.below_floor and below.score == 0


def test_floor_hit_exactly_for_lower_is_better():
    item = ScoringItem("mis", D(30), D("0.001"), LOWER, floor=D("0.5"))
    at_floor = one(item, Ratio.of("0.002"))  # a = 0.001 / 0.002 = 0.5
    assert at_floor.score == D(15) and not at_floor.below_floor
    assert one(item, Ratio.of("0.0020001")).score == 0


def test_a_exactly_at_the_cap_is_not_flagged_capped_but_above_is():
    item = ScoringItem("roi", D(20), D(3))
    at_cap = one(item, Ratio.of("3.6"))
    above = one(item, Ratio.of("3.60001"))
    assert at_cap.score == above.score == D(24)
    assert not at_cap.capped and above.capped


def test_cap_1_0_limits_complaints_closed_to_the_weight():
    result = one(ScoringItem("complaints", D(30), D(1), cap=D("1.0")), Ratio(D(12), D(12)))
    assert result.score == D(30) and result.met


def test_met_exactly_at_a_equal_to_one():
    assert one(ScoringItem("x", D(10), D("0.9")), Ratio(D(9), D(10))).met
    assert not one(ScoringItem("x", D(10), D("0.9")), Ratio(D(8999), D(10000))).met


def test_no_data_is_distinguishable_from_zero():
    result = score_assessment([ScoringItem("a", D(50), D(10)), ScoringItem("b", D(50), D(10))], {"a": Ratio.of(0)})
    zero, missing = result.items
    assert zero.status is ItemStatus.UNMET and zero.achievement.fraction() == 0
    assert missing.status is ItemStatus.NO_DATA and missing.achievement is None
    assert missing.score == 0 and not missing.met


def test_total_84_95_rounds_half_up_to_85_and_is_excellent():
    result = score_assessment([ScoringItem("x", D(100), D(100))], {"x": Ratio.of("84.95")})
    assert result.total == D("85.0") and result.grade.label_zh == "优秀"


def test_total_84_94_rounds_to_84_9_and_is_good():
    result = score_assessment([ScoringItem("x", D(100), D(100))], {"x": Ratio.of("84.94")})
    assert result.total == D("84.9") and result.grade.label_zh == "良好"


def test_boundary_total_reached_through_inexact_divisions_is_rounded_exactly():
    """1/3 + 2/3 of 84.95: each item score is a non-terminating decimal; only the sum is x.x5."""
    items = [ScoringItem("a", D(50), D(3)), ScoringItem("b", D(50), D(3))]
    # a_a = 84.95/150, a_b = 2·84.95/150 → scores 84.95/3 and 2·84.95/3
    actuals = {"a": Ratio(D("84.95"), D(50)), "b": Ratio(D("169.9"), D(50))}
    result = score_assessment(items, actuals)
    assert result.exact_fallback
    assert result.total == D("85.0") and result.grade.code == "excellent"


def test_a_total_a_hair_below_the_boundary_rounds_down_even_through_the_fallback():
    x = D("84.94" + "9" * 40)  # 84.95 − 1e-42, written out: the default context would round it
    result = score_assessment([ScoringItem("x", D(100), D(100))], {"x": Ratio.of(x)})
    assert result.exact_fallback
    assert result.total == D("84.9")


def test_figures_too_long_for_60_digits_fall_back_to_fractions():
    long = D("1." + "3" * 45)
    result = score_assessment([ScoringItem("x", D(100), long)], {"x": Ratio(long, D("1." + "7" * 45))})
    assert result.exact_fallback
    assert Fraction(result.items[0].achievement.num) / Fraction(result.items[0].achievement.den) == Fraction(
        D("1." + "3" * 45)
    ) / (Fraction(D("1." + "7" * 45)) * Fraction(long))


def test_a_zero_denominator_is_refused():
    with pytest.raises(DataInvalid):
        score_assessment([ScoringItem("x", D(100), D(1))], {"x": Ratio(D(1), D(0))})


def test_a_negative_lower_is_better_actual_is_refused():
    with pytest.raises(DataInvalid):
        score_assessment([ScoringItem("x", D(100), D(1), LOWER)], {"x": Ratio.of(-1)})


def test_negative_monthly_sales_score_zero_not_a_negative_score():
    result = one(ScoringItem("sales", D(30), D(100000)), Ratio.of(-500))
    assert result.score == 0 and not result.met


def test_achievement_helper_agrees_with_the_scored_achievement():
    item = ScoringItem("mis", D(30), D("0.001"), LOWER)
    assert achievement(item, Ratio(D(3), D(1000))) == one(item, Ratio(D(3), D(1000))).achievement.fraction()
    assert achievement(item, None) is None
    assert achievement(item, Ratio.of(0)) == Fraction(6, 5)


def test_scoring_items_take_direction_and_kind_from_the_library():
    items = {i.code: i for i in ops_items()}
    assert items["ops_sales"].cumulative and not items["ops_ad_roi"].cumulative
    assert items["ops_teamwork"].qualitative and items["ops_teamwork"].target == 5
    catalog = load_builtin()
    warehouse = {i.code: i for i in scoring_items(catalog.template("warehouse"), catalog.library)}
    assert warehouse["wh_misship_rate"].direction is LOWER


def test_ratings_score_as_rating_over_the_scale():
    result = one(ScoringItem("tw", D(15), D(5)), Ratio(D(9), D(2)))  # mean of 4 and 5
    assert result.score == D("13.5")


def test_a_rated_item_is_never_met_or_unmet_and_scores_as_before():
    teamwork = ScoringItem("tw", D(15), D(5), qualitative=True)
    four, five = one(teamwork, Ratio.of(4)), one(teamwork, Ratio.of(5))
    assert (four.status.value, four.score, four.met) == ("rated", D(12), False)  # 15 × 4/5
    assert (five.status.value, five.score, five.met) == ("rated", D(15), False)
    assert one(teamwork, None).status is ItemStatus.NO_DATA  # not rated yet
    by_pass_fail = replace(teamwork, method=PassFail())  # points still follow the rating worth full marks
    assert (one(by_pass_fail, Ratio.of(5)).score, one(by_pass_fail, Ratio.of(4)).score) == (D(15), D(0))
