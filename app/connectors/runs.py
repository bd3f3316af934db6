"""One sync of one connector: a run record, the vendor's records attributed to people, written
through the one write path, and the checkpoint saved with them (docs/connectors.md).

Everything the vendor sends is fetched and parsed before anything is written, so a malformed
payload or a vendor that keeps failing leaves a failed run with its error and nothing else. A figure
out of range is refused per record and counted; a record nobody's mapping covers is kept as an
unmapped record. The admin is told when a connector fails twice in a row.
"""

import time
from datetime import datetime

from flask import current_app
from rq.exceptions import DuplicateJobError
from sqlalchemy import func, select

from app import jobs
from app.connectors import vault
from app.connectors.base import CustomerRating, Kind, Record, Window
from app.connectors.http import Sleep, VendorError
from app.connectors.registry import KINDS
from app.connectors.registry import kind as kind_of
from app.domain.attribution import Mapping, Owners, figure_problem
from app.domain.templates import Rater
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, AssessmentItem, Connector, ExternalIdentity, SyncRun, UnmappedRecord
from app.services import audit
from app.services.business_time import business_today, clock_now, to_local, zone
from app.services.feedback import ratings
from app.services.notify import outbox
from app.services.notify.job_failures import admins
from app.services.observations import sync
from app.services.usecase import use_case

PROVENANCE = "verified"
TELL_AFTER = 2  # failed syncs in a row before the admins hear of it
ERROR_LENGTH = 500


@use_case
def sync_now(source: str, *, now: datetime | None = None, sleep: Sleep = time.sleep) -> SyncRun:
    """Run one sync of `source`'s connector and return its run (done or failed, never half-written)."""
    kind = kind_of(source)
    connector = db.session.scalar(select(Connector).where(Connector.source == source))
    if connector is None or connector.status != "valid":
        raise ApiError("connector_not_ready", f"数据连接「{kind.name}」还没有有效的凭据", 409, {"source": source})
    now = now or clock_now()
    run = SyncRun(source=source, kind="sync", started_at=now)
    db.session.add(run)
    db.session.commit()
    try:
        vendor = kind.build(vault.unseal(connector.secret), dict(current_app.config), sleep)
        fetched = vendor.fetch(dict(connector.checkpoint or {}), Window(business_today(now), now, zone()))
    except (VendorError, vault.SealBroken) as exc:
        return _failed(run, connector, kind, str(exc), now)
    try:
        incoming, unmapped, refused = attribute(kind, fetched.records)
        run.counts = {"fetched": len(fetched.records), "refused": refused, "unmapped": len(unmapped),
                      "requests": fetched.requests}
        keep_unmapped(source, kind.identity, unmapped, run.id)
        connector.checkpoint, connector.failures = fetched.checkpoint, 0
        sync.record_run(run.id, PROVENANCE, incoming, covered_through=fetched.covered_through)  # audited once
        if fetched.ratings:
            _record_ratings(kind, fetched.ratings, run, now)
    except Exception as exc:  # a bug or the database: the run says so, and the job fails for the admins too
        _failed(run, connector, kind, f"写入失败：{type(exc).__name__}", now)
        raise
    return run


def _record_ratings(kind: Kind, found: list[CustomerRating], run: SyncRun, now: datetime) -> None:
    """Each customer rating on its person's customer-rated item of that day's month; counted in the
    run (a rating whose person or item is not found is counted, not kept)."""
    owners = owners_of(kind.identity, {r.external_id for r in found})
    counts = {"ratings": 0, "ratings_unplaced": 0}
    for rating in found:
        owner = owners.owner(rating.external_id, rating.day)
        item_id = None if owner is None else db.session.scalar(
            select(AssessmentItem.id).join(Assessment, Assessment.id == AssessmentItem.assessment_id).where(
                Assessment.employee_id == owner, Assessment.first_day <= rating.day,
                Assessment.last_day >= rating.day, AssessmentItem.rater == Rater.CUSTOMER.value)
            .order_by(AssessmentItem.id).limit(1))
        if item_id is None:
            counts["ratings_unplaced"] += 1
            continue
        ratings.record_customer_rating(item_id, rating.value, rating.ref, now=now, source=kind.source)
        counts["ratings"] += 1
    run.counts = {**run.counts, **counts}
    db.session.commit()


def enqueue_due(now: datetime) -> list[str]:
    """Queue a sync of each connector with valid credentials that has not started one in its current
    schedule slot; the job id is the slot's, so a second tick queues nothing. Returns the sources."""
    queued = []
    for connector in db.session.scalars(select(Connector).where(Connector.status == "valid")):
        kind = KINDS.get(connector.source)
        if kind is None:
            continue
        slot = kind.slot(to_local(now))
        started = db.session.scalar(select(func.max(SyncRun.started_at)).where(
            SyncRun.source == kind.source, SyncRun.kind == "sync"))
        if started is not None and to_local(started) >= slot:
            continue
        try:
            jobs.enqueue(jobs.SYNC, kind.source, job_id=f"sync-{kind.source}-{slot:%Y%m%d%H}", unique=True)
        except DuplicateJobError:
            continue
        queued.append(kind.source)
    return queued


def attribute(kind: Kind, records: list[Record]) -> tuple[list[sync.Incoming], list[Record], int]:
    """The records as people's figures, the ones nobody's mapping covers, and how many were refused
    for a figure out of range."""
    namespaces = {r.identity or kind.identity for r in records}
    owners = {name: owners_of(name, {r.external_id for r in records if (r.identity or kind.identity) == name})
              for name in namespaces}
    incoming, unmapped, refused = [], [], 0
    for record in records:
        if figure_problem(record.numerator, record.denominator):
            refused += 1
            continue
        owner = owners[record.identity or kind.identity].owner(record.external_id, record.day)
        if owner is None:
            unmapped.append(record)
            continue
        incoming.append(sync.Incoming(owner, record.indicator_code, record.day, record.numerator,
                                      record.denominator, record.external_ref, record.currency))
    return incoming, unmapped, refused


def owners_of(identity: str, external_ids: set[str] | None = None) -> Owners:
    """The mappings of `identity` for these external ids (None: all of them — a company has hundreds
    at most, fewer than a big file has rows)."""
    query = select(ExternalIdentity).where(ExternalIdentity.source == identity)
    ids = sorted(external_ids or ())
    chunks = [query] if external_ids is None else [
        query.where(ExternalIdentity.external_id.in_(ids[start:start + sync.CHUNK]))
        for start in range(0, len(ids), sync.CHUNK)]
    return Owners(Mapping(m.external_id, m.employee_id, m.effective_from, m.effective_to)
                  for each in chunks for m in db.session.scalars(each))


def keep_unmapped(source: str, identity: str, records: list[Record], run_id: int) -> None:
    """Upsert the unmapped records by their source record; the caller commits."""
    refs = [r.external_ref for r in records]
    existing: dict[str, UnmappedRecord] = {}
    for start in range(0, len(refs), sync.CHUNK):
        existing |= {u.external_ref: u for u in db.session.scalars(select(UnmappedRecord).where(
            UnmappedRecord.source == source, UnmappedRecord.external_ref.in_(refs[start:start + sync.CHUNK])))}
    for record in records:
        row = existing.get(record.external_ref)
        if row is None:
            row = UnmappedRecord(source=source, identity=record.identity or identity, external_ref=record.external_ref,
                                 provenance=PROVENANCE)
            db.session.add(row)
        row.external_id, row.indicator_code, row.day = record.external_id, record.indicator_code, record.day
        row.numerator, row.denominator, row.currency = record.numerator, record.denominator, record.currency
        row.run_id, row.recorded_at = run_id, clock_now()


def _failed(run: SyncRun, connector: Connector, kind: Kind, error: str, now: datetime) -> SyncRun:
    """Record the failure (nothing else was written); the admins hear of the second in a row."""
    db.session.rollback()
    run.status, run.finished_at, run.error = "failed", now, error[:ERROR_LENGTH]
    connector.failures += 1
    audit.record("connector.failed", "connector", connector.id, source="clock",
                 after={"source": kind.source, "run_id": run.id, "failures": connector.failures})
    if connector.failures == TELL_AFTER:
        body = (f"数据连接「{kind.name}」已连续{TELL_AFTER}次同步失败，最近一次：{error[:200]}。"
                "请到管理后台的数据连接页检查凭据和状态。")
        for admin_id in admins():
            outbox.enqueue(admin_id, "job_failed", title="数据同步失败",
                           summary=f"{kind.name} 连续{TELL_AFTER}次同步失败", body=body, now=now,
                           dedupe_key=f"connector_failed:{kind.source}:{run.id}:{admin_id}",
                           data={"source": kind.source, "run_id": run.id})
    db.session.commit()
    return run
