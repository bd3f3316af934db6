"""When a report's 3 days to confirm or appeal end (docs/product.md "The monthly process", step 5).

Decision: the window is 72 working-day hours (the month's appeal-window setting) from publication
on the person's WorkCalendar (app.domain.deadlines.deadline_after, the same counting as the
manager's 20/24 h), so a report published on Friday 10:00 closes on Wednesday 10:00, and an end
in quiet hours moves to the next working morning. It is worked out once, when a version is
published, and stored on the report: a later change to the holiday table (or to the setting) never
moves a window people were already shown. Every version gets its own window (a version published
by an accepted appeal can be confirmed or appealed too). Leave days count as the person's rest
days: nobody's window runs out while they are away.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.domain.deadlines import deadline_after
from app.extensions import db
from app.models import Assessment, Cycle, Employee
from app.services import settings
from app.services.business_time import to_local, to_utc
from app.services.calendar import department_calendars, leave_days

LEAVE_HORIZON = timedelta(days=400)  # covers the longest leave (maternity leave is 98–158 days)


def closes_at(assessment_ids: list[int], published_at: datetime) -> dict[int, datetime]:
    """Assessment id → the naive-UTC end of the window of a version published at `published_at`,
    as long as the month's settings say. One query and one deadline walk per department, so a
    whole month's close stays cheap."""
    if not assessment_ids:
        return {}
    rows = db.session.execute(
        select(Assessment.id, Assessment.employee_id, Assessment.cycle_id, Employee.department_id)
        .join(Employee, Employee.id == Assessment.employee_id).where(Assessment.id.in_(list(assessment_ids)))).all()
    months = {cycle.id: settings.of_cycle(cycle) for cycle in db.session.scalars(
        select(Cycle).where(Cycle.id.in_({row.cycle_id for row in rows})))}
    calendars = department_calendars()
    start = to_local(published_at)
    away = leave_days({row.employee_id for row in rows}, start.date(), (start + LEAVE_HORIZON).date())

    def end(cycle_id: int, department_id: int, leave: frozenset[date] = frozenset()) -> datetime:
        rules = months[cycle_id]
        return to_utc(deadline_after(start, rules.appeal_window_hours, calendars[department_id],
                                     rules.quiet_hours, leave))

    ends = {(row.cycle_id, row.department_id): end(row.cycle_id, row.department_id) for row in rows}
    return {row.id: end(row.cycle_id, row.department_id, away[row.employee_id]) if row.employee_id in away
            else ends[(row.cycle_id, row.department_id)] for row in rows}
