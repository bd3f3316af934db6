"""HR's dashboards (数据看板): the month in progress by department (completion and projected
grades), the grade spread of the latest published month, each indicator's trend, the last week's
alerts, who has not submitted today, what waits for a decision, and the seed's success measures
month by month (app.domain.success). Every figure is counted here from the rows, in a few grouped
queries per month; the console draws them."""

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import case, func, select

from app.domain.cycles import CycleStatus
from app.domain.exact import round_half_up
from app.domain.success import Measures, Share, median_hours
from app.domain.workcalendar import month_bounds
from app.extensions import db, redis_store
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
from app.services.news.announcements import expected_between, expected_submitters
from app.services.scoring import month_result
from app.services.scoring.month_result import bands_of
from app.services.scoring.reading import RECENT_ALERTS
from app.services.scoring.reports import latest_of_cycle

TREND_MONTHS = 6
ACCEPTED = ("confirmed", "auto_confirmed")
# A closed month's figures, kept while no newer report version is published in it: they take seconds
# for 5,000 people and hardly change (a restatement's new figures count once its version is out).
KEPT = "jixiao:dashboard:{}:{}:{}"  # what, month, its newest report version
KEPT_SECONDS = 3600


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
    by_month = {c.id: _kept("measures", c, partial(_dumped_measures, c, today)) for c in cycles}
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
        "success": [MonthMeasures(_label(c), Measures.loaded(by_month[c.id]["None"])) for c in reversed(cycles)],
        "by_department_month": _label(published[0]) if published else None,
        "by_department": [(names[int(d)], Measures.loaded(m)) for d, m in by_month[published[0].id].items()
                          if d != "None"] if published else [],
    }


def _dumped_measures(cycle: Cycle, today: date) -> dict[str, Any]:
    return {str(department): m.dumped() for department, m in measures(cycle, today).items()}


def _kept(what: str, cycle: Cycle, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A month's figures as JSON: an open month's computed afresh, a closed month's kept for an hour
    under its newest report version."""
    if cycle.status == CycleStatus.OPEN:
        return dict(json.loads(json.dumps(compute(), default=str)))
    newest = db.session.scalar(select(func.max(Report.id)).join(Assessment).where(Assessment.cycle_id == cycle.id))
    key = KEPT.format(what, cycle.id, newest or 0)
    raw = redis_store.client.get(key)
    if raw is not None:
        return dict(json.loads(raw))
    found = compute()
    redis_store.client.set(key, json.dumps(found, default=str), ex=KEPT_SECONDS)
    return dict(json.loads(json.dumps(found, default=str)))


def _label(cycle: Cycle) -> str:
    return f"{cycle.year}年{cycle.month}月"


def departments_in_progress(cycle_id: int) -> list[DepartmentProgress]:
    """Per department, the open month's live snapshots: mean completion and projected grades; someone
    who changed position counts once, by the assessment they hold now."""
    rows = db.session.execute(
        select(Employee.id, Department.name, ProgressSnapshot.body)
        .join(Assessment, Assessment.id == ProgressSnapshot.assessment_id)
        .join(Employee, Employee.id == Assessment.employee_id).join(Department, Department.id == Employee.department_id)
        .where(Assessment.cycle_id == cycle_id).order_by(Department.id, Assessment.first_day)).all()
    current = {employee_id: (name, body) for employee_id, name, body in rows}  # the later assessment wins
    bands = bands_of([cycle_id])[cycle_id]
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name, body in current.values():
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


def grade_spread(cycle_id: int) -> dict[str, int]:
    """Grade label → people, by their month's grade (a transfer's two reports combined, as outcomes
    read it), every band of the month present."""
    latest = latest_of_cycle(cycle_id)
    grades: dict[int, list[str]] = defaultdict(list)
    for employee_id, grade in db.session.execute(
            select(Assessment.employee_id, Report.grade).join(Assessment, Assessment.id == Report.assessment_id)
            .join(latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))):
        grades[employee_id].append(grade)
    counts = Counter(codes[0] if len(codes) == 1 else _month_grade(cycle_id, employee_id)
                     for employee_id, codes in grades.items())
    return {band.label_zh: counts.get(band.code, 0) for band in bands_of([cycle_id])[cycle_id].bands}


def _month_grade(cycle_id: int, employee_id: int) -> str:
    result = month_result.month_result(cycle_id, employee_id)
    assert result is not None, "someone with reports has a month result"
    return str(result["grade_code"])


def indicator_trends(cycles: list[Cycle]) -> dict[str, list[Decimal | None]]:
    """Indicator name → the mean achievement (%) of its quantitative items in each month's reports,
    oldest month first (None where the month has none)."""
    found: dict[str, list[Decimal | None]] = {}
    for index, cycle in enumerate(cycles):
        for name, mean in _kept("trend", cycle, partial(_month_trend, cycle.id)).items():
            found.setdefault(name, [None] * len(cycles))[index] = Decimal(mean)
    return dict(sorted(found.items()))


def _month_trend(cycle_id: int) -> dict[str, Any]:
    """Indicator name → the mean achievement (%) of its quantitative items in the month's latest reports."""
    achieved: dict[str, list[Decimal]] = defaultdict(list)
    latest = latest_of_cycle(cycle_id)
    for body in db.session.scalars(select(Report.body).join(
            latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
            .execution_options(yield_per=500)):
        for item in body["items"]:
            if item["kind"] == "quantitative" and item.get("achievement") is not None:
                achieved[item["name"]].append(Decimal(item["achievement"]))
    return {name: round_half_up(sum(values, Decimal(0)) * 100 / len(values), 1) for name, values in achieved.items()}


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
    """The month's success measures, for everyone (key None) and for each department's people:
    each counted once per month, grouped by department."""
    expected, submitted = participation(cycle, today)
    accepted, answered = acceptance(cycle.id)
    verified, figures = verified_share(cycle)
    appeals = _appeals(cycle.id)
    departments: list[int | None] = [None, *db.session.scalars(select(Department.id).order_by(Department.id))]
    return {d: Measures(
        participation=Share(submitted[d], expected[d]), acceptance=Share(accepted[d], answered[d]),
        verified=Share(verified[d], figures[d]), appeals_filed=len(appeals[d]),
        appeals_accepted=sum(1 for status, _ in appeals[d] if status == "accepted"),
        appeals_rejected=sum(1 for status, _ in appeals[d] if status == "rejected"),
        answer_hours=median_hours([seconds for _, seconds in appeals[d] if seconds is not None]))
        for d in departments}


Counts = Counter[int | None]  # department → a count, and None → the company's


def _count(into: Counts, department_id: int, amount: int = 1) -> None:
    into[None] += amount
    into[department_id] += amount


def participation(cycle: Cycle, today: date) -> tuple[Counts, Counts]:
    """(expected, submitted): the (person, working day) pairs up to yesterday on which someone was
    expected to submit progress, and those of them with a submission."""
    first, last = month_bounds(cycle.year, cycle.month)
    last = min(last, today - timedelta(days=1))
    expected: Counts = Counter()
    submitted: Counts = Counter()
    if last < first:
        return expected, submitted
    done = {(employee_id, day) for employee_id, day in db.session.execute(
        select(ProgressEntry.employee_id, ProgressEntry.day).where(ProgressEntry.day.between(first, last)))}
    for day, due in expected_between(first, last).items():
        for employee_id, department_id in due:
            _count(expected, department_id)
            if (employee_id, day) in done:
                _count(submitted, department_id)
    return expected, submitted


def acceptance(cycle_id: int) -> tuple[Counts, Counts]:
    """(accepted, answered): of the month's answered reports (the latest version of each), those
    confirmed, or counted confirmed by silence, without an appeal on any version."""
    latest = latest_of_cycle(cycle_id)
    appealed = set(db.session.scalars(select(Report.assessment_id).join(Appeal, Appeal.report_id == Report.id)
                                      .join(Assessment).where(Assessment.cycle_id == cycle_id)))
    accepted: Counts = Counter()
    answered: Counts = Counter()
    for assessment_id, department_id, response in db.session.execute(
            select(Report.assessment_id, Employee.department_id, Report.response)
            .join(latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
            .join(Assessment, Assessment.id == Report.assessment_id)
            .join(Employee, Employee.id == Assessment.employee_id).where(Report.response != "pending")):
        _count(answered, department_id)
        if response in ACCEPTED and assessment_id not in appealed:
            _count(accepted, department_id)
    return accepted, answered


def verified_share(cycle: Cycle) -> tuple[Counts, Counts]:
    """(verified, figures): the month's day figures of record (one per person, indicator and day),
    and those that came verified from a connector."""
    first, last = month_bounds(cycle.year, cycle.month)
    figures_of = (select(Observation.employee_id, Observation.indicator_code, Observation.day,
                         func.max(case((Observation.provenance == "verified", 1), else_=0)).label("verified"))
                  .where(Observation.day >= first, Observation.day <= last)
                  .group_by(Observation.employee_id, Observation.indicator_code, Observation.day).subquery())
    verified: Counts = Counter()
    figures: Counts = Counter()
    for department_id, count, part in db.session.execute(
            select(Employee.department_id, func.count(), func.coalesce(func.sum(figures_of.c.verified), 0))
            .join(Employee, Employee.id == figures_of.c.employee_id).group_by(Employee.department_id)):
        _count(figures, department_id, int(count))
        _count(verified, department_id, int(part))
    return verified, figures


def _appeals(cycle_id: int) -> dict[int | None, list[tuple[str, float | None]]]:
    """Department → the month's appeals as (status, seconds a manager took to decide, or None when
    open or decided by HR after escalation)."""
    found: dict[int | None, list[tuple[str, float | None]]] = defaultdict(list)
    for department_id, status, filed, decided, escalated in db.session.execute(
            select(Employee.department_id, Appeal.status, Appeal.filed_at, Appeal.decided_at, Appeal.escalated_at)
            .join(Report, Report.id == Appeal.report_id).join(Assessment, Assessment.id == Report.assessment_id)
            .join(Employee, Employee.id == Assessment.employee_id).where(Assessment.cycle_id == cycle_id)):
        seconds = (decided - filed).total_seconds() if decided is not None and escalated is None else None
        for key in (None, department_id):
            found[key].append((status, seconds))
    return found
