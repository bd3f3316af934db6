"""Scoring methods (计分方式) of a template item: how an item's month figure becomes points.

Why more than one: the ratio alone lets 74 % stock accuracy against 99.5 % earn three quarters of
the points. With these HR can say what a shortfall means:

- ratio (比例计分), the default and what the built-in templates keep: weight × min(a, cap), 0 below
  the floor (scoring.py);
- deduction (扣分制): the full weight at the target, minus `points` for every `step` short of it
  (below the target when higher is better, above it when lower is better). A started step counts as
  a whole step ("不足0.1%按0.1%计"), so an item is at full weight exactly when it is met; never below 0;
- bands (区间计分): ranges of the actual, lowest first, each worth some points. A value exactly on
  a boundary earns the better of the two bands: the upper band when higher is better, the lower
  band when lower is better — reaching a boundary counts as reaching it;
- pass/fail (达标制): the full weight when the target is met, else 0.

`met` (达标) means the target is reached under every method. Steps and bounds are in the indicator's
own units (0.001 is 0.1 % of a rate). The points of every method but the ratio are decimals and the
number of steps an integer, so these item scores are exact decimals: nothing here divides.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from typing import ClassVar

from .exact import plain
from .indicators import Direction


class MethodKind(StrEnum):
    RATIO = "ratio"
    DEDUCTION = "deduction"
    BANDS = "bands"
    PASS_FAIL = "pass_fail"

    @property
    def label_zh(self) -> str:
        return {"ratio": "比例计分", "deduction": "扣分制", "bands": "区间计分", "pass_fail": "达标制"}[self.value]


@dataclass(frozen=True)
class ByRatio:
    """Today's rule, computed in scoring.py with the item's cap and floor."""

    kind: ClassVar[MethodKind] = MethodKind.RATIO


@dataclass(frozen=True)
class Deduction:
    """扣分制: `points` off the weight for every started `step` of shortfall."""

    step: Decimal
    points: Decimal
    kind: ClassVar[MethodKind] = MethodKind.DEDUCTION


@dataclass(frozen=True)
class Band:
    """One range of the actual and its points; no `low` = open below, no `high` = open above."""

    points: Decimal
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class Bands:
    """区间计分: contiguous bands, lowest actual first (validated by `method_problems`)."""

    bands: tuple[Band, ...]
    kind: ClassVar[MethodKind] = MethodKind.BANDS


@dataclass(frozen=True)
class PassFail:
    """达标制: all or nothing."""

    kind: ClassVar[MethodKind] = MethodKind.PASS_FAIL


Method = ByRatio | Deduction | Bands | PassFail
RATIO = ByRatio()


@dataclass(frozen=True, slots=True)
class MethodResult:
    """Points of a non-ratio item, and what explains them: the steps deducted, or the band."""

    score: Fraction
    steps: int | None = None
    band: int | None = None


def method_score(method: Deduction | Bands | PassFail, weight: Decimal, target: Decimal, direction: Direction,
                 actual: Fraction, met: bool) -> MethodResult:
    """The points of one item scored by deduction, bands or pass/fail (exact)."""
    if isinstance(method, PassFail):
        return MethodResult(Fraction(weight) if met else Fraction(0))
    if isinstance(method, Deduction):
        steps = deduction_steps(method.step, target, direction, actual)
        return MethodResult(max(Fraction(0), Fraction(weight) - Fraction(method.points) * steps), steps=steps)
    index = band_index(method, direction, actual)
    return MethodResult(Fraction(method.bands[index].points), band=index)


def deduction_steps(step: Decimal, target: Decimal, direction: Direction, actual: Fraction) -> int:
    """Started steps of shortfall: 0.25 % short with a step of 0.1 % is 3 steps; at or past the target 0."""
    short = Fraction(target) - actual if direction is Direction.HIGHER else actual - Fraction(target)
    if short <= 0:
        return 0
    return -(-short // Fraction(step))  # ceiling division, exact


def band_index(method: Bands, direction: Direction, actual: Fraction) -> int:
    """The band holding `actual`; on a boundary the better band (see the module's docstring)."""
    for index, band in enumerate(method.bands):
        high = None if band.high is None else Fraction(band.high)
        if high is None or actual < high or (direction is Direction.LOWER and actual == high):
            return index
    raise AssertionError("unreachable: validated bands end with a band open above")


def method_problems(method: Method, weight: Decimal, name: str) -> list[str]:
    """Why a method's parameters are wrong, each sentence naming the item (`name`)."""
    if isinstance(method, Deduction):
        problems = []
        if not method.step > 0:
            problems.append(f"{name}的扣分步长必须大于0，当前为{plain(method.step)}")
        if not 0 < method.points <= weight:
            problems.append(f"{name}的每步扣分必须大于0且不超过权重{plain(weight)}，当前为{plain(method.points)}")
        return problems
    if isinstance(method, Bands):
        return [f"{name}的{problem}" for problem in _band_problems(method.bands, weight)]
    return []


def _band_problems(bands: tuple[Band, ...], weight: Decimal) -> list[str]:
    """Bands must cover every actual exactly once: open at both ends, each starting where the last ended."""
    if not bands:
        return ["区间计分至少需要一个区间"]
    problems = []
    for number, band in enumerate(bands, 1):
        if not 0 <= band.points <= weight:
            problems.append(f"第{number}个区间的分数必须在0到权重{plain(weight)}之间，当前为{plain(band.points)}")
        if band.low is not None and band.high is not None and not band.low < band.high:
            problems.append(f"第{number}个区间的下限必须小于上限（{plain(band.low)}至{plain(band.high)}）")
    if bands[0].low is not None:
        problems.append(f"第1个区间不能设下限，否则低于{plain(bands[0].low)}的实际值没有分数")
    if bands[-1].high is not None:
        problems.append(f"最后一个区间不能设上限，否则高于{plain(bands[-1].high)}的实际值没有分数")
    for number, (before, after) in enumerate(pairwise(bands), 2):
        problems.extend(_seam_problems(number, before, after))
    return problems


def _seam_problems(number: int, before: Band, after: Band) -> list[str]:
    """Band `number` must start exactly where band `number - 1` ends: no gap, no overlap."""
    pair = f"第{number - 1}个和第{number}个区间"
    if before.high is None or after.low is None:
        return [f"{pair}必须首尾相接：前一个区间要设上限，后一个区间要设同样的下限"]
    if after.low > before.high:
        return [f"{pair}之间有空缺（{plain(before.high)}至{plain(after.low)}）"]
    if after.low < before.high:
        return [f"{pair}重叠（{plain(after.low)}至{plain(before.high)}），区间须按实际值从低到高排列且首尾相接"]
    return []
