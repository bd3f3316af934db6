"""The work calendar (工作日历): which days count for pace, pro-rating, reminders and streaks.

Named workcalendar, not calendar, so it can never shadow the standard library's module.
A day is a working day when it is a 调休 make-up day (a weekend day officially worked), or else when
it is neither a public holiday nor one of the department's rest weekdays. A person's leave days are
rest days for that person only, so they are passed per call, not stored in the shared calendar.
"""

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from .errors import CalendarInvalid

WEEKEND = frozenset({6, 7})  # ISO weekdays: Monday = 1 … Sunday = 7


@dataclass(frozen=True)
class WorkCalendar:
    """Public holidays and make-up days (national), rest weekdays (per department)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_days: frozenset[date] = field(default_factory=frozenset)
    rest_weekdays: frozenset[int] = WEEKEND

    def __post_init__(self) -> None:
        clash = self.holidays & self.makeup_days
        if clash:
            days = "、".join(d.isoformat() for d in sorted(clash))
            raise CalendarInvalid(f"{days}不能既是法定假日又是调休上班日", {"calendar": days})
        if not self.rest_weekdays <= frozenset(range(1, 8)):
            raise CalendarInvalid("休息日必须是1（周一）到7（周日）", {"rest_weekdays": sorted(self.rest_weekdays)})
        if len(self.rest_weekdays) == 7:
            raise CalendarInvalid("每周至少要有一个工作日", {"rest_weekdays": sorted(self.rest_weekdays)})

    def for_department(self, rest_weekdays: Collection[int]) -> "WorkCalendar":
        """The same holidays with a department's own rest weekdays (e.g. a warehouse resting Mondays)."""
        return replace(self, rest_weekdays=frozenset(rest_weekdays))

    def is_working_day(self, day: date, leave: Collection[date] = ()) -> bool:
        """Whether `day` is worked (by someone with these `leave` days)."""
        if day in leave:
            return False
        if day in self.makeup_days:
            return True
        return day not in self.holidays and day.isoweekday() not in self.rest_weekdays

    def working_days(self, start: date, end: date, leave: Collection[date] = ()) -> int:
        """How many working days from `start` to `end`, both included (0 when end < start).

        Cached: a scoring run asks the same month of the same department's calendar thousands of times.
        """
        return _count_working_days(self, start, end, frozenset(leave))

    def working_days_list(self, start: date, end: date, leave: Collection[date] = ()) -> list[date]:
        """The working days from `start` to `end`, both included."""
        return [day for day in days_between(start, end) if self.is_working_day(day, leave)]

    def next_working_day(self, day: date, leave: Collection[date] = ()) -> date:
        """The first working day on or after `day` (deadlines that fall on a rest day move here)."""
        for offset in range(366):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate, leave):
                return candidate
        raise CalendarInvalid("一年内没有工作日，请检查工作日历", {})


@lru_cache(maxsize=4096)
def _count_working_days(calendar: WorkCalendar, start: date, end: date, leave: frozenset[date]) -> int:
    return sum(1 for day in days_between(start, end) if calendar.is_working_day(day, leave))


def days_between(start: date, end: date) -> Iterator[date]:
    """Every day from `start` to `end`, both included."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def previous_month(year: int, month: int) -> tuple[int, int]:
    """The month before (year, month): January's is last year's December."""
    return (year, month - 1) if month > 1 else (year - 1, 12)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)
