"""Progress bars and the pace marker of cumulative indicators."""

from datetime import date
from decimal import Decimal as D
from fractions import Fraction

from app.domain.exact import Ratio
from app.domain.indicators import Direction
from app.domain.progress import BarState, item_progress, pace
from app.domain.scoring import ScoringItem
from app.domain.workcalendar import WorkCalendar, month_bounds

OCTOBER = month_bounds(2025, 10)
CAL = WorkCalendar(frozenset(date(2025, 10, d) for d in range(1, 9)), frozenset({date(2025, 10, 11)}))
CONVERSION = ScoringItem("conv", D(20), D("0.05"))
MISSHIP = ScoringItem("mis", D(30), D("0.001"), Direction.LOWER)
SALES = ScoringItem("sales", D(30), D(100000), cumulative=True)
TEAMWORK = ScoringItem("tw", D(15), D(5), qualitative=True)  # rated 1–5 by the manager


def test_conversion_4_percent_against_5_percent_shows_done_80_percent():
    bar = item_progress(CONVERSION, Ratio(D(40), D(1000)))
    assert bar.label_zh == "完成80%"
    assert bar.fill == D("0.8") and bar.state is BarState.BEHIND
    assert bar.pace is None  # a rate has no pace marker


def test_a_low_mis_shipment_rate_is_ahead_not_behind():
    bar = item_progress(MISSHIP, Ratio(D(5), D(10000)))  # 0.05 % against ≤ 0.1 %
    assert bar.state is BarState.AHEAD
    assert bar.achievement == 2 and bar.fill == D(1)
    assert bar.label_zh == "完成200%"


def test_labels_round_down_so_unmet_never_reads_100_percent():
    assert item_progress(CONVERSION, Ratio(D(4998), D(100000))).label_zh == "完成99%"


def test_pace_counts_working_days_across_a_holiday_and_a_makeup_saturday():
    worked = pace(CAL, OCTOBER, date(2025, 10, 15))
    # 9, 10, 11 (调休 Saturday), 13, 14, 15 of 18 working days; 1–8 October are holidays
    assert (worked.elapsed, worked.total) == (6, 18)
    assert worked.share == Fraction(1, 3)
    naive = pace(WorkCalendar(), OCTOBER, date(2025, 10, 15))
    assert naive.share == Fraction(11, 23)


def test_sales_behind_or_ahead_of_pace():
    share = pace(CAL, OCTOBER, date(2025, 10, 15)).share
    behind = item_progress(SALES, Ratio.of(30000), share)
    ahead = item_progress(SALES, Ratio.of(34000), share)
    assert behind.state is BarState.BEHIND and ahead.state is BarState.AHEAD
    assert behind.pace_label_zh == "进度应达33%"
    assert not behind.behind_pace_by_more_than(Fraction(1, 5))
    assert item_progress(SALES, Ratio.of(26000), share).behind_pace_by_more_than(Fraction(1, 5))


def test_leave_moves_the_pace_marker():
    leave = {date(2025, 10, 13), date(2025, 10, 14)}
    worked = pace(CAL, OCTOBER, date(2025, 10, 15), leave)
    assert (worked.elapsed, worked.total) == (4, 16)


def test_pace_before_the_period_and_after_it():
    assert pace(CAL, OCTOBER, date(2025, 9, 30)).elapsed == 0
    assert pace(CAL, OCTOBER, date(2025, 11, 3)).share == 1
    assert pace(CAL, (date(2025, 10, 1), date(2025, 10, 8)), date(2025, 10, 5)).share is None


def test_no_data_bar():
    bar = item_progress(SALES, None, Fraction(1, 2))
    assert bar.state is BarState.NO_DATA and bar.label_zh == "暂无数据"
    assert not bar.behind_pace_by_more_than(Fraction(1, 5))


def test_a_rating_is_shown_as_the_rating_out_of_its_scale_never_behind():
    four = item_progress(TEAMWORK, Ratio.of(4), Fraction(1, 2))
    assert (four.label_zh, four.state.value, four.fill, four.pace) == ("4/5分", "rated", D("0.8"), None)
    assert item_progress(TEAMWORK, Ratio(D(9), D(2))).label_zh == "4.5/5分"  # the mean of 4 and 5
    assert item_progress(TEAMWORK, None).state is BarState.NO_DATA  # not rated yet: no data, as before
