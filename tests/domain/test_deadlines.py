"""Send times and deadlines on the WorkCalendar: quiet hours 21:00–08:00 and rest days move them
to the next working morning; deadlines count the hours of working days."""

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.deadlines import (
    QUIET_HOURS,
    can_send_at,
    deadline_after,
    is_quiet,
    send_time,
)
from app.domain.workcalendar import WorkCalendar

# 2026: 中秋节 25–27 September (Fri–Sun), 国庆节 1–7 October; Sunday 20 Sept and Saturday 10 Oct worked.
HOLIDAYS = frozenset({date(2026, 9, d) for d in (25, 26, 27)} | {date(2026, 10, d) for d in range(1, 8)})
MAKEUP = frozenset({date(2026, 9, 20), date(2026, 10, 10)})
CAL = WorkCalendar(HOLIDAYS, MAKEUP)
WAREHOUSE = CAL.for_department({7})  # works Saturdays


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute)


def test_a_message_created_at_2130_waits_for_0800_the_next_working_day():
    assert at(12, 21, 30).isoweekday() == 4  # Thursday
    assert send_time(at(12, 21, 30), CAL) == at(13, 8)


def test_a_message_in_the_early_morning_goes_at_0800_the_same_day():
    assert send_time(at(13, 6, 45), CAL) == at(13, 8)


def test_quiet_hours_start_at_2100_and_end_at_0800_exactly():
    assert send_time(at(12, 20, 59), CAL) == at(12, 20, 59)
    assert send_time(at(12, 21, 0), CAL) == at(13, 8)
    assert send_time(at(13, 8, 0), CAL) == at(13, 8)


def test_a_deadline_on_a_sunday_moves_to_monday_morning():
    assert at(22, 15).isoweekday() == 7
    assert send_time(at(22, 15), CAL) == at(23, 8)


def test_friday_evening_waits_for_monday_morning():
    assert send_time(at(27, 21, 30), CAL) == at(30, 8)


def test_a_holiday_moves_it_further():
    # Wednesday 30 September 22:00: 1–7 October are holidays, so Thursday 8 October 08:00.
    assert send_time(datetime(2026, 9, 30, 22), CAL) == datetime(2026, 10, 8, 8)
    # A Sunday before the Mid-autumn weekend: Monday 28 September (the holiday ended on the 27th).
    assert send_time(datetime(2026, 9, 24, 21, 30), CAL) == datetime(2026, 9, 28, 8)


def test_a_makeup_day_is_a_working_morning():
    # Friday 9 October 21:30 → Saturday 10 October is a 调休 working day.
    assert send_time(datetime(2026, 10, 9, 21, 30), CAL) == datetime(2026, 10, 10, 8)


def test_a_department_working_saturdays_is_reached_on_saturday():
    assert send_time(at(21, 10), WAREHOUSE) == at(21, 10)
    assert send_time(at(21, 10), CAL) == at(23, 8)


def test_a_quiet_window_that_does_not_wrap_midnight():
    siesta = (time(12), time(14))
    assert is_quiet(time(13), siesta) and not is_quiet(time(14), siesta) and not is_quiet(time(11), siesta)
    assert send_time(at(12, 13), CAL, siesta) == at(12, 14)
    assert send_time(at(12, 22), CAL, siesta) == at(12, 22)


def test_equal_bounds_mean_no_quiet_hours():
    assert send_time(at(12, 3), CAL, (time(0), time(0))) == at(12, 3)


def test_the_managers_24_hours_end_the_next_day_at_the_same_time():
    assert deadline_after(at(16, 10), 24, CAL) == at(17, 10)


def test_rest_days_do_not_count_towards_a_deadline():
    # Friday 10:00 + 24 h: 14 h of Friday, then Monday from midnight → Monday 10:00.
    assert deadline_after(at(20, 10), 24, CAL) == at(23, 10)


def test_a_reminder_at_20_hours_that_falls_at_night_moves_to_the_morning():
    # Friday 10:00 + 20 h = Monday 06:00 (quiet) → Monday 08:00.
    assert deadline_after(at(20, 10), 20, CAL) == at(23, 8)


def test_the_clock_starts_when_the_person_can_first_be_told():
    # Filed Monday 22:00: counting starts Tuesday 08:00, so 24 h end Wednesday 08:00.
    assert deadline_after(at(16, 22), 24, CAL) == at(18, 8)
    # Filed on Sunday: counting starts Monday 08:00.
    assert deadline_after(at(22, 11), 24, CAL) == at(24, 8)


def test_a_deadline_skips_a_whole_holiday_week():
    # Wednesday 30 September 10:00 + 24 h: 14 h left on the 30th, the rest on Thursday 8 October.
    assert deadline_after(datetime(2026, 9, 30, 10), 24, CAL) == datetime(2026, 10, 8, 10)


def test_the_three_day_appeal_window_counts_working_days():
    # Published Friday 20 November 09:00: 72 working hours end Wednesday 25 November 09:00.
    assert deadline_after(at(20, 9), 72, CAL) == at(25, 9)


def test_zero_hours_is_just_the_send_time():
    assert deadline_after(at(22, 11), 0, CAL) == at(23, 8)


moments = st.datetimes(min_value=datetime(2026, 9, 1), max_value=datetime(2026, 12, 31))


@given(moments)
def test_a_send_time_is_allowed_not_earlier_and_stable(moment):
    moved = send_time(moment, CAL)
    assert moved >= moment
    assert can_send_at(moved, CAL)
    assert send_time(moved, CAL) == moved
    # Either nothing moved, or it moved to the very end of quiet hours (the earliest allowed moment).
    assert moved == moment or moved.time() == QUIET_HOURS[1]


@given(moments)
def test_no_allowed_moment_is_skipped(moment):
    moved = send_time(moment, CAL)
    probe = moment
    while probe < moved:  # every minute before the answer was indeed forbidden
        assert not can_send_at(probe, CAL)
        probe += timedelta(minutes=37)


@given(moments, st.integers(min_value=0, max_value=96))
def test_a_deadline_is_never_before_start_plus_hours_and_is_a_sendable_moment(start, hours):
    end = deadline_after(start, hours, CAL)
    assert end >= start + timedelta(hours=hours)
    assert can_send_at(end, CAL)
