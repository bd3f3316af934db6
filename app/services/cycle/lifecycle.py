"""The cycle's life: draft (targets adjustable) → open (assessments frozen) → … → final.

Drafting copies every eligible employee's position template into an assessment; opening freezes
them (later target changes are audited amendments). Finalising happens once every report is
confirmed (or counted as confirmed) and no appeal is open; it proposes the outcomes.
"""

from datetime import date, datetime

from sqlalchemy import func, or_, select

from app.domain.cycles import CycleStatus, advance
from app.domain.workcalendar import month_bounds
from app.extensions import db
from app.models import (
    Appeal,
    Assessment,
    AssessmentItem,
    Cycle,
    Employee,
    KpiTemplate,
    Report,
)
from app.services import audit, settings
from app.services.business_time import clock_now
from app.services.cycle import outcomes
from app.services.scoring import reports
from app.services.usecase import use_case


@use_case
def draft_cycle(year: int, month: int) -> Cycle:
    """The month's cycle, created as a draft with an assessment for everyone eligible. Run again
    (daily from the draft day, and at opening) it follows the roster: who left or moved since loses
    their drafted assessment, a new leaving date trims it, newcomers get one; HR's drafted target
    changes stay on the assessments that remain."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == year, Cycle.month == month))
    if cycle is None:
        cycle = Cycle(year=year, month=month, status=CycleStatus.DRAFT.value)
        db.session.add(cycle)
        db.session.flush()
    if cycle.status == CycleStatus.DRAFT:
        eligible = _eligible(cycle)
        changes = {**_follow_roster(cycle, eligible), "assessments_added": _add_assessments(cycle, eligible)}
        if any(changes.values()):
            audit.record("cycle.draft", "cycle", cycle.id, source="clock", after=changes)
    db.session.commit()
    return cycle


def _eligible(cycle: Cycle) -> dict[int, Employee]:
    """Active employees with a position who work some day of the month."""
    first, last = month_bounds(cycle.year, cycle.month)
    return {person.id: person for person in db.session.scalars(select(Employee).where(
        Employee.status == "active", Employee.position_id.is_not(None), Employee.joined_on <= last,
        or_(Employee.left_on.is_(None), Employee.left_on >= first)))}


def _period(cycle: Cycle, person: Employee) -> tuple[date, date]:
    first, last = month_bounds(cycle.year, cycle.month)
    return max(first, person.joined_on), min(last, person.left_on or last)


def _follow_roster(cycle: Cycle, eligible: dict[int, Employee]) -> dict[str, int]:
    """Drop drafted assessments of people who are gone or hold another position now; re-date the rest."""
    removed = trimmed = 0
    for assessment in db.session.scalars(select(Assessment).where(Assessment.cycle_id == cycle.id)).all():
        person = eligible.get(assessment.employee_id)
        if person is None or person.position_id != assessment.position_id:
            db.session.delete(assessment)
            removed += 1
        elif (assessment.first_day, assessment.last_day) != _period(cycle, person):
            assessment.first_day, assessment.last_day = _period(cycle, person)
            trimmed += 1
    db.session.flush()
    return {"assessments_removed": removed, "assessments_redated": trimmed}


def _add_assessments(cycle: Cycle, eligible: dict[int, Employee]) -> int:
    """One assessment per eligible employee whose position has a template, for the days they work."""
    templates = {t.position_id: t for t in db.session.scalars(select(KpiTemplate))}
    have = set(db.session.scalars(select(Assessment.employee_id).where(Assessment.cycle_id == cycle.id)))
    added = 0
    for person in eligible.values():
        template = templates.get(person.position_id) if person.position_id is not None else None
        if template is None or person.id in have:
            continue
        db.session.add(_from_template(cycle, person.id, template, _period(cycle, person)))
        added += 1
    return added


def assessment_from_template(cycle: Cycle, employee_id: int, position_id: int,
                             period: tuple[date, date]) -> Assessment | None:
    """A new assessment of the person from the position's template for `period` (a joiner after the
    month opened, the second half of a transfer), not yet added to the session; None when the
    position has no template."""
    template = db.session.scalar(select(KpiTemplate).where(KpiTemplate.position_id == position_id))
    return None if template is None else _from_template(cycle, employee_id, template, period)


def _from_template(cycle: Cycle, employee_id: int, template: KpiTemplate, period: tuple[date, date]) -> Assessment:
    return Assessment(
        cycle_id=cycle.id, employee_id=employee_id, position_id=template.position_id,
        first_day=period[0], last_day=period[1], currency=template.currency,
        items=[AssessmentItem(indicator_code=item.indicator.code, sort=item.sort, weight=item.weight,
                              target=item.target, cap=item.cap, floor=item.floor, rater=item.rater,
                              method=item.method)
               for item in template.items],
    )


@use_case
def open_cycle(year: int, month: int, *, now: datetime | None = None) -> Cycle:
    """Open the month (day 1, 09:00): assessments and the company settings freeze, and targets go
    out. Idempotent."""
    cycle = draft_cycle(year, month)
    if cycle.status != CycleStatus.DRAFT:
        return cycle
    cycle.status = advance(cycle.status, CycleStatus.OPEN)
    cycle.opened_at = now or clock_now()
    settings.freeze(cycle)
    count = db.session.scalar(select(func.count()).select_from(Assessment).where(Assessment.cycle_id == cycle.id))
    audit.record("cycle.open", "cycle", cycle.id, source="clock", after={"assessments": count})
    db.session.commit()
    return cycle


def ready_to_finalize(cycle: Cycle, now: datetime) -> bool:
    """Published, every latest report answered (or counted as 认可), no appeal open, and nobody who
    appealed can still appeal another item (their window has closed)."""
    if cycle.status != CycleStatus.PUBLISHED:
        return False
    latest = reports.latest_of_cycle(cycle.id)
    unsettled = db.session.scalar(select(func.count()).select_from(Report).join(
        latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
        .where((Report.response == "pending")
               | ((Report.response == "appealed") & (Report.window_closes_at > now))))
    open_appeals = db.session.scalar(select(func.count()).select_from(Appeal).join(Report).join(Assessment).where(
        Assessment.cycle_id == cycle.id, Appeal.status == "open"))
    return unsettled == 0 and open_appeals == 0


def finalize(cycle_id: int, *, now: datetime | None = None) -> bool:
    """Move a settled cycle to final and propose its outcomes; False while something is open."""
    now = now or clock_now()
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None, "the clock finalises cycles it has just read"
    if not ready_to_finalize(cycle, now):
        return False
    cycle.status = advance(cycle.status, CycleStatus.FINAL)
    cycle.final_at = now
    audit.record("cycle.final", "cycle", cycle.id, source="clock", after={"status": "final"})
    outcomes.derive(cycle.id)  # commits the status and the proposals together
    return True
