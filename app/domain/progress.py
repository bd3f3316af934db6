"""Progress bars (进度) and pace (进度标记) while the month runs.

The bar shows the direction-aware achievement so far, so a mis-shipment rate of 0.05 % against
≤ 0.1 % is ahead (a = 2), not "5 % done". Only cumulative indicators have a pace marker: the share
of the target expected by the last day the figures cover (`through`: a synced figure arrives the
day after, so a bar that counted today would call everyone behind every morning), counted in the
indicator's pace basis — every calendar day for a shop's sales, the person's working days for their
own work (holidays, 调休 make-up days, rest days and their own leave respected). A cumulative bar is
落后 only when behind its pace by more than the tolerance (a company setting, 5 % of the expected
figure by default). A rate is judged against its target at any time. A bar whose source has not
synced yesterday says so (数据未更新) and keeps its pace on the last day covered.
A rated item's bar shows its rating out of its scale ("4/5分"): a rating is not a target, so it is
never ahead or behind, and never red.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from .exact import Actual, round_half_up
from .formatting import completion_label, percent_floor
from .indicators import PaceBasis
from .scoring import ScoringItem, achievement, rated_label
from .workcalendar import WorkCalendar

PACE_TOLERANCE = Fraction(5, 100)  # the default: 5 % short of the expected figure is still on pace


class BarState(StrEnum):
    AHEAD = "ahead"  # at or beyond the target (rates) or the pace (cumulative)
    BEHIND = "behind"  # shown red
    RATED = "rated"  # a rating: neither ahead nor behind; the bar's label says it ("4/5分")
    NO_DATA = "no_data"

    @property
    def label_zh(self) -> str:
        return {"ahead": "正常", "behind": "落后", "rated": "已评分", "no_data": "暂无数据"}[self.value]


@dataclass(frozen=True)
class Freshness:
    """Which day an item's figures run to, and whether its source is behind (数据未更新)."""

    through: date | None = None
    stale: bool = False

    @property
    def through_label_zh(self) -> str | None:
        """"截至11月19日": the day the bar's figures run to."""
        return None if self.through is None else f"截至{self.through.month}月{self.through.day}日"

    @property
    def stale_label_zh(self) -> str | None:
        return "数据未更新" if self.stale else None


@dataclass(frozen=True)
class ItemProgress:
    """One item's bar: exact a, the bar's fill (0–1), its label, and the pace marker if cumulative."""

    code: str
    achievement: Fraction | None
    fill: Decimal
    label_zh: str
    state: BarState
    pace: Fraction | None = None
    pace_label_zh: str | None = None
    fresh: Freshness | None = None  # which day the figures run to (quantitative items)

    @property
    def state_label_zh(self) -> str:
        """正常 / 落后 / 暂无数据; a rated bar is labelled with its rating, which is neither."""
        return self.label_zh if self.state is BarState.RATED else self.state.label_zh

    def behind_pace_by_more_than(self, share: Fraction) -> bool:
        """Whether a cumulative item is behind its pace by more than `share` of it (the 20 % nudge)."""
        if self.state is not BarState.BEHIND or self.pace is None or self.achievement is None:
            return False
        return self.achievement < self.pace * (1 - share)


@dataclass(frozen=True)
class Pace:
    """Days of the pace basis elapsed and in total, for the pace marker."""

    elapsed: int
    total: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.elapsed, self.total) if self.total else None


def pace(
    calendar: WorkCalendar, period: tuple[date, date], through: date, leave: Collection[date] = (),
    basis: PaceBasis = PaceBasis.WORKING,
) -> Pace:
    """Days from the period's start through `through` (both included) out of the period's: working
    days of the person (their leave excluded), or every calendar day."""
    start, end = period
    if basis is PaceBasis.CALENDAR:
        return Pace(max(0, (min(through, end) - start).days + 1), (end - start).days + 1)
    elapsed = calendar.working_days(start, min(through, end), leave) if through >= start else 0
    return Pace(elapsed, calendar.working_days(start, end, leave))


def item_progress(item: ScoringItem, actual: Actual | None, pace_share: Fraction | None = None,
                  tolerance: Fraction = Fraction(0), fresh: Freshness = Freshness()) -> ItemProgress:
    """The bar of one item; `pace_share` (and the tolerance) are used only for cumulative items."""
    marker = pace_share if item.cumulative else None
    if actual is None:  # nothing yet: on pace while nothing was due (the month began with a holiday)
        state = BarState.AHEAD if marker == 0 else BarState.NO_DATA
        return ItemProgress(item.code, None, Decimal(0), completion_label(None), state, marker,
                            _pace_label(marker), None if item.qualitative else fresh)
    a = achievement(item, actual)
    fill = round_half_up(min(max(a, Fraction(0)), Fraction(1)), 4)
    if item.qualitative:
        return ItemProgress(item.code, a, fill, rated_label(item, actual), BarState.RATED)
    expected = Fraction(1) if marker is None else marker * (1 - tolerance)
    state = BarState.AHEAD if a >= expected else BarState.BEHIND
    return ItemProgress(item.code, a, fill, completion_label(a), state, marker, _pace_label(marker), fresh)


def _pace_label(marker: Fraction | None) -> str | None:
    return None if marker is None else "进度应达" + percent_floor(marker)
