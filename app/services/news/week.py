"""Last week per team member, for the Monday digest: submissions on working days and the projection.

Working days are the person's own (department calendar, their leave, the days their assessments
cover), so a joiner or someone on leave is not asked for days they could not submit. The projected
score is the same as the mini-program's (evaluation.Context, projection as of the week's last day).
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.domain import digest as composer
from app.domain.cycles import CycleStatus
from app.domain.evaluation import evaluate
from app.domain.scoring import ItemStatus
from app.domain.workcalendar import days_between
from app.extensions import db
from app.models import Assessment, Cycle, Position, ProgressEntry
from app.services.calendar import company_calendar, department_calendars, leave_days
from app.services.scoring.inputs import Context


def week_news(
    team: dict[int, composer.Member], first: date, last: date, warnings: dict[int, list[str]] | None = None
) -> list[composer.WeekNews]:
    """One item per team member assessed during [first, last], in the team's order."""
    assessments = defaultdict(list)
    for a in db.session.scalars(select(Assessment).where(
            Assessment.employee_id.in_(list(team)), Assessment.first_day <= last, Assessment.last_day >= first)
            .order_by(Assessment.employee_id, Assessment.first_day)):
        assessments[a.employee_id].append(a)
    worked = _working_days(assessments, first, last)
    submitted = _submitted_days(list(assessments), first, last)
    projections = _projections([mine[-1] for mine in assessments.values()], last)
    news = []
    for employee_id in team:
        days = worked.get(employee_id)
        if not days:  # not assessed, or no working day of theirs last week
            continue
        total, grade, behind = projections.get(assessments[employee_id][-1].id, (None, "", ()))
        news.append(composer.WeekNews(
            team[employee_id], len(days & submitted[employee_id]), len(days), total, grade, behind,
            tuple((warnings or {}).get(employee_id, ())),
            ref={"employee_id": employee_id, "assessment_id": assessments[employee_id][-1].id},
        ))
    return news


def _working_days(assessments: dict[int, list[Assessment]], first: date, last: date) -> dict[int, set[date]]:
    """Each person's working days of the week within the periods their assessments cover."""
    base = company_calendar()
    calendars = department_calendars(base)
    departments = dict(db.session.execute(select(Position.id, Position.department_id)).all())
    leave = leave_days(list(assessments), first, last)
    found = {}
    for employee_id, mine in assessments.items():
        days = set()
        for a in mine:
            department = departments.get(a.position_id)
            calendar = base if department is None else calendars.get(department, base)
            start, end = max(first, a.first_day), min(last, a.last_day)
            days |= {d for d in days_between(start, end) if calendar.is_working_day(d, leave.get(employee_id, ()))}
        found[employee_id] = days
    return found


def _submitted_days(employee_ids: list[int], first: date, last: date) -> dict[int, set[date]]:
    found = defaultdict(set)
    for employee_id, day in db.session.execute(select(ProgressEntry.employee_id, ProgressEntry.day).where(
            ProgressEntry.employee_id.in_(employee_ids), ProgressEntry.day.between(first, last))):
        found[employee_id].add(day)
    return found


def _projections(assessments: list[Assessment], as_of: date) -> dict[int, tuple[Decimal, str, tuple[str, ...]]]:
    """(projected total, grade, quantitative items projected below target) per assessment of an open cycle."""
    by_cycle = defaultdict(list)
    for a in assessments:
        by_cycle[a.cycle_id].append(a.id)
    found = {}
    for cycle_id, ids in by_cycle.items():
        cycle = db.session.get(Cycle, cycle_id)
        assert cycle is not None, "an assessment's cycle exists (foreign key)"
        if cycle.status != CycleStatus.OPEN:
            continue
        context = Context.load(cycle, ids, with_last_month=True)
        for a in context.assessments:
            ev = evaluate(context.input_for(a, as_of=min(max(as_of, a.first_day), a.last_day)))
            behind = tuple(  # unmet targets only: a rated item is never unmet (ItemStatus.RATED)
                ev.input.library[item.code].name_zh for item, result in zip(ev.items, ev.score.items, strict=True)
                if result.status is ItemStatus.UNMET
            )
            found[a.id] = (ev.score.total, ev.score.grade.label_zh, behind)
    return found
