"""The work calendar and rate table as the domain sees them, built from HR's tables."""

import json
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from app.domain.fx import FxRate as DomainFxRate
from app.domain.fx import RateTable
from app.domain.workcalendar import WorkCalendar
from app.extensions import db
from app.models import CalendarDay, Department, FxRate, LeaveRecord

HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "data" / "cn_public_holidays.json"


def load_public_holidays(path: Path = HOLIDAYS_FILE) -> int:
    """Insert the shipped public holidays and 调休 days that are not in the table yet."""
    known = set(db.session.scalars(select(CalendarDay.day)))
    added = 0
    for year in json.loads(path.read_text(encoding="utf-8"))["years"].values():
        for entry in year:
            for kind, days in (("holiday", entry["holidays"]), ("workday", entry["workdays"])):
                for raw in days:
                    day = date.fromisoformat(raw)
                    if day not in known:
                        db.session.add(CalendarDay(day=day, kind=kind, name=entry["name"]))
                        known.add(day)
                        added += 1
    db.session.flush()
    return added


def company_calendar() -> WorkCalendar:
    """Holidays and make-up days for everyone, with the default Saturday/Sunday rest days."""
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar(
        holidays=frozenset(day for day, kind in rows if kind == "holiday"),
        makeup_days=frozenset(day for day, kind in rows if kind == "workday"),
    )


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
