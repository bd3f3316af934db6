"""Writing synced and imported figures: one run at a time, in bulk, audited once per run.

Each incoming figure is identified by its source record (`external_ref`): a new one is inserted,
a changed one updated, an unchanged one left alone. A change to a day of a month that is already
published, or a record the source adds to it late, is not applied: it is recorded as a restatement
for HR to re-publish or dismiss, so a published report never changes silently. Open months get
their progress recomputed.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select, tuple_, update

from app.domain.cycles import CycleStatus
from app.domain.errors import DomainError
from app.extensions import db
from app.models import Assessment, AssessmentItem, Cycle, Indicator, Observation, Restatement, SyncRun
from app.services import audit, authz, lookup
from app.services.business_time import clock_now
from app.services.scoring import chunks, progress, runs
from app.services.usecase import use_case

CHUNK = 2000


@dataclass(frozen=True)
class Incoming:
    employee_id: int
    indicator_code: str
    day: date
    numerator: Decimal
    denominator: Decimal | None
    external_ref: str
    currency: str | None = None


@use_case
def record_run(run_id: int, provenance: str, rows: list[Incoming], *,
               covered_through: date | None = None) -> Counter[str]:
    """Apply one sync/import run's figures; returns counts (inserted, updated, unchanged, restated).
    `covered_through` is the last day the run covered — given by a connector that found no rows
    for a day it asked about, else the last day of its rows — so bars run to it (docs/kpi-rules.md
    "Pace")."""
    run = db.session.get(SyncRun, run_id)
    assert run is not None, "the connector or import opens the run before recording into it"
    counts, touched = apply(run, provenance, rows)
    finish(run, counts, touched, covered_through or max((row.day for row in rows), default=None))
    return counts


def apply(run: SyncRun, provenance: str, rows: list[Incoming]) -> tuple[Counter[str], set[tuple[int, date]]]:
    """Write one batch of a run's figures in the caller's transaction: insert the new, update the
    changed, hold what touches a published month; returns the counts and the (employee, day) touched."""
    existing = _existing(run.source, [row.external_ref for row in rows])
    statuses = _cycle_statuses({row.day for row in rows} | {old.day for old in existing.values()})
    held = _held_refs(run.source)
    counts: Counter[str] = Counter()
    inserts: list[dict[str, Any]] = []
    touched: set[tuple[int, date]] = set()
    for row in rows:
        old = existing.get(row.external_ref)
        cycle_id = _published_cycle(statuses, row.day, old.day if old else None)
        if old is None and cycle_id is not None:
            _restate_added(_insert_row(row, run, provenance), cycle_id)
            counts["restated"] += 1
            continue
        if old is None:
            inserts.append(_insert_row(row, run, provenance))
            counts["inserted"] += 1
        elif _facts(old) == _facts(row):
            counts["unchanged"] += 1
            continue
        elif cycle_id is not None:
            _restate(old, row, run.id, cycle_id)
            counts["restated"] += 1
            continue
        else:
            touched.add((old.employee_id, old.day))  # a record that changed hands leaves its old owner too
            _set_facts(old, row)
            old.run_id = run.id
            counts["updated"] += 1
        touched.add((row.employee_id, row.day))
    _supersede_held(run.source, held & {row["external_ref"] for row in inserts})
    table = Observation.__table__
    assert isinstance(table, Table), "Observation is mapped to one plain table"
    for start in range(0, len(inserts), CHUNK):
        db.session.execute(table.insert(), inserts[start:start + CHUNK])
    return counts, touched


@use_case
def finish(run: SyncRun, counts: Counter[str], touched: set[tuple[int, date]], covered_through: date | None) -> None:
    """Close the run (done, counts, the day it covered), audit it once and commit; then ask for the
    progress of the open assessments it touched — every bar of its source when it covers a new day."""
    covered_before = _covered_through(run.source)
    run.status, run.finished_at, run.counts = "done", clock_now(), {**(run.counts or {}), **counts}
    run.covered_through = covered_through
    audit.record(f"{run.kind}.run", "sync_run", run.id, source=run.source, after=dict(counts))
    db.session.commit()
    moved = run.covered_through is not None and (covered_before is None or run.covered_through > covered_before)
    # A run that covers a new day moves every bar of its source ("截至…", 数据未更新), rows or not.
    progress.request_recompute(*(_open_assessments_of_source(run.source) if moved else open_assessments(touched)))


def _covered_through(source: str) -> date | None:
    return db.session.scalar(select(func.max(SyncRun.covered_through)).where(
        SyncRun.source == source, SyncRun.status == "done"))


def _open_assessments_of_source(source: str) -> list[int]:
    """Open assessments with an item whose figures come from `source`."""
    return sorted(db.session.scalars(
        select(Assessment.id).distinct().join(Cycle).join(AssessmentItem, AssessmentItem.assessment_id == Assessment.id)
        .join(Indicator, Indicator.code == AssessmentItem.indicator_code)
        .where(Cycle.status == CycleStatus.OPEN, Indicator.source == source)))


_PUBLISHED = (CycleStatus.SCORING, CycleStatus.REVIEW, CycleStatus.PUBLISHED, CycleStatus.FINAL)


FACTS = ("employee_id", "indicator_code", "day", "numerator", "denominator", "currency")


def _facts(figure: Observation | Incoming) -> tuple[object, ...]:
    """What a source record says: whose figure, of what, which day, how much."""
    return tuple(getattr(figure, name) for name in FACTS)


def _set_facts(observation: Observation, figure: Incoming) -> None:
    """A changed figure is recorded anew: the watch's reconcile compares bars with `recorded_at`."""
    for name in FACTS:
        setattr(observation, name, getattr(figure, name))
    observation.recorded_at = clock_now()


def _published_cycle(statuses: dict[tuple[int, int], tuple[int, str]], day: date,
                     old_day: date | None) -> int | None:
    """The cycle's id when the record's month — or the month it moves out of — is published."""
    for when in (old_day, day):
        if when is not None and (when.year, when.month) in statuses:
            cycle_id, status = statuses[(when.year, when.month)]
            if status in _PUBLISHED:
                return cycle_id
    return None


def _held_refs(source: str) -> set[str]:
    """Records of this source held for HR because they arrived late for a published month."""
    return set(db.session.scalars(select(Restatement.external_ref).where(
        Restatement.source == source, Restatement.observation_id.is_(None), Restatement.status == "open")))


def _supersede_held(source: str, refs: set[str]) -> None:
    """A held record the source has since moved into an open month is simply inserted there."""
    if refs:
        db.session.execute(update(Restatement).where(
            Restatement.source == source, Restatement.external_ref.in_(list(refs)),
            Restatement.observation_id.is_(None), Restatement.status == "open").values(status="superseded"))


def _cycle_statuses(days: set[date]) -> dict[tuple[int, int], tuple[int, str]]:
    months = {(d.year, d.month) for d in days}
    if not months:
        return {}
    rows = db.session.execute(select(Cycle.year, Cycle.month, Cycle.id, Cycle.status).where(
        tuple_(Cycle.year, Cycle.month).in_(list(months))))
    return {(year, month): (cycle_id, status) for year, month, cycle_id, status in rows}


def _existing(source: str, refs: list[str]) -> dict[str, Observation]:
    found = {}
    for start in range(0, len(refs), CHUNK):
        for obs in db.session.scalars(select(Observation).where(
                Observation.source == source, Observation.external_ref.in_(refs[start:start + CHUNK]))):
            found[obs.external_ref] = obs
    return found


def _insert_row(row: Incoming, run: SyncRun, provenance: str) -> dict[str, Any]:
    return {"employee_id": row.employee_id, "indicator_code": row.indicator_code, "day": row.day,
            "numerator": row.numerator, "denominator": row.denominator, "currency": row.currency,
            "source": run.source, "provenance": provenance, "run_id": run.id, "external_ref": row.external_ref,
            "recorded_at": clock_now()}


def _restate(old: Observation, row: Incoming, run_id: int, cycle_id: int) -> None:
    """Record the source's new figure beside the published one (an open restatement is updated);
    `record` keeps what else it says (a new owner, day or currency)."""
    record = _json({name: getattr(row, name) for name in FACTS})
    if _dismissed(Restatement.observation_id == old.id, record):
        return
    pending = db.session.scalar(select(Restatement).where(
        Restatement.observation_id == old.id, Restatement.status == "open"))
    if pending is None:
        pending = Restatement(cycle_id=cycle_id, observation_id=old.id, old_numerator=old.numerator,
                              old_denominator=old.denominator)
        db.session.add(pending)
    pending.new_numerator, pending.new_denominator, pending.run_id = row.numerator, row.denominator, run_id
    pending.record = record


def _restate_added(record: dict[str, Any], cycle_id: int) -> None:
    """Hold a record the source added to a published month (an open one for it is updated)."""
    same_record = ((Restatement.source == record["source"]) & (Restatement.external_ref == record["external_ref"])
                   & Restatement.observation_id.is_(None))
    if _dismissed(same_record, _json({name: record[name] for name in FACTS})):
        return
    pending = db.session.scalar(select(Restatement).where(same_record, Restatement.status == "open"))
    if pending is None:
        pending = Restatement(cycle_id=cycle_id, source=record["source"], external_ref=record["external_ref"])
        db.session.add(pending)
    pending.new_numerator, pending.new_denominator, pending.run_id = (
        record["numerator"], record["denominator"], record["run_id"])
    pending.record = _json({key: value for key, value in record.items() if key != "recorded_at"})


def _dismissed(same_figure: ColumnElement[bool], facts: dict[str, Any]) -> bool:
    """Whether HR already dismissed exactly these facts for this figure: a source that resends them
    unchanged does not ask again; a changed value does."""
    latest = db.session.scalar(select(Restatement).where(same_figure).order_by(Restatement.id.desc()).limit(1))
    return (latest is not None and latest.status == "dismissed"
            and {name: (latest.record or {}).get(name) for name in FACTS} == facts)


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, (Decimal, date)) else value for key, value in values.items()}


def _apply(restatement: Restatement, now: datetime) -> set[int]:
    """Put a restatement's new figures (or its added record) where scoring reads them; returns
    the employees whose figures changed."""
    if restatement.observation_id is None:
        record = restatement.record
        assert record is not None, "a restatement without an observation holds the record the source added"
        db.session.add(Observation(
            **{key: record[key] for key in ("employee_id", "indicator_code", "currency", "source", "provenance",
                                            "run_id", "external_ref")},
            day=date.fromisoformat(record["day"]), numerator=restatement.new_numerator,
            denominator=restatement.new_denominator, recorded_at=now))
        return {record["employee_id"]}
    observation = db.session.get(Observation, restatement.observation_id)
    assert observation is not None, "a restatement's observation exists (foreign key)"
    before = observation.employee_id
    record = restatement.record or {}
    observation.employee_id = record.get("employee_id", observation.employee_id)
    observation.indicator_code = record.get("indicator_code", observation.indicator_code)
    observation.day = date.fromisoformat(record["day"]) if "day" in record else observation.day
    observation.currency = record.get("currency", observation.currency)
    observation.numerator, observation.denominator = restatement.new_numerator, restatement.new_denominator
    return {before, observation.employee_id}


def open_assessments(touched: set[tuple[int, date]]) -> list[int]:
    """The open assessments whose months hold one of the touched (employee, day)."""
    if not touched:
        return []
    days = defaultdict(set)
    for employee_id, day in touched:
        days[employee_id].add(day)
    rows = db.session.execute(
        select(Assessment.id, Assessment.employee_id, Assessment.first_day, Assessment.last_day)
        .join(Cycle).where(Cycle.status == CycleStatus.OPEN, Assessment.employee_id.in_(list(days))))
    return sorted({a for a, e, first, last in rows if any(first <= d <= last for d in days[e])})


def open_restatements(cycle_id: int | None = None) -> list[Restatement]:
    """What HR has to look at: restated figures of published months, newest first."""
    query = select(Restatement).where(Restatement.status == "open").order_by(Restatement.detected_at.desc())
    if cycle_id is not None:
        query = query.where(Restatement.cycle_id == cycle_id)
    return list(db.session.scalars(query))


def restatement_rows(cycle_id: int, *, hr_id: int) -> list[dict[str, Any]]:
    """The open restatements of a month as HR weighs them: whose figure, which day, published → new
    (a record the source added has no published figure: "无")."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    rows = []
    for r in open_restatements(cycle_id):
        record = r.record or {}
        ind = lookup.indicator(record["indicator_code"])
        currency = record.get("currency") or ""
        rows.append({"name": lookup.name_of(int(record["employee_id"])), "indicator": ind.name,
                     "day": record.get("day", ""), "source": r.source or "",
                     "old": _figure(ind, r.old_numerator, r.old_denominator, currency),
                     "new": _figure(ind, r.new_numerator, r.new_denominator, currency), "detected_at": r.detected_at})
    return rows


def _figure(ind: Indicator, numerator: Decimal | None, denominator: Decimal | None, currency: str) -> str:
    value = None if numerator is None else Fraction(numerator) / Fraction(denominator or 1)
    return lookup.format_figure(ind, value, currency)


@use_case
def resolve_restatements(cycle_id: int, *, republish: bool, hr_id: int, now: datetime | None = None) -> int:
    """HR's answer for a month: apply the new figures and re-publish (the scoring workers write new
    report versions where a result changed), or dismiss them. Returns how many were resolved."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    pending = open_restatements(cycle_id)
    now = now or clock_now()
    affected = set()
    for restatement in pending:
        if republish:
            affected |= _apply(restatement, now)
        restatement.status = "applied" if republish else "dismissed"
        restatement.resolved_by, restatement.resolved_at = hr_id, now
    try:  # a figure that cannot be scored (a currency without a rate) changes nothing
        runs.check_scorable(cycle_id, affected)
    except DomainError:
        db.session.rollback()
        raise
    audit.record("restatement.apply" if republish else "restatement.dismiss", "cycle", cycle_id, actor_id=hr_id,
                 after={"restatements": len(pending)})
    db.session.commit()
    if republish and pending:  # scored and published by the workers; outcomes follow on the clock
        chunks.close_cycle(cycle_id, reason="数据更正后重新发布")
    return len(pending)
