"""Alerts (预警): load HR's rules, evaluate them on the figures of record, raise each alert once.

Figures come through the same rule as scoring (verified > imported > self-reported per day), so an
alert can never disagree with the month's actual about what a day's figure was. Each rule costs a
few set-based queries for everyone, whatever the headcount. An alert is inserted in a savepoint
against its unique fingerprint: a second evaluation, or two workers at once, add nothing. Raising
and delivering share the caller's transaction (see `deliver`), so an alert and its messages commit
together. One audit row per evaluation run, with counts.
"""

import json
import logging
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from rq.exceptions import DuplicateJobError
from rq.job import JobStatus
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import jobs
from app.domain import alerts as rules
from app.domain.alerts import EMPLOYEE, MANAGER, Finding, Person, Rule, RuleKind
from app.domain.errors import DomainError
from app.domain.evaluation import evaluate
from app.domain.indicators import Indicator, Provenance
from app.domain.observations import DayFigure, DayObservation, day_figures, figures_of_record
from app.extensions import db, redis_store
from app.models import (
    Alert,
    AlertRule,
    Assessment,
    Cycle,
    Employee,
    Observation,
    Shipment,
)
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import clock_now, to_utc
from app.services.calendar import department_calendars, leave_days
from app.services.notify import outbox
from app.services.scoring import reading
from app.services.scoring.inputs import Context, library
from app.services.usecase import JsonDict, get_or_404, use_case

logger = logging.getLogger(__name__)

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "alert_rules.json"
STREAK_LOOKBACK_DAYS = 31  # a daily run re-reads a month: late figures still complete a streak
MAX_LOOKBACK_DAYS = 400  # an open streak is traced back this far at most
BATCH_LOOKBACK_DAYS = 14  # wrong items are found after delivery: batches stay under watch two weeks
DONE = "jixiao:alerts:done:{}"  # + day: the daily run for that day committed
DONE_TTL_SECONDS = 45 * 86400
REQUEST_AGAIN_AFTER = timedelta(hours=1)  # a run that failed for good is asked for again after this


@use_case
def load_default_rules(path: Path = RULES_FILE) -> int:
    """Create the shipped rules that are missing; a rule HR has edited is never overwritten."""
    known = set(db.session.scalars(select(AlertRule.code)))
    added = 0
    for raw in json.loads(path.read_text(encoding="utf-8"))["rules"]:
        if raw["code"] in known:
            continue
        rules.parse_rule(raw["code"], raw["name_zh"], raw["kind"], raw.get("indicator"), raw.get("params", {}))
        db.session.add(AlertRule(code=raw["code"], name=raw["name_zh"], kind=raw["kind"],
                                 indicator_code=raw.get("indicator"), params=raw.get("params", {}),
                                 active=raw.get("active", True)))
        added += 1
    if added:
        audit.record("alert_rules.load", "alert_rule", after={"created": added}, source="alerts")
    db.session.commit()
    return added


def active_rules(kinds: set[RuleKind]) -> list[tuple[AlertRule, Rule]]:
    """The active rules of these kinds; one HR left unusable is logged and skipped, not fatal."""
    rows = db.session.scalars(select(AlertRule).where(AlertRule.active.is_(True)).order_by(AlertRule.id))
    return [(row, rule) for row in rows if (rule := _parsed(row)) and rule.kind in kinds]


def _parsed(row: AlertRule) -> Rule | None:
    """The row as the domain's Rule, or None (logged) when HR's parameters cannot be evaluated."""
    try:
        return rules.parse_rule(row.code, row.name, row.kind, row.indicator_code, row.params or {})
    except rules.AlertRuleInvalid as error:
        logger.warning("alert rule %s unusable: %s", row.code, error.message)
        return None


@use_case
def evaluate_employee(employee_id: int, through_day: date) -> list[Alert]:
    """Streaks ending by `through_day` and the pace nudge of that day, for one person."""
    found = _streaks(through_day, [employee_id]) + _pace(through_day, [employee_id])
    return _raise(found, {"scope": "employee", "employee_id": employee_id, "day": through_day.isoformat()})


@use_case
def evaluate_batches(first_day: date, last_day: date) -> list[Alert]:
    """Every batch with an order shipped from `first_day` to `last_day` (business days)."""
    return _raise(_batches(first_day, last_day),
                  {"scope": "batches", "first_day": first_day.isoformat(), "last_day": last_day.isoformat()})


@use_case
def evaluate_all(day: date) -> list[Alert]:
    """The daily run for `day` (normally yesterday, once its data is in): everyone, every batch."""
    found = (_streaks(day) + _batches(day - timedelta(days=BATCH_LOOKBACK_DAYS - 1), day) + _pace(day))
    return _raise(found, {"scope": "all", "day": day.isoformat()}, always_audit=True)


def request_day(day: date) -> bool:
    """Queue the daily run for `day` unless it succeeded, or a run of it is waiting, running or due
    for a retry, or failed for good less than REQUEST_AGAIN_AFTER ago; True when queued now.

    The clock asks every tick: only the job marks the day done (`run_day`), so a run that failed is
    asked for again, at most once per REQUEST_AGAIN_AFTER once RQ's own retries are used up."""
    if redis_store.client.exists(DONE.format(day.isoformat())):
        return False
    job_id = f"alerts-{day.isoformat()}"
    earlier = jobs.queue(jobs.EVALUATE_ALERTS.queue).fetch_job(job_id)
    if earlier is not None:
        status = earlier.get_status(refresh=True)
        if status not in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            return False
        ended = earlier.ended_at.timestamp() if earlier.ended_at else 0.0
        if status == JobStatus.FAILED and _epoch_now() - ended < REQUEST_AGAIN_AFTER.total_seconds():
            return False
        earlier.delete()  # its record would make the unique enqueue below refuse
    try:
        jobs.enqueue(jobs.EVALUATE_ALERTS, day.isoformat(), job_id=job_id, unique=True)
    except DuplicateJobError:  # another tick queued it a moment ago
        return False
    return True


def _epoch_now() -> float:
    """RQ records when a job ended in real time, so the pause after a failure is real time too."""
    return datetime.now(UTC).timestamp()


@use_case
def run_day(day: date) -> list[Alert]:
    """The daily run's job: evaluate `day`, and only once that committed, mark the day done."""
    raised = evaluate_all(day)
    redis_store.client.set(DONE.format(day.isoformat()), 1, ex=DONE_TTL_SECONDS)
    return raised


def raise_alert(rule_id: int, finding: Finding) -> Alert | None:
    """Insert one alert in a savepoint; None when its fingerprint is already there (another run or
    worker raised the same facts first). A new alert is handed to `deliver` in the same transaction."""
    alert = Alert(rule_id=rule_id, employee_id=finding.employee_id, fingerprint=finding.fingerprint,
                  message=finding.message, evidence=finding.evidence, raised_at=clock_now())
    try:
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:
        return None
    queue_messages(alert)
    return alert


def _raise(found: list[tuple[AlertRule, Finding]], scope: dict[str, Any], always_audit: bool = False) -> list[Alert]:
    """Raise what is new (one query skips the known), audit the run once with counts, commit."""
    prints = [f.fingerprint for _, f in found]
    known = set(db.session.scalars(select(Alert.fingerprint).where(Alert.fingerprint.in_(prints))))
    raised = [alert for row, f in found if f.fingerprint not in known and (alert := raise_alert(row.id, f))]
    if raised or always_audit:
        codes = {row.id: row.code for row, _ in found}
        counts = Counter(codes[a.rule_id] for a in raised)
        audit.record("alerts.evaluate", "alert", after={**scope, "found": len(found), "raised": len(raised),
                                                        "by_rule": dict(counts)}, source="alerts")
    db.session.commit()
    return raised


def _streaks(through: date, employee_ids: list[int] | None = None) -> list[tuple[AlertRule, Finding]]:
    """Every streak rule whose indicator is in the library (a rule on a deleted one is skipped)."""
    indicators = library()
    return [(row, f) for row, rule in active_rules({RuleKind.STREAK})
            if rule.indicator_code is not None and rule.indicator_code in indicators
            for f in _streak_findings(row, rule, indicators[rule.indicator_code], through, employee_ids,
                                      STREAK_LOOKBACK_DAYS)]


def _streak_findings(row: AlertRule, rule: Rule, indicator: Indicator, through: date, employee_ids: list[int] | None,
                     lookback: int) -> list[Finding]:
    """One rule for everyone with figures in the window; people whose streak may have begun before
    it are looked at again with a window twice as long. `indicator` is the rule's."""
    window = (through - timedelta(days=lookback - 1), through)
    figures = _figures(indicator.code, window, employee_ids)
    people = _people(list(figures), window)
    alerted = _alerted_days(row.id, list(figures), window[0])
    complete = lookback >= MAX_LOOKBACK_DAYS
    findings: list[Finding] = []
    reopen: list[int] = []
    for employee_id, days in figures.items():
        scan = rules.scan_streaks(rule, indicator, people[employee_id], days, window,
                                  alerted.get(employee_id, frozenset()), complete)
        findings += scan.findings
        if scan.open_start:
            reopen.append(employee_id)
    if reopen:
        findings += _streak_findings(row, rule, indicator, through, reopen, min(lookback * 2, MAX_LOOKBACK_DAYS))
    return findings


def _figures(code: str, window: tuple[date, date], employee_ids: list[int] | None) -> dict[int, list[DayFigure]]:
    """Each employee's figures of record of one indicator in the window (one query)."""
    query = select(Observation.employee_id, Observation.day, Observation.numerator, Observation.denominator,
                   Observation.provenance).where(Observation.indicator_code == code, Observation.day.between(*window))
    if employee_ids is not None:
        query = query.where(Observation.employee_id.in_(employee_ids))
    raw: dict[int, list[DayObservation]] = defaultdict(list)
    for employee_id, day, num, den, provenance in db.session.execute(query):
        raw[employee_id].append(DayObservation(day, num, den, Provenance(provenance)))
    found: dict[int, list[DayFigure]] = {}
    for employee_id, observations in raw.items():
        try:
            found[employee_id] = figures_of_record(day_figures(observations))
        except DomainError as error:  # one person's malformed day must not silence everyone's alerts
            logger.warning("alerts: figures of employee %s skipped: %s", employee_id, error.message)
    return found


def _people(employee_ids: list[int], window: tuple[date, date]) -> dict[int, Person]:
    """Who they are, with their department's calendar and their leave in the window."""
    calendars = department_calendars()
    leave = leave_days(employee_ids, *window)
    rows = db.session.execute(select(Employee.id, Employee.name, Employee.department_id, Employee.joined_on,
                                     Employee.left_on).where(Employee.id.in_(employee_ids)))
    return {eid: Person(eid, name, calendars[dept], leave.get(eid, frozenset()), joined, left)
            for eid, name, dept, joined, left in rows}


def _alerted_days(rule_id: int, employee_ids: list[int], since: date) -> dict[int, frozenset[date]]:
    """Days already named by this rule's alerts (raised on or after `since`: older ones name older days)."""
    rows = db.session.execute(select(Alert.employee_id, Alert.evidence).where(
        Alert.rule_id == rule_id, Alert.employee_id.in_(employee_ids),
        Alert.raised_at >= datetime.combine(since - timedelta(days=1), time())))
    days: dict[int, set[date]] = defaultdict(set)
    for employee_id, evidence in rows:
        days[employee_id].update(date.fromisoformat(d["day"]) for d in (evidence or {}).get("days", []))
    return {employee_id: frozenset(d) for employee_id, d in days.items()}


def _batches(first: date, last: date) -> list[tuple[AlertRule, Finding]]:
    active = active_rules({RuleKind.BATCH_RATE})
    if not active:
        return []
    start, end = _utc(first), _utc(last + timedelta(days=1))
    recent = (select(Shipment.source, Shipment.batch_no)
              .where(Shipment.shipped_at >= start, Shipment.shipped_at < end).distinct().subquery())
    rows = db.session.execute(
        select(Shipment.source, Shipment.batch_no, Shipment.order_no, Shipment.packer_code, Shipment.wrong_item,
               Shipment.packer_id, Employee.name)
        .join(recent, and_(recent.c.source == Shipment.source, recent.c.batch_no == Shipment.batch_no))
        .outerjoin(Employee, Employee.id == Shipment.packer_id)
        .where(Shipment.shipped_at.is_not(None)).order_by(Shipment.source, Shipment.batch_no, Shipment.order_no))
    batches: dict[tuple[str, str], list[rules.Packed]] = defaultdict(list)
    for source, batch_no, order_no, code, wrong, packer_id, name in rows:
        batches[source, batch_no].append(rules.Packed(order_no, code, bool(wrong), packer_id, name))
    return [(row, finding) for row, rule in active for (source, batch_no), shipped in batches.items()
            if (finding := rules.batch_finding(rule, source, batch_no, shipped))]


def _utc(day: date) -> datetime:
    """The business day's midnight as stored time (naive UTC)."""
    return to_utc(datetime.combine(day, time()))


def _pace(day: date, employee_ids: list[int] | None = None) -> list[tuple[AlertRule, Finding]]:
    """Nudges from each open assessment's progress as of `day`, built from data up to `day` only."""
    active = [(row, rule) for row, rule in active_rules({RuleKind.PACE}) if day.day > rule.after_day]
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == day.year, Cycle.month == day.month,
                                                  Cycle.status == "open"))
    if not active or cycle is None:
        return []
    query = select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.first_day <= day,
                                     Assessment.last_day >= day).options(selectinload(Assessment.items))
    if employee_ids is not None:
        query = query.where(Assessment.employee_id.in_(employee_ids))
    held = db.session.scalars(query).all()  # kept alive, so Context.load finds their items already loaded
    if not held:
        return []
    context = Context.load(cycle, [a.id for a in held])
    people = _people([a.employee_id for a in held], (day, day))
    names = {code: indicator.name_zh for code, indicator in context.library.items()}
    found = []
    for assessment in context.assessments:
        given = context.input_for(assessment, as_of=day)
        given = replace(given, observations={code: [o for o in obs if o.day <= day]
                                             for code, obs in given.observations.items()})
        try:
            progress = evaluate(given).progress or {}
        except DomainError as error:  # one assessment's bad data must not silence everyone's nudges
            logger.warning("alerts: assessment %s skipped: %s", assessment.id, error.message)
            continue
        # the assessment's calendar: a transfer keeps the old department's days for the old position
        person = replace(people[assessment.employee_id], calendar=given.calendar, leave=given.leave)
        for row, rule in active:
            found += [(row, f) for f in rules.pace_findings(rule, person, assessment.id, day, progress, names)]
    return found


def alerts_of(assessment_id: int, who: Actor, limit: int = 10) -> list[JsonDict]:
    """The alerts about the assessment's person in the last week, newest first (the home page)."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.VIEW_PROGRESS, Subject(assessment.employee_id))
    rows = db.session.scalars(select(Alert).where(
        Alert.employee_id == assessment.employee_id, Alert.raised_at >= clock_now() - reading.RECENT_ALERTS)
        .order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit))
    return [{"id": a.id, "message": a.message, "raised_at": a.raised_at.isoformat(timespec="seconds")} for a in rows]


def recipients(alert: Alert) -> list[tuple[int, str]]:
    """Who hears of an alert, as (employee id, audience), by the rule's `notify`.

    The person concerned is the alert's employee, or for a batch the packers matched to employees;
    "manager" means each one's manager. When nobody can be named (no packer is matched), HR hears
    of it, so an unmatched batch is still reported, never dropped.
    """
    row = db.session.get(AlertRule, alert.rule_id)
    assert row is not None, "an alert's rule exists (foreign key)"
    rule = _parsed(row)
    notify = rule.notify if rule else (EMPLOYEE, MANAGER)  # edited since it fired: tell all concerned
    subjects = _subjects(alert)
    manager_of = dict(db.session.execute(
        select(Employee.id, Employee.manager_id).where(Employee.id.in_(subjects))).all())
    found = [(s, EMPLOYEE) for s in subjects] if EMPLOYEE in notify else []
    if MANAGER in notify:
        found += [(manager, MANAGER) for s in subjects if (manager := manager_of.get(s))]
    if not subjects:
        found = [(hr, MANAGER) for hr in db.session.scalars(select(Employee.id).where(
            Employee.is_hr.is_(True), Employee.status == "active").order_by(Employee.id))]
    return list(dict.fromkeys(found))


def _subjects(alert: Alert) -> list[int]:
    return ([alert.employee_id] if alert.employee_id is not None else
            [p["employee_id"] for p in alert.evidence.get("packers", []) if p.get("employee_id")])


def queue_messages(alert: Alert) -> None:
    """Tell the alert's recipients through the outbox, in the transaction that inserts the alert,
    so the messages commit with it; an alert raised twice never gets here twice."""
    now = clock_now()
    team = "pages/team/index" if _subjects(alert) else None  # HR hears of a batch nobody is named for
    for employee_id, audience in recipients(alert):
        outbox.enqueue(employee_id, "alert", title="预警", summary=alert.message[:20], body=alert.message,
                       dedupe_key=f"alert:{alert.id}:{employee_id}", now=now, audience=audience,
                       page=team if audience == MANAGER else None, data={"alert_id": alert.id})
