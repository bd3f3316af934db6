"""Working days: public holidays, 调休 make-up days, department rest days and personal leave."""

from datetime import date

import pytest

from app.domain.errors import CalendarInvalid
from app.domain.workcalendar import WorkCalendar, month_bounds

# National Day 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked (调休).
HOLIDAYS = frozenset(date(2025, 10, d) for d in range(1, 9))
MAKEUP = frozenset({date(2025, 9, 28), date(2025, 10, 11)})
CAL = WorkCalendar(HOLIDAYS, MAKEUP)


def test_a_public_holiday_on_a_weekday_is_not_worked():
    assert not CAL.is_working_day(date(2025, 10, 1))  # Wednesday


def test_a_makeup_saturday_is_worked():
    assert date(2025, 10, 11).isoweekday() == 6
    assert CAL.is_working_day(date(2025, 10, 11))
    assert not CAL.is_working_day(date(2025, 10, 18))  # an ordinary Saturday


def test_october_2025_has_18_working_days_with_the_holiday_and_the_makeup_day():
    assert CAL.working_days(*month_bounds(2025, 10)) == 18
    assert WorkCalendar().working_days(*month_bounds(2025, 10)) == 23


def test_leave_days_are_rest_days_for_that_person_only():
    leave = {date(2025, 10, 20), date(2025, 10, 21)}
    assert not CAL.is_working_day(date(2025, 10, 20), leave)
    assert CAL.working_days(*month_bounds(2025, 10), leave=leave) == 16
    assert CAL.is_working_day(date(2025, 10, 20))


def test_a_department_resting_on_sunday_and_monday():
    warehouse = CAL.for_department({1, 7})
    assert warehouse.is_working_day(date(2025, 10, 18))  # Saturday
    assert not warehouse.is_working_day(date(2025, 10, 13))  # Monday
    assert warehouse.holidays == HOLIDAYS


def test_working_days_list_and_next_working_day():
    assert CAL.working_days_list(date(2025, 10, 7), date(2025, 10, 12)) == [
        date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 11)]
    assert CAL.next_working_day(date(2025, 10, 1)) == date(2025, 10, 9)
    assert CAL.working_days(date(2025, 10, 5), date(2025, 10, 4)) == 0


def test_contradictory_calendars_are_refused():
    with pytest.raises(CalendarInvalid):
        WorkCalendar(frozenset({date(2025, 10, 11)}), frozenset({date(2025, 10, 11)}))
    with pytest.raises(CalendarInvalid):
        WorkCalendar(rest_weekdays=frozenset({0}))
    with pytest.raises(CalendarInvalid):
        WorkCalendar(rest_weekdays=frozenset(range(1, 8)))


def test_month_bounds_handles_december():
    assert month_bounds(2025, 12) == (date(2025, 12, 1), date(2025, 12, 31))
    assert month_bounds(2024, 2)[1] == date(2024, 2, 29)
