"""HR's dashboards (数据看板): the month in progress by department (completion and projected
grades), the grade spread of the latest published month, each indicator's trend, the last week's
alerts, who has not submitted today, what waits for a decision, and the seed's success measures
month by month (app.domain.success). Every figure is counted here from the rows, in a few grouped
queries per month; the console draws them."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from app.domain.cycles import CycleStatus
from app.domain.exact import round_half_up
from app.domain.success import Measures, Share, median_hours
from app.domain.workcalendar import month_bounds
from app.extensions import db
from app.models import (
    Alert,
    Appeal,
    Assessment,
    Cycle,
    Department,
    Employee,
    Observation,
    Outcome,
    ProgressEntry,
    ProgressSnapshot,
    Report,
)
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import to_local
from app.services.news.announcements import expected_submitters
from app.services.scoring.month_result import bands_of
from app.services.scoring.reading import RECENT_ALERTS
from app.services.scoring.reports import latest_of_cycle

TREND_MONTHS = 6
ACCEPTED = ("confirmed", "auto_confirmed")


@dataclass(frozen=True)
class DepartmentProgress:
    department: str
    people: int
    completion: Decimal | None  # mean achievement of the quantitative items so far, capped at 100 %
    grades: dict[str, int]  # projected grade label → people


@dataclass(frozen=True)
class MonthMeasures:
    label: str
    measures: Measures


def dashboard(who: Actor, now: datetime) -> dict[str, Any]:
    """Everything the 数据看板 page draws, as of `now`."""
    require(who, Action.EXPORT_REPORTS, Subject())
    today = to_local(now).date()
    cycles = db.session.scalars(select(Cycle).where(Cycle.status != CycleStatus.DRAFT)
                                .order_by(Cycle.year.desc(), Cycle.month.desc()).limit(TREND_MONTHS)).all()
    open_cycle = next((c for c in cycles if c.status == CycleStatus.OPEN), None)
    published = [c for c in cycles if c.status in (CycleStatus.PUBLISHED, CycleStatus.FINAL)]
    names = dict(db.session.execute(select(Department.id, Department.name)).all())
    by_month = {c.id: measures(c, today) for c in cycles}
    return {
        "open_month": _label(open_cycle) if open_cycle else None,
        "progress": departments_in_progress(open_cycle.id) if open_cycle else [],
        "spread_month": _label(published[0]) if published else None,
        "spread": grade_spread(published[0].id) if published else {},
        "trends": indicator_trends(list(reversed(published))),
        "trend_months": [_label(c) for c in reversed(published)],
        "alerts": recent_alerts(now, names),
        "missing": missing_today(today, names),
        "to_decide": to_decide(),
        "success": [MonthMeasures(_label(c), by_month[c.id][None]) for c in reversed(cycles)],
        "by_department_month": _label(published[0]) if published else None,
        "by_department": [(names[d], m) for d, m in by_month[published[0].id].items() if d is not None]
        if published else [],
    }


def _label(cycle: Cycle) -> str:
    return f"{cycle.year}年{cycle.month}月"


def departments_in_progress(cycle_id: int) -> list[DepartmentProgress]:
    """Per department, the open month's live snapshots: mean completion and projected grades."""
    rows = db.session.execute(
        select(Department.name, ProgressSnapshot.body).join(Assessment, Assessment.id == ProgressSnapshot.assessment_id)
        .join(Employee, Employee.id == Assessment.employee_id).join(Department, Department.id == Employee.department_id)
        .where(Assessment.cycle_id == cycle_id).order_by(Department.id)).all()
    bands = bands_of([cycle_id])[cycle_id]
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name, body in rows:
        grouped[name].append(body)
    found = []
    for name, bodies in grouped.items():
        achieved = [min(Decimal(item["achievement"]), Decimal(1)) for body in bodies for item in body["items"]
                    if item["kind"] == "quantitative" and item.get("achievement") is not None]
        grades = Counter(body["grade"] for body in bodies)
        found.append(DepartmentProgress(
            name, len(bodies), round_half_up(sum(achieved, Decimal(0)) * 100 / len(achieved), 1) if achieved else None,
            {band.label_zh: grades.get(band.label_zh, 0) for band in bands.bands}))
    return found


def _latest_reports(cycle_id: int) -> list[tuple[int, int, str, dict[str, Any]]]:
    """(assessment, department, response, body) of the latest version of each of the month's reports."""
    latest = latest_of_cycle(cycle_id)
    return [tuple(row) for row in db.session.execute(
        select(Report.assessment_id, Employee.department_id, Report.response, Report.body)
        .join(latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
        .join(Assessment, Assessment.id == Report.assessment_id).join(Employee, Employee.id == Assessment.employee_id)
    )]


def grade_spread(cycle_id: int) -> dict[str, int]:
    """Grade label → reports (each assessment's latest version), every band of the month present."""
    counts = Counter(body["grade"] for _, _, _, body in _latest_reports(cycle_id))
    return {band.label_zh: counts.get(band.label_zh, 0) for band in bands_of([cycle_id])[cycle_id].bands}


def indicator_trends(cycles: list[Cycle]) -> dict[str, list[Decimal | None]]:
    """Indicator name → the mean achievement (%) of its quantitative items in each month's reports,
    oldest month first (None where the month has none)."""
    found: dict[str, list[Decimal | None]] = {}
    for index, cycle in enumerate(cycles):
        sums: dict[str, list[Decimal]] = defaultdict(list)
        for _, _, _, body in _latest_reports(cycle.id):
            for item in body["items"]:
                if item["kind"] == "quantitative" and item.get("achievement") is not None:
                    sums[item["name"]].append(Decimal(item["achievement"]))
        for name, values in sums.items():
            found.setdefault(name, [None] * len(cycles))[index] = round_half_up(
                sum(values, Decimal(0)) * 100 / len(values), 1)
    return dict(sorted(found.items()))


def recent_alerts(now: datetime, names: dict[int, str]) -> dict[str, int]:
    """Department → alerts about its people raised in the last week."""
    rows = db.session.execute(
        select(Employee.department_id, func.count()).select_from(Alert).join(Employee, Employee.id == Alert.employee_id)
        .where(Alert.raised_at >= now - RECENT_ALERTS).group_by(Employee.department_id)).all()
    return {names[department]: count for department, count in sorted(rows, key=lambda r: -r[1])}


def missing_today(today: date, names: dict[int, str]) -> dict[str, list[str]]:
    """Department → who is expected to submit progress today and has not (yet)."""
    expected = expected_submitters(today)
    submitted = set(db.session.scalars(select(ProgressEntry.employee_id).where(ProgressEntry.day == today)))
    people = dict(db.session.execute(select(Employee.id, Employee.name)
                                     .where(Employee.id.in_([e for e, _ in expected]))).all())
    found: dict[str, list[str]] = defaultdict(list)
    for employee_id, department_id in expected:
        if employee_id not in submitted:
            found[names[department_id]].append(people[employee_id])
    return dict(sorted(found.items(), key=lambda kv: -len(kv[1])))


def to_decide() -> dict[str, int]:
    """Open appeals (with those escalated to HR) and outcome proposals waiting for HR."""
    return {
        "appeals": db.session.scalar(select(func.count()).select_from(Appeal).where(Appeal.status == "open")) or 0,
        "escalated": db.session.scalar(select(func.count()).select_from(Appeal).where(
            Appeal.status == "open", Appeal.escalated_at.is_not(None))) or 0,
        "outcomes": db.session.scalar(select(func.count()).select_from(Outcome).where(
            Outcome.status == "pending")) or 0,
    }


def measures(cycle: Cycle, today: date) -> dict[int | None, Measures]:
    """The month's success measures, for everyone (key None) and for each department's people."""
    expected, submitted = participation(cycle, today)
    departments: list[int | None] = [None, *db.session.scalars(select(Department.id).order_by(Department.id))]
    return {department_id: _measures(cycle, department_id, Share(submitted[department_id], expected[department_id]))
            for department_id in departments}


def _measures(cycle: Cycle, department_id: int | None, participated: Share) -> Measures:
    appeals = db.session.execute(_in_department(
        select(Appeal.status, Appeal.filed_at, Appeal.decided_at, Appeal.escalated_at)
        .join(Report, Report.id == Appeal.report_id).join(Assessment, Assessment.id == Report.assessment_id)
        .join(Employee, Employee.id == Assessment.employee_id).where(Assessment.cycle_id == cycle.id),
        department_id)).all()
    answered = [(decided - filed).total_seconds() for status, filed, decided, escalated in appeals
                if decided is not None and escalated is None]
    return Measures(
        participation=participated, acceptance=acceptance(cycle.id, department_id),
        verified=verified_share(cycle, department_id), appeals_filed=len(appeals),
        appeals_accepted=sum(1 for a in appeals if a.status == "accepted"),
        appeals_rejected=sum(1 for a in appeals if a.status == "rejected"), answer_hours=median_hours(answered))


def _in_department(query: Any, department_id: int | None) -> Any:
    return query if department_id is None else query.where(Employee.department_id == department_id)


def participation(cycle: Cycle, today: date) -> tuple[Counter[int | None], Counter[int | None]]:
    """(expected, submitted) (person, working day) pairs up to yesterday, per department and in all
    (None): who was expected to submit progress that day, and who of them did."""
    first, last = month_bounds(cycle.year, cycle.month)
    expected: Counter[int | None] = Counter()
    submitted: Counter[int | None] = Counter()
    day = first
    while day <= min(last, today - timedelta(days=1)):
        done = set(db.session.scalars(select(ProgressEntry.employee_id).where(ProgressEntry.day == day)))
        for employee_id, department_id in expected_submitters(day):
            for key in (None, department_id):
                expected[key] += 1
                submitted[key] += employee_id in done
        day += timedelta(days=1)
    return expected, submitted


def acceptance(cycle_id: int, department_id: int | None = None) -> Share:
    """Of the month's answered reports (the latest version of each), how many were confirmed (or
    counted confirmed by silence) without an appeal on any version."""
    appealed = set(db.session.scalars(select(Report.assessment_id).join(Appeal, Appeal.report_id == Report.id)))
    rows = [(a, r) for a, d, r, _ in _latest_reports(cycle_id)
            if r != "pending" and (department_id is None or d == department_id)]
    return Share(sum(1 for a, r in rows if r in ACCEPTED and a not in appealed), len(rows))


def verified_share(cycle: Cycle, department_id: int | None = None) -> Share:
    """Of the month's day figures of record (one per person, indicator and day), how many came
    verified from a connector."""
    first, last = month_bounds(cycle.year, cycle.month)
    figures = _in_department(
        select(Observation.employee_id, Observation.indicator_code, Observation.day,
               func.max(case((Observation.provenance == "verified", 1), else_=0)).label("verified"))
        .join(Employee, Employee.id == Observation.employee_id)
        .where(Observation.day >= first, Observation.day <= last)
        .group_by(Observation.employee_id, Observation.indicator_code, Observation.day), department_id).subquery()
    whole, part = db.session.execute(select(func.count(), func.coalesce(func.sum(figures.c.verified), 0))).one()
    return Share(int(part), int(whole))
