"""The edge between stored time (naive UTC) and the business day (naive local time).

Convention for every notification service: `now` is a naive UTC datetime, like every stored
timestamp; the domain (deadlines, digest headers) works in naive local time of the business time
zone, and these helpers convert at the edge. Everything asks `clock_now()`, which tests replace by
setting `app.config["CLOCK"]` to a callable returning naive UTC.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.domain.deadlines import send_time
from app.domain.workcalendar import WorkCalendar
from app.extensions import db
from app.models import Department, Employee
from app.models.base import utcnow
from app.services import settings
from app.services.calendar import company_calendar, parse_weekdays


def clock_now() -> datetime:
    """Naive UTC now, or the injected clock's answer."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock is not None else utcnow()


def business_today(now: datetime | None = None) -> date:
    """Today's date in the business time zone (every clock rule counts days there)."""
    return to_local(now or clock_now()).date()


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BUSINESS_TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    """Naive UTC → naive local business time."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).replace(tzinfo=None)


def to_utc(moment: datetime) -> datetime:
    """Naive local business time → naive UTC."""
    return moment.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def calendar_for(employee_id: int, base: WorkCalendar | None = None) -> WorkCalendar:
    """The person's work calendar: the company's holidays with their department's rest days."""
    base = base or company_calendar()
    rest = db.session.scalar(
        select(Department.rest_weekdays).join(Employee, Employee.department_id == Department.id)
        .where(Employee.id == employee_id)
    )
    return base if rest is None else base.for_department(parse_weekdays(rest))


def allowed_send_time(employee_id: int, at: datetime, base: WorkCalendar | None = None) -> datetime:
    """`at` (naive UTC) moved out of the person's rest days and the quiet hours of that month, in naive UTC."""
    local = to_local(at)
    quiet = settings.of_month(local.year, local.month).quiet_hours
    return to_utc(send_time(local, calendar_for(employee_id, base), quiet))
