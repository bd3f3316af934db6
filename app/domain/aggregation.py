"""A month's actual from daily figures of record, by the indicator's aggregation rule.

Rates are the ratio of summed numerators to summed denominators — never a mean of daily rates: a
day with 10 sessions must not weigh as much as a day with 1,000. Results stay exact `Ratio`s.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, Inexact, localcontext

from .errors import DataInvalid
from .exact import EXACT, ONE, ZERO, Actual, Ratio
from .fx import RateTable
from .indicators import Aggregation, Indicator, Money, Provenance
from .observations import (
    DayFigure,
    DayObservation,
    Discrepancy,
    Rating,
    day_figures,
    discrepancies,
    figures_of_record,
)


@dataclass(frozen=True)
class MonthFigure:
    """The month's actual (None = no data), with what it was built from."""

    actual: Actual | None
    days: int  # days with a figure of record
    days_by_provenance: dict[Provenance, int]
    discrepancies: tuple[Discrepancy, ...]
    last_day: date | None


def aggregate_month(
    indicator: Indicator,
    observations: Iterable[DayObservation],
    *,
    currency: str | None = None,
    rates: RateTable | None = None,
    period: tuple[date, date] | None = None,
) -> MonthFigure:
    """Aggregate one indicator's observations of one employee over the assessment's period.

    Money is converted to `currency` (the template's) first, so a CNY self-report is compared with a
    USD figure of record in the same unit. Observations outside `period` are ignored.
    """
    kept = [o for o in observations if period is None or period[0] <= o.day <= period[1]]
    converted = [_converted(indicator, o, currency, rates) for o in kept]
    for obs in converted:
        _check_shape(indicator, obs)
    by_day = day_figures(converted)
    records = figures_of_record(by_day)
    provenance_days: dict[Provenance, int] = {}
    for record in records:
        provenance_days[record.provenance] = provenance_days.get(record.provenance, 0) + 1
    return MonthFigure(
        actual=_aggregate(indicator, records),
        days=len(records),
        days_by_provenance=provenance_days,
        discrepancies=discrepancies(by_day),
        last_day=records[-1].day if records else None,
    )


def aggregate_ratings(ratings: Iterable[Rating]) -> Actual | None:
    """The mean of the month's ratings as an exact ratio (sum / count); None when nobody rated."""
    values = [r.value for r in ratings]
    if any(v < 0 for v in values):
        raise DataInvalid("评分不能为负数", {"ratings": "评分不能为负数"})
    if not values:
        return None
    with localcontext(EXACT):
        return Ratio(sum(values, ZERO), Decimal(len(values)))


def _aggregate(indicator: Indicator, records: list[DayFigure]) -> Actual | None:
    if not records:
        return None
    try:
        with localcontext(EXACT):
            if indicator.aggregation is Aggregation.SUM:
                return Ratio(sum((r.num for r in records), ZERO), ONE)
            if indicator.aggregation is Aggregation.LATEST:
                return records[-1].value
            num = sum((r.num for r in records), ZERO)
            den = sum((ONE if r.den is None else r.den for r in records), ZERO)
    except Inexact:
        raise DataInvalid(f"指标「{indicator.name_zh}」的数值位数过多，超出精确计算范围") from None
    return Ratio(num, den) if den != 0 else None


def _check_shape(indicator: Indicator, obs: DayObservation) -> None:
    """Reject figures that cannot mean what the indicator says."""
    name, day = indicator.name_zh, obs.day.isoformat()
    if indicator.aggregation is Aggregation.RATIO:
        if obs.denominator is None:
            raise DataInvalid(f"指标「{name}」是比率，{day}的数据缺少分母", {indicator.code: day})
        if obs.numerator < 0 or obs.denominator < 0:
            raise DataInvalid(f"指标「{name}」{day}的分子分母不能为负数", {indicator.code: day})
    elif indicator.aggregation is Aggregation.SUM and obs.denominator is not None:
        raise DataInvalid(f"指标「{name}」按日累加，{day}的数据不应有分母", {indicator.code: day})


def _converted(
    indicator: Indicator, obs: DayObservation, currency: str | None, rates: RateTable | None
) -> DayObservation:
    """The observation with its money parts in the template's currency."""
    if obs.currency is None or obs.currency == currency:
        return obs
    if indicator.money is Money.NONE:
        raise DataInvalid(f"指标「{indicator.name_zh}」不是金额，数据不应带币种", {indicator.code: obs.day.isoformat()})
    if currency is None:
        raise DataInvalid("未指定考核模板的币种，无法换算", {indicator.code: obs.currency})
    table = rates or RateTable()
    num = table.convert(obs.numerator, obs.currency, currency, obs.day)
    den = obs.denominator
    if indicator.money is Money.BOTH and den is not None:
        den = table.convert(den, obs.currency, currency, obs.day)
    return DayObservation(obs.day, num, den, obs.provenance, obs.source, currency)
