"""When a message may be sent and when a deadline falls, on the WorkCalendar (docs/product.md "Notifications").

Nothing is sent in quiet hours (default 21:00–08:00) or on the recipient's rest days, except
replies to what the person just asked; a deadline (appeal window, the manager's 24 h, reminders)
that falls in quiet hours or on a rest day moves to the next working morning, because nobody can
be told about it before then.

Every datetime here is naive local time in the business time zone; the services convert at their
edge. The quiet window is a parameter (start, end); it may wrap midnight (21:00–08:00) or not.
"""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from .workcalendar import WorkCalendar

QUIET_START = time(21, 0)
QUIET_END = time(8, 0)
QUIET_HOURS = (QUIET_START, QUIET_END)
MAX_DEADLINE_DAYS = 366  # a deadline walk that finds no working day this far ahead is a calendar error


def is_quiet(moment: time, quiet: tuple[time, time] = QUIET_HOURS) -> bool:
    """Whether a time of day lies in the quiet window [start, end); start == end means no quiet hours."""
    start, end = quiet
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def can_send_at(at: datetime, calendar: WorkCalendar, quiet: tuple[time, time] = QUIET_HOURS,
                leave: Collection[date] = ()) -> bool:
    """A moment on a working day (of someone with these `leave` days), outside quiet hours."""
    return calendar.is_working_day(at.date(), leave) and not is_quiet(at.time(), quiet)


def send_time(at: datetime, calendar: WorkCalendar, quiet: tuple[time, time] = QUIET_HOURS,
              leave: Collection[date] = ()) -> datetime:
    """The first moment at or after `at` when a scheduled message may go out (or a deadline may fall).

    Either `at` itself, or the next working morning at the end of quiet hours: the earliest
    quiet-end moment on a working day that is not before `at`.
    """
    if can_send_at(at, calendar, quiet, leave):
        return at
    end = quiet[1]
    day = at.date() if datetime.combine(at.date(), end) >= at else at.date() + timedelta(days=1)
    return datetime.combine(calendar.next_working_day(day, leave), end)


def deadline_after(
    start: datetime, hours: float, calendar: WorkCalendar, quiet: tuple[time, time] = QUIET_HOURS,
    leave: Collection[date] = (),
) -> datetime:
    """The moment `hours` after `start`, counting only the hours of working days.

    Decision: hours are wall-clock hours of working days (day and night), rest days do not count,
    and quiet hours are not subtracted — so "within 24 h" from Monday 10:00 is Tuesday 10:00, and
    from Friday 10:00 it is Monday 10:00. The clock starts when the person can first be told (a
    start in quiet hours or on a rest day moves to the next working morning), and an end that falls
    in quiet hours or on a rest day moves to the next working morning. A person's `leave` days
    count as their rest days.
    """
    cursor = send_time(start, calendar, quiet, leave)
    remaining = timedelta(hours=hours)
    for _ in range(MAX_DEADLINE_DAYS * 2):
        if remaining <= timedelta(0):
            return send_time(cursor, calendar, quiet, leave)
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0))
        if calendar.is_working_day(cursor.date(), leave):
            step = min(remaining, next_midnight - cursor)
            cursor, remaining = cursor + step, remaining - step
        else:
            cursor = next_midnight
    raise ValueError("deadline too far ahead for the work calendar")

