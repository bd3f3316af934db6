"""Daily observations (数据) and ratings (评分), the figure of record, and 数据不一致.

Per day the highest provenance present wins (verified > imported > self-reported); several
observations of that provenance on one day are parts of the day (two shops, several ASINs) and add
up. A self-report that differs from a higher-provenance figure of record for the same day by more
than 5 % is a discrepancy the manager is told about — it never changes the figure of record.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction

from .errors import DataInvalid
from .exact import EXACT, ONE, ZERO, Ratio
from .indicators import Provenance
from .templates import Rater

DISCREPANCY_SHARE = Fraction(5, 100)


@dataclass(frozen=True)
class DayObservation:
    """One day's figure: `numerator` alone for counts and money, with `denominator` for rates.
    `currency` is set when the money parts are not in the template's currency."""

    day: date
    numerator: Decimal
    denominator: Decimal | None = None
    provenance: Provenance = Provenance.SELF_REPORTED
    source: str = ""
    currency: str | None = None


@dataclass(frozen=True)
class Rating:
    """A qualitative score (1–5 on the default scale) by a manager, customer or peer."""

    value: Decimal
    rater: Rater | None = None
    day: date | None = None


@dataclass(frozen=True)
class DayFigure:
    """The combined observations of one provenance on one day."""

    day: date
    num: Decimal
    den: Decimal | None
    provenance: Provenance

    @property
    def value(self) -> Ratio | None:
        """The day's value as an exact ratio, or None when its denominator is 0 (nothing measured)."""
        if self.den is None:
            return Ratio(self.num, ONE)
        return Ratio(self.num, self.den) if self.den != 0 else None


@dataclass(frozen=True)
class Discrepancy:
    """A self-report that differs from the day's figure of record by more than 5 %."""

    day: date
    reported: DayFigure
    record: DayFigure
    difference: Fraction | None  # |reported − record| / |record|; None when the record is 0


def day_figures(observations: Iterable[DayObservation]) -> dict[date, dict[Provenance, DayFigure]]:
    """Each day's observations combined per provenance, days in order."""
    parts: dict[date, dict[Provenance, list[DayObservation]]] = {}
    for obs in observations:
        parts.setdefault(obs.day, {}).setdefault(obs.provenance, []).append(obs)
    return {day: {p: _combine(day, p, obs) for p, obs in parts[day].items()} for day in sorted(parts)}


def figures_of_record(by_day: dict[date, dict[Provenance, DayFigure]]) -> list[DayFigure]:
    """The highest-provenance figure of each day, days in order."""
    return [_record(figures) for figures in by_day.values()]


def _record(figures: dict[Provenance, DayFigure]) -> DayFigure:
    if len(figures) == 1:  # the usual day: one source
        return next(iter(figures.values()))
    return max(figures.values(), key=lambda f: f.provenance.rank)


def discrepancies(by_day: dict[date, dict[Provenance, DayFigure]]) -> tuple[Discrepancy, ...]:
    """Self-reports that differ from a better figure of record for their day by more than 5 %."""
    found = []
    for day, figures in by_day.items():
        reported = figures.get(Provenance.SELF_REPORTED)
        if reported is None or len(figures) == 1:
            continue
        record = _record(figures)
        mine, theirs = reported.value, record.value
        if mine is None or theirs is None:
            continue
        difference = _relative_difference(mine.fraction(), theirs.fraction())
        if difference is None or difference > DISCREPANCY_SHARE:
            found.append(Discrepancy(day, reported, record, difference))
    return tuple(found)


def _relative_difference(reported: Fraction, record: Fraction) -> Fraction | None:
    """|reported − record| / |record|; None (infinitely different) when only the record is 0."""
    if record == 0:
        return Fraction(0) if reported == 0 else None
    return abs(reported - record) / abs(record)


def _combine(day: date, provenance: Provenance, observations: list[DayObservation]) -> DayFigure:
    if len(observations) == 1:  # the usual case: nothing to add up
        only = observations[0]
        return DayFigure(day, only.numerator, only.denominator, provenance)
    dens = [o.denominator for o in observations if o.denominator is not None]
    if 0 < len(dens) < len(observations):  # some with a denominator, some without
        raise DataInvalid(f"{day.isoformat()}的数据有的带分母、有的不带，无法合并", {"day": day.isoformat()})
    try:
        with localcontext(EXACT):
            num = sum((o.numerator for o in observations), ZERO)
            den = sum(dens, ZERO) if dens else None
    except Inexact:
        raise DataInvalid("数值位数过多，超出精确计算范围", {"day": day.isoformat()}) from None
    return DayFigure(day, num, den, provenance)
