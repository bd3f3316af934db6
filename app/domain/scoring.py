"""Item scores, the total and the grade of one assessment — the function the scoring run calls.

Rules (docs/kpi-rules.md "Scoring"): higher-better `a = actual / target`; lower-better `a = target / actual`
and a perfect 0 earns the cap; item score = weight × min(a, cap), 0 when a < floor (a == floor keeps
its score); total rounded half-up to one decimal; met when a ≥ 1, except that a rated (qualitative)
item is never met or unmet: a rating of 4 out of 5 is a judgement, not a missed target, so it is
RATED and shown as "4/5分" (its points are the same either way). Those are the ratio method's
rules; an item scored by deduction, bands or pass/fail gets its points from methods.py (exact
decimals). HR's adjustments are added to the total within their limit, the total is never below 0,
and a veto sets the grade to the lowest band (adjustments.py).

Exactness: every comparison is a cross-multiplication under the trapping 60-digit context, so it is
exact or raises. The only rounding is the division weight × num / den (at the 60th digit). If the
summed total lands within 1e-30 of a rounding boundary (x.x5), or any product would not fit in 60
digits, the assessment is recomputed with Fractions, so the shown total is always the exact one.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, Inexact, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import overload

from .adjustments import NO_LINES, AdjustmentSum, SheetLines, Veto, adjustment_sum
from .errors import DataInvalid
from .exact import DIVIDE, EXACT, ONE, ZERO, Actual, Ratio, round_half_up, to_decimal
from .formatting import rating_label
from .grades import DEFAULT_BANDS, GradeBand, GradeBands
from .indicators import Direction, IndicatorLibrary, Kind, PaceBasis
from .methods import RATIO, ByRatio, Method, method_score
from .templates import DEFAULT_CAP, KpiTemplate, rating_scale

_TWENTY = Decimal(20)
_NEAR_HALF = Decimal("2e-29")  # 1e-30 on the total is 2e-29 on total × 20


class ItemStatus(StrEnum):
    MET = "met"
    UNMET = "unmet"
    RATED = "rated"  # a qualitative item with its rating: never met or unmet; rows show `rated_label`
    NO_DATA = "no_data"  # no observation or rating: score 0, but not "a = 0"

    @property
    def label_zh(self) -> str:
        return {"met": "达标", "unmet": "未达标", "rated": "已评分", "no_data": "无数据"}[self.value]


@dataclass(frozen=True, slots=True)
class ScoringItem:
    """What scoring needs of a template item, resolved against the library once per template."""

    code: str
    weight: Decimal
    target: Decimal
    direction: Direction = Direction.HIGHER
    cap: Decimal = DEFAULT_CAP
    floor: Decimal | None = None
    cumulative: bool = False
    qualitative: bool = False
    method: Method = RATIO
    pace_basis: PaceBasis = PaceBasis.WORKING


@dataclass(frozen=True, slots=True)
class ItemScore:
    """One item's result. `score` is the 60-digit value; round it only for display. `steps` (deduction)
    and `band` (bands, 0-based) say where a non-ratio item's points came from."""

    code: str
    achievement: Ratio | None
    score: Decimal
    status: ItemStatus
    capped: bool = False
    below_floor: bool = False
    perfect_zero: bool = False
    steps: int | None = None
    band: int | None = None

    @property
    def met(self) -> bool:
        return self.status is ItemStatus.MET


@dataclass(frozen=True, slots=True)
class AssessmentScore:
    """Item scores, the unrounded and the shown total (adjustments included), and the grade of the
    shown total — or the lowest grade when a veto is recorded."""

    items: tuple[ItemScore, ...]
    total_raw: Decimal
    total: Decimal
    grade: GradeBand
    exact_fallback: bool = False
    adjustments: AdjustmentSum | None = None
    veto: Veto | None = None


def scoring_items(template: KpiTemplate, library: IndicatorLibrary) -> tuple[ScoringItem, ...]:
    """Compile a (validated) template for scoring: direction and cumulativeness come from the library."""
    items = []
    for item in template.items:
        indicator = library[item.indicator_code]
        items.append(
            ScoringItem(
                item.indicator_code, item.weight, item.target, indicator.direction,
                item.cap, item.floor, indicator.cumulative, indicator.kind is Kind.QUALITATIVE, item.method,
                indicator.pace_basis,
            )
        )
    return tuple(items)


def rated_label(item: ScoringItem, actual: Actual) -> str:
    """How a rated item's row and bar read: its mean rating out of its scale, "4/5分" or "4.5/5分"."""
    return rating_label(actual.fraction(), rating_scale(item.target))


def score_assessment(
    items: Sequence[ScoringItem],
    actuals: Mapping[str, Actual | None],
    bands: GradeBands = DEFAULT_BANDS,
    lines: SheetLines = NO_LINES,
) -> AssessmentScore:
    """Score one assessment from its month actuals (absent or None = no data) and HR's lines."""
    adjusted = adjustment_sum(lines)
    try:
        with localcontext(EXACT):
            scores = tuple([_score_item(item, actuals.get(item.code)) for item in items])
        total_raw = ZERO
        for item_score in scores:
            total_raw = DIVIDE.add(total_raw, item_score.score)
        if adjusted is not None:
            total_raw = max(ZERO, DIVIDE.add(total_raw, adjusted.counted))
        if not _near_rounding_boundary(total_raw):
            total = round_half_up(total_raw, 1)
            return AssessmentScore(scores, total_raw, total, _grade(bands, total, lines), False, adjusted, lines.veto)
    except Inexact:
        pass  # a product needed more than 60 digits: do it all with Fractions
    return _score_exactly(items, actuals, bands, lines)


def _grade(bands: GradeBands, total: Decimal, lines: SheetLines) -> GradeBand:
    """The grade of the shown total; a veto sets the lowest band whatever the total."""
    return bands.lowest if lines.veto is not None else bands.grade_for(total)


def _score_item(item: ScoringItem, actual: Actual | None) -> ItemScore:
    """The fast path: Decimal products (trapped exact) and one division."""
    if actual is None:
        return ItemScore(item.code, None, ZERO, ItemStatus.NO_DATA)
    num, den = actual
    _check_actual(item, num, den)
    perfect = False
    if item.direction is Direction.HIGHER:
        a_num, a_den = num, den * item.target
    elif num == 0:
        a_num, a_den, perfect = item.cap, ONE, True
    else:
        a_num, a_den = item.target * den, num
    status = _status(item, a_num >= a_den)
    if not isinstance(item.method, ByRatio):
        return _by_method(item, actual, Ratio(a_num, a_den), a_num >= a_den)[0]
    if item.floor is not None and a_num < item.floor * a_den:
        return ItemScore(item.code, Ratio(a_num, a_den), ZERO, status, below_floor=True)
    if a_num <= 0:
        return ItemScore(item.code, Ratio(a_num, a_den), ZERO, status)
    if a_num >= item.cap * a_den:
        capped = perfect or a_num > item.cap * a_den
        return ItemScore(item.code, Ratio(a_num, a_den), item.weight * item.cap, status, capped, False, perfect)
    score = DIVIDE.divide(item.weight * a_num, a_den)
    return ItemScore(item.code, Ratio(a_num, a_den), score, status)


def _check_actual(item: ScoringItem, num: Decimal, den: Decimal) -> None:
    if not den > 0:
        raise DataInvalid(f"指标「{item.code}」的分母必须大于0", {item.code: "分母必须大于0"})
    if item.direction is Direction.LOWER and num < 0:
        raise DataInvalid(f"指标「{item.code}」越低越好，实际值不能为负数", {item.code: "实际值不能为负数"})


def _status(item: ScoringItem, reached: bool) -> ItemStatus:
    """Met or unmet by the target; a rated item is neither, whatever its rating."""
    if item.qualitative:
        return ItemStatus.RATED
    return ItemStatus.MET if reached else ItemStatus.UNMET


def _by_method(item: ScoringItem, actual: Actual, a: Ratio, reached: bool) -> tuple[ItemScore, Fraction]:
    """A deduction, bands or pass/fail item: exact points (a terminating decimal) and how they came.
    `reached` (the target, direction-aware) decides pass/fail's points, even for a rated item."""
    assert not isinstance(item.method, ByRatio), "the ratio is scored by _score_item"
    result = method_score(item.method, item.weight, item.target, item.direction, actual.fraction(), reached)
    score = ItemScore(item.code, a, to_decimal(result.score), _status(item, reached), steps=result.steps,
                      band=result.band)
    return score, result.score


def _near_rounding_boundary(total: Decimal) -> bool:
    """Whether a 60-digit total is so close to x.x5 that only exact arithmetic can round it."""
    twenty = DIVIDE.multiply(total, _TWENTY)
    nearest = twenty.to_integral_value(rounding=ROUND_HALF_EVEN, context=DIVIDE)
    odd = DIVIDE.remainder(nearest, 2) != 0
    return odd and DIVIDE.abs(DIVIDE.subtract(twenty, nearest)) < _NEAR_HALF


def _score_exactly(
    items: Sequence[ScoringItem], actuals: Mapping[str, Actual | None], bands: GradeBands, lines: SheetLines
) -> AssessmentScore:
    """The fallback: the same rules in Fractions, for boundary totals and oversized figures."""
    scores, total = [], Fraction(0)
    for item in items:
        item_score, exact = _score_item_exactly(item, actuals.get(item.code))
        scores.append(item_score)
        total += exact
    adjusted = adjustment_sum(lines)
    if adjusted is not None:
        total = max(Fraction(0), total + Fraction(adjusted.counted))
    shown = round_half_up(total, 1)
    return AssessmentScore(tuple(scores), to_decimal(total), shown, _grade(bands, shown, lines), True, adjusted,
                           lines.veto)


@overload
def achievement(item: ScoringItem, actual: Actual) -> Fraction: ...
@overload
def achievement(item: ScoringItem, actual: None) -> None: ...


def achievement(item: ScoringItem, actual: Actual | None) -> Fraction | None:
    """The exact, direction-aware a of an item (None = no data); a perfect 0 earns the cap.

    Overloaded so that a caller who already knows there is data gets a Fraction, not an Optional.
    """
    if actual is None:
        return None
    _check_actual(item, actual.num, actual.den)
    value = actual.fraction()
    if item.direction is Direction.HIGHER:
        return value / Fraction(item.target)
    return Fraction(item.cap) if value == 0 else Fraction(item.target) / value


def _score_item_exactly(item: ScoringItem, actual: Actual | None) -> tuple[ItemScore, Fraction]:
    if actual is None:
        return ItemScore(item.code, None, ZERO, ItemStatus.NO_DATA), Fraction(0)
    a = achievement(item, actual)
    perfect = item.direction is Direction.LOWER and actual.num == 0
    status = _status(item, a >= 1)
    ratio = Ratio.from_fraction(a)
    if not isinstance(item.method, ByRatio):
        return _by_method(item, actual, ratio, a >= 1)
    if item.floor is not None and a < Fraction(item.floor):
        return ItemScore(item.code, ratio, ZERO, status, below_floor=True), Fraction(0)
    if a <= 0:
        return ItemScore(item.code, ratio, ZERO, status), Fraction(0)
    cap = Fraction(item.cap)
    exact = Fraction(item.weight) * min(a, cap)
    return ItemScore(item.code, ratio, to_decimal(exact), status, a > cap or perfect, False, perfect), exact


def score_figure(item: ScoringItem, figure: Decimal) -> ItemScore:
    """How one month figure (or a rating) scores on one item: HR's preview while editing a template."""
    return score_assessment((item,), {item.code: Ratio(figure, ONE)}).items[0]
