"""The work calendar and rate table as the domain sees them, built from HR's tables; the years of
the calendar (docs/product.md "Calendar years", rules in app.domain.calendar_years).

Each year is recorded once (model CalendarYear): a year of the shipped State Council table
(app/data/cn_public_holidays.json) as confirmed, any later year as provisional, with the public
holidays of the `holidays` library and no 调休 make-up working day at all. Recording is idempotent
and never overwrites what HR imported or confirmed: the only year that ever gives way is a
provisional library year nobody confirmed, when a release ships the State Council's table for it.
The clock records this year and next every day (app.services.org.calendar_years); a year nobody
has recorded yet is read the same way in memory (`company_calendar`), so no date ever falls in a
calendar without its public holidays — 春节 is never a working day for want of a record.

Decision — the library's observed days (补假, e.g. 2027-02-09 and 02-10 for the 春节 days that
fall on Saturday 6 and Sunday 7 February) count as holidays. The law requires them: a public
holiday that falls on a Saturday or Sunday is made up on a working day (《全国年节及纪念日放假办法》),
so the number of days off is certain and only their place is a guess; the library puts them on the
next working days, next to the festival, where the State Council's schedule puts them too. A wrong
guess errs on the safe side: a day that turns out to be worked only loses an evening reminder and
lengthens a deadline by a day, while a missing day off would remind people on their holiday, break
their streaks and let an appeal window (where silence counts as 认可) run out during the festival.
The library's working days (its 调休 substitutes of years it knows the notice of) are never taken.
"""

import json
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays as holiday_library
from holidays.constants import PUBLIC
from sqlalchemy import delete, select

from app.domain.calendar_years import LAST_YEAR, NAME_LENGTH, Source, YearDays, read_years
from app.domain.fx import FxRate as DomainFxRate
from app.domain.fx import RateTable
from app.domain.workcalendar import WorkCalendar
from app.extensions import db
from app.models import CalendarDay, CalendarYear, Department, FxRate, LeaveRecord
from app.models.base import utcnow

HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "data" / "cn_public_holidays.json"


@lru_cache(maxsize=4)
def _shipped(path: Path) -> dict[int, YearDays]:
    """The State Council's years shipped with the product, checked like a file HR imports."""
    return {year.year: year for year in read_years(json.loads(path.read_text(encoding="utf-8")))}


def _provisional(year: int) -> YearDays:
    """The `holidays` library's public holidays of China in `year`, observed days included (see the
    module's decision), named as the library names them in Chinese; never a working day."""
    return _library().get(year) or YearDays(year, {}, {})


SWAPPED = "调休"  # how the library names a day off swapped for a make-up working day


@lru_cache(maxsize=1)
def _library() -> dict[int, YearDays]:
    """Every later year the library knows, read once per process (one call is ten times faster
    than one a year)."""
    found = holiday_library.country_holidays("CN", years=range(min(_shipped(HOLIDAYS_FILE)) + 1, LAST_YEAR + 1),
                                             language="zh_CN", categories=(PUBLIC,))
    years: dict[int, dict[date, str]] = {}
    for day, name in public_days_off(found.items()):
        years.setdefault(day.year, {})[day] = name[:NAME_LENGTH]
    return {year: YearDays(year, named, {}) for year, named in years.items()}


def public_days_off(days: Iterable[tuple[date, str]]) -> list[tuple[date, str]]:
    """The library's days off a provisional year keeps: public holidays and their observed days, not
    the days off it swaps for a 调休 working day ("休息日（由 2026-01-04 调休）") — a provisional year
    takes no make-up working day, so it must not take the day off bought with one either."""
    return [(day, name) for day, name in sorted(days) if SWAPPED not in name]


def default_days(year: int, path: Path = HOLIDAYS_FILE) -> tuple[Source, YearDays] | None:
    """What a year nobody imported is: the shipped State Council table, or for a later year the
    library's provisional holidays; None before the first shipped year (HR imports those)."""
    shipped = _shipped(path)
    if year in shipped:
        return Source.STATE_COUNCIL, shipped[year]
    if min(shipped) < year <= LAST_YEAR:
        return Source.LIBRARY, _provisional(year)
    return None


def load_public_holidays(path: Path = HOLIDAYS_FILE) -> int:
    """Record the shipped State Council years (confirmed) in the caller's transaction; returns the
    days added. A year already recorded is left alone, except a provisional library year nobody
    confirmed, which the State Council's table replaces. Days loaded before years were recorded
    are kept."""
    added = 0
    for year, days in _shipped(path).items():
        row = db.session.scalar(select(CalendarYear).where(CalendarYear.year == year))
        if row is not None and (row.source != Source.LIBRARY or row.confirmed):
            continue
        if row is None:
            row = CalendarYear(year=year)
            db.session.add(row)
        else:
            replace_days(YearDays(year, {}, {}))
        row.source, row.confirmed, row.confirmed_at = Source.STATE_COUNCIL, True, utcnow()
        added += _add_days(days)
    db.session.flush()
    return added


def record_year(year: int) -> CalendarYear | None:
    """The year's record, made from its default (`default_days`) in the caller's transaction when
    nobody recorded it yet; None for a year without a default that nobody imported."""
    row = db.session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    if row is not None:
        return row
    default = default_days(year)
    if default is None:
        return None
    source, days = default
    row = CalendarYear(year=year, source=source, confirmed=source == Source.STATE_COUNCIL,
                       confirmed_at=utcnow() if source == Source.STATE_COUNCIL else None)
    db.session.add(row)
    _add_days(days)
    db.session.flush()
    return row


def replace_days(days: YearDays) -> None:
    """The year's holidays and make-up days become exactly `days`, in the caller's transaction."""
    first, last = date(days.year, 1, 1), date(days.year, 12, 31)
    db.session.execute(delete(CalendarDay).where(CalendarDay.day.between(first, last)))
    _add_days(days)
    db.session.flush()


def _add_days(days: YearDays) -> int:
    """Add the year's days that are not in the table yet (the table allows one row a day)."""
    first, last = date(days.year, 1, 1), date(days.year, 12, 31)
    known = set(db.session.scalars(select(CalendarDay.day).where(CalendarDay.day.between(first, last))))
    added = 0
    for kind, named in (("holiday", days.holidays), ("workday", days.workdays)):
        for day, name in sorted(named.items()):
            if day not in known:
                db.session.add(CalendarDay(day=day, kind=kind, name=name))
                known.add(day)
                added += 1
    return added


def year_days(year: int) -> tuple[CalendarYear | None, Source | None, YearDays]:
    """A year as the calendar reads it: its record (None until recorded), where its days come from
    (None when it has none: before the shipped table and never imported) and the days."""
    row = db.session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    if row is None:
        default = default_days(year)
        return (None, *default) if default else (None, None, YearDays(year, {}, {}))
    first, last = date(year, 1, 1), date(year, 12, 31)
    stored = db.session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)
                                .where(CalendarDay.day.between(first, last))).all()
    return row, Source(row.source), YearDays(year, {day: name for day, kind, name in stored if kind == "holiday"},
                                             {day: name for day, kind, name in stored if kind == "workday"})


def company_calendar() -> WorkCalendar:
    """Holidays and make-up days for everyone, with the default Saturday/Sunday rest days: the
    stored days, and the default of every year without one (not recorded yet: every recorded year
    has days, as every import, shipped year and library year has a holiday). One query."""
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    extra_holidays, extra_workdays = _unrecorded_defaults(frozenset(day.year for day, _ in rows))
    return WorkCalendar(
        holidays=frozenset(day for day, kind in rows if kind == "holiday") | extra_holidays,
        makeup_days=frozenset(day for day, kind in rows if kind == "workday") | extra_workdays,
    )


@lru_cache(maxsize=8)
def _unrecorded_defaults(stored: frozenset[int]) -> tuple[frozenset[date], frozenset[date]]:
    """The default holidays and make-up days of every year without stored days, up to LAST_YEAR."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    for year in range(min(_shipped(HOLIDAYS_FILE)), LAST_YEAR + 1):
        default = None if year in stored else default_days(year)
        if default is not None:
            holidays |= default[1].holidays.keys()
            workdays |= default[1].workdays.keys()
    return frozenset(holidays), frozenset(workdays)


def department_calendars(base: WorkCalendar | None = None) -> dict[int, WorkCalendar]:
    """Each department's calendar: the company's holidays with the department's own rest days."""
    base = base or company_calendar()
    return {
        dept_id: base.for_department(parse_weekdays(rest))
        for dept_id, rest in db.session.execute(select(Department.id, Department.rest_weekdays))
    }


def parse_weekdays(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part.strip())


def leave_days(employee_ids: Iterable[int], first: date, last: date) -> dict[int, frozenset[date]]:
    """Each employee's leave days between `first` and `last`."""
    rows = db.session.execute(
        select(LeaveRecord.employee_id, LeaveRecord.first_day, LeaveRecord.last_day).where(
            LeaveRecord.employee_id.in_(list(employee_ids)),
            LeaveRecord.first_day <= last,
            LeaveRecord.last_day >= first,
        )
    )
    days: dict[int, set[date]] = {}
    for employee_id, start, end in rows:
        day = max(start, first)
        while day <= min(end, last):
            days.setdefault(employee_id, set()).add(day)
            day += timedelta(days=1)
    return {employee_id: frozenset(d) for employee_id, d in days.items()}


def rate_table(months: list[str]) -> RateTable:
    """HR's monthly currency rates for the given YYYY-MM months."""
    rows = db.session.scalars(select(FxRate).where(FxRate.month.in_(months)))
    return RateTable(DomainFxRate(r.currency, r.target_currency, r.month, r.rate) for r in rows)
