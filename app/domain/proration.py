"""Partial months: pro-rated cumulative targets and the month's grade from several assessments.

An assessment covers the days the person held the position (join, leave, transfer). A cumulative
target shrinks with the days covered — calendar days for a shop's sales, working days for work the
person does (the indicator's pace basis); a rate target (conversion ≥ 5 %) does not.
The pro-rated target is rounded half-up to 2 decimals, because it is shown to the employee, who
acknowledges it (目标确认) — scoring then uses exactly the figure they saw. The figures of a cumulative
item's scoring method (a deduction's step, the bounds of bands) are in the same units as its target
and shrink with it, rounded the same way, so "每少1万元扣2分" keeps its meaning for half a month.
Personal leave does not pro-rate the target (it only moves the pace marker); HR amends a target for
long leave. A veto in any of a month's assessments makes the month's grade the lowest.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .errors import CalendarInvalid
from .exact import round_half_up
from .grades import DEFAULT_BANDS, GradeBand, GradeBands
from .indicators import PaceBasis
from .methods import Band, Bands, Deduction, Method
from .scoring import ScoringItem
from .workcalendar import WorkCalendar

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Coverage:
    """How much of the month's work an assessment spans, in working days."""

    covered: int
    month: int

    @property
    def partial(self) -> bool:
        return self.covered != self.month

    @property
    def share(self) -> Fraction:
        return Fraction(self.covered, self.month)


def coverage(calendar: WorkCalendar, period: tuple[date, date], month: tuple[date, date],
             basis: PaceBasis = PaceBasis.WORKING) -> Coverage:
    """Days of the basis in the assessment's period against those of its whole month: working days,
    or every calendar day for figures that accrue daily (a shop's sales)."""
    start, end = period
    if start > end or start < month[0] or end > month[1]:
        raise CalendarInvalid(
            f"考核期{start.isoformat()}至{end.isoformat()}必须在{month[0].isoformat()}所在月份内且起止有序",
            {"period": f"{start.isoformat()}/{end.isoformat()}"},
        )
    if basis is PaceBasis.CALENDAR:
        return Coverage((end - start).days + 1, (month[1] - month[0]).days + 1)
    month_days = calendar.working_days(*month)
    if month_days == 0:
        raise CalendarInvalid("该月没有工作日，请检查工作日历", {"calendar": month[0].isoformat()})
    return Coverage(calendar.working_days(start, end), month_days)


def prorate_target(target: Decimal, cover: Coverage) -> Decimal:
    """A cumulative target for the covered share of the month, half-up to 2 decimals (≥ 0.01)."""
    if not cover.partial:
        return target
    if cover.covered == 0:
        raise CalendarInvalid("考核期内没有工作日，无法按比例设定目标", {"period": "0"})
    return max(round_half_up(Fraction(target) * cover.share, 2), _CENT)


def prorated_items(items: Sequence[ScoringItem], covers: Mapping[PaceBasis, Coverage]) -> tuple[ScoringItem, ...]:
    """The items with cumulative targets (and their methods' figures) pro-rated by the coverage of
    their pace basis; other items unchanged."""
    return tuple(_prorated(item, covers[item.pace_basis]) if item.cumulative else item for item in items)


def _prorated(item: ScoringItem, cover: Coverage) -> ScoringItem:
    if not cover.partial:
        return item
    return replace(item, target=prorate_target(item.target, cover), method=_prorated_method(item.method, cover))


def _prorated_method(method: Method, cover: Coverage) -> Method:
    """A deduction's step (≥ 0.01, like a target) and the bounds of bands for the covered share."""
    if isinstance(method, Deduction):
        return replace(method, step=prorate_target(method.step, cover))
    if isinstance(method, Bands):
        return Bands(tuple(Band(b.points, _bound(b.low, cover), _bound(b.high, cover)) for b in method.bands))
    return method


def _bound(value: Decimal | None, cover: Coverage) -> Decimal | None:
    return None if value is None else round_half_up(Fraction(value) * cover.share, 2)


@dataclass(frozen=True)
class MonthGrade:
    """The month's total and grade from several assessments weighted by working days covered."""

    total: Decimal
    grade: GradeBand
    weights: tuple[int, ...]


def month_grade(
    parts: Sequence[tuple[Decimal, int]], bands: GradeBands = DEFAULT_BANDS, vetoed: bool = False
) -> MonthGrade:
    """Combine (shown total, working days covered) pairs; the result is rounded half-up to 1 decimal.
    `vetoed`: one of the assessments has a veto, so the month's grade is the lowest band."""
    days = sum(d for _, d in parts)
    if not parts or days <= 0 or any(d < 0 for _, d in parts):
        raise CalendarInvalid("各考核表覆盖的工作日合计必须大于0", {"parts": [d for _, d in parts]})
    weighted = sum((Fraction(total) * d for total, d in parts), Fraction(0)) / days
    total = round_half_up(weighted, 1)
    grade = bands.lowest if vetoed else bands.grade_for(total)
    return MonthGrade(total, grade, tuple(d for _, d in parts))
