"""Honest pace: a bar runs to the last day its figures cover, on the indicator's pace basis, and is
落后 only when behind by more than the tolerance (issue "Honest pace", docs/kpi-rules.md "Pace").

October and November 2026 with the State Council's 国庆 (1–7 October, 调休 workdays 20 September and
10 October): a seller selling exactly on target every calendar day, with figures through yesterday,
is 正常 every morning; one selling 10 % less is 落后; dispatches done evenly on working days are 正常
every day of October, 国庆 included.
"""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from app.domain.evaluation import EvaluationInput, evaluate
from app.domain.fx import RateTable
from app.domain.grades import DEFAULT_BANDS
from app.domain.indicators import (
    Aggregation,
    Direction,
    Display,
    Indicator,
    IndicatorLibrary,
    Kind,
    Money,
    PaceBasis,
)
from app.domain.observations import DayObservation
from app.domain.progress import Freshness
from app.domain.templates import KpiTemplate, TemplateItem
from app.domain.workcalendar import WorkCalendar, days_between, month_bounds

GOLDEN_WEEK = WorkCalendar(frozenset(date(2026, 10, d) for d in range(1, 8)),
                           frozenset({date(2026, 9, 20), date(2026, 10, 10)}))
SALES = Indicator("sales", "月度销售额", Kind.QUANTITATIVE, Direction.HIGHER, Aggregation.SUM, Display.MONEY,
                  cumulative=True, source="amazon_sp_api", money=Money.NUMERATOR, pace_basis=PaceBasis.CALENDAR)
DISPATCHES = Indicator("dispatches", "发货单数", Kind.QUANTITATIVE, Direction.HIGHER, Aggregation.SUM, Display.NUMBER,
                       unit="单", cumulative=True)
LIBRARY = IndicatorLibrary([SALES, DISPATCHES])


def bar(indicator: Indicator, target: int, daily: dict[date, D], month: tuple[int, int], today: date,
        fresh: Freshness | None = None) -> dict:
    """The item's bar on the morning of `today`, the figures running through yesterday."""
    first, last = month_bounds(*month)
    template = KpiTemplate("p", "岗位", "USD", (TemplateItem(indicator.code, D(100), D(target)),))
    observations = [DayObservation(day, value, source=indicator.source) for day, value in daily.items()
                    if day < today]
    yesterday = today - timedelta(days=1)
    given = EvaluationInput(
        template=template, library=LIBRARY, month=(first, last), period=(first, last), calendar=GOLDEN_WEEK,
        leave=frozenset(), rates=RateTable(), bands=DEFAULT_BANDS, mode="projection", as_of=today,
        actuals={}, observations={indicator.code: observations}, ratings={}, last_month={},
        freshness={indicator.code: fresh or Freshness(yesterday)})
    return evaluate(given).progress[indicator.code]


def every_day(month: tuple[int, int], per_day: D) -> dict[date, D]:
    return {day: per_day for day in days_between(*month_bounds(*month))}


@pytest.mark.parametrize("month", [(2026, 10), (2026, 11)])
def test_a_seller_on_target_every_calendar_day_is_never_behind(month):
    days = month_bounds(*month)[1].day
    on_target, short = every_day(month, D(1000)), every_day(month, D(900))
    for today in days_between(date(*month, 2), month_bounds(*month)[1]):
        assert bar(SALES, 1000 * days, on_target, month, today).state_label_zh == "正常", today
        assert bar(SALES, 1000 * days, short, month, today).state_label_zh == "落后", today


def test_dispatches_done_evenly_on_working_days_are_on_pace_through_the_golden_week():
    october = month_bounds(2026, 10)
    worked = [day for day in days_between(*october) if GOLDEN_WEEK.is_working_day(day)]
    daily = {day: D(50) for day in worked}
    for today in days_between(date(2026, 10, 2), october[1]):
        assert bar(DISPATCHES, 50 * len(worked), daily, (2026, 10), today).state_label_zh == "正常", today


def test_the_bar_says_through_which_day_and_a_source_behind_keeps_its_pace_on_the_last_day_covered():
    daily = every_day((2026, 11), D(1000))
    fresh = bar(SALES, 30000, daily, (2026, 11), date(2026, 11, 20))
    assert (fresh.fresh.through_label_zh, fresh.fresh.stale_label_zh, fresh.pace_label_zh) == (
        "截至11月19日", None, "进度应达63%")  # 19 of 30 days
    stale = bar(SALES, 30000, {d: v for d, v in daily.items() if d <= date(2026, 11, 17)}, (2026, 11),
                date(2026, 11, 20), Freshness(date(2026, 11, 17), stale=True))
    assert (stale.fresh.through_label_zh, stale.fresh.stale_label_zh) == ("截至11月17日", "数据未更新")
    assert stale.pace_label_zh == "进度应达56%" and stale.state_label_zh == "正常"  # 17 of 30: no false alarm


def test_within_the_tolerance_is_on_pace_beyond_it_is_behind():
    november = (2026, 11)
    slightly_short = every_day(november, D(960))  # 4 % short: inside the default 5 %
    assert bar(SALES, 30000, slightly_short, november, date(2026, 11, 20)).state_label_zh == "正常"
    assert bar(SALES, 30000, every_day(november, D(940)), november, date(2026, 11, 20)).state_label_zh == "落后"
