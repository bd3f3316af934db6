"""Live progress: assessments' bars, pace and projected score, recomputed from scratch. Each
recompute also tells 数据不一致 nobody was told of yet (app.services.scoring.mismatches): it is the
one place that sees a self-report beside the synced figure, after a submission and after a sync.

New data adds its assessment to a pending set and makes sure one drain job is queued. A drain
takes everything pending and recomputes it in one set-based load, so a burst of a hundred
observations for one person costs one or two recomputes, and a busy evening for the whole
company costs a few batched jobs rather than one job per submission. The drain clears its flag
before taking the set, so data that arrives while it computes queues the next drain.

A drain never loses what it took. Taking moves the ids, in one Redis script, from the pending set
into a set of the drain's own under a lease; they leave it only after the bars are committed. A
drain that fails gives them back before RQ retries it (the job declares retries in app/jobs.py);
one whose worker died keeps them until its lease ends, and then the next drain, or the watch job
(`resume`, every few minutes), puts them back and queues a drain. The watch job also checks the
pending set against the database (`reconcile`), so even a Redis that lost its data loses no bars.
"""

import logging
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select, union_all
from sqlalchemy.exc import IntegrityError

from app import jobs
from app.domain.cycles import CycleStatus
from app.domain.errors import DomainError
from app.domain.evaluation import evaluate
from app.domain.rendering import render_assessment
from app.extensions import db, redis_store
from app.models import Assessment, Cycle, Observation, ProgressEntry, ProgressSnapshot
from app.models.base import utcnow
from app.services.business_time import business_today, clock_now
from app.services.scoring import mismatches
from app.services.scoring.inputs import Context
from app.services.usecase import JsonDict, use_case

PENDING = "jixiao:progress:pending"
SCHEDULED = "jixiao:progress:scheduled"
SCHEDULED_TTL_SECONDS = 600  # a lost drain job must not stop recomputes for longer than this
LEASES = "jixiao:progress:leases"  # sorted set: drain token → when its lease ends (epoch seconds)
TAKEN = "jixiao:progress:taken:"  # + token: the ids one drain took and has not committed yet
LEASE_SECONDS = jobs.DRAIN_PROGRESS.timeout + 60  # RQ has stopped the drain by then
BATCH = 500
RECONCILE_WINDOW = timedelta(days=2)  # data older than this had its bars computed long ago
log = logging.getLogger(__name__)

# KEYS: pending, leases. ARGV: taken prefix, now. Expired drains' ids go back to pending.
_RECLAIM = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
for _, token in ipairs(expired) do
  local taken = ARGV[1] .. token
  if redis.call('EXISTS', taken) == 1 then redis.call('SUNIONSTORE', KEYS[1], KEYS[1], taken) end
  redis.call('DEL', taken)
  redis.call('ZREM', KEYS[2], token)
end
return #expired
"""
# KEYS: pending, leases. ARGV: taken prefix, now, token, lease end, batch. Reclaim, then take.
_TAKE = _RECLAIM.replace("return #expired", """
local ids = redis.call('SPOP', KEYS[1], ARGV[5])
if #ids > 0 then
  redis.call('SADD', ARGV[1] .. ARGV[3], unpack(ids))
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
end
return ids
""")


def request_recompute(*assessment_ids: int) -> bool:
    """Ask for recomputes after new data was committed, in one SADD however many; False when every
    one was already pending (or none was given)."""
    if not assessment_ids:
        return False
    added = redis_store.client.sadd(PENDING, *assessment_ids)
    _schedule_drain()
    return bool(added)


def refresh_open() -> int:
    """Ask for every open assessment's bars again (the clock, once a day): the day moved on, so the
    pace marker and "截至…" move too, with or without new data."""
    ids = list(db.session.scalars(select(Assessment.id).join(Cycle).where(Cycle.status == CycleStatus.OPEN)))
    request_recompute(*ids)
    return len(ids)


def _schedule_drain() -> bool:
    if redis_store.client.set(SCHEDULED, 1, nx=True, ex=SCHEDULED_TTL_SECONDS):
        jobs.enqueue(jobs.DRAIN_PROGRESS)
        return True
    return False


@use_case
def drain(as_of: date | None = None) -> int:
    """Recompute everything pending (in batches); returns how many assessments were recomputed.
    On any failure what it took goes back to the pending set and the failure is raised for RQ."""
    redis_store.client.delete(SCHEDULED)
    token = uuid.uuid4().hex
    ids = _take(token, time.time())
    try:
        done = recompute_many(ids, as_of)
    except BaseException:  # a timeout too: RQ's retry, or the next drain, takes them again
        _give_back(token)
        raise
    _settle(token)
    if redis_store.client.scard(PENDING):
        _schedule_drain()
    return done


def resume(now: float) -> bool:
    """The watch job's safety net: put back what drains that died took (their lease over by `now`,
    epoch seconds) and queue a drain when anything waits; True when one was queued."""
    client = redis_store.client
    client.eval(_RECLAIM, 2, PENDING, LEASES, TAKEN, repr(now))
    if not client.scard(PENDING):
        return False
    return _schedule_drain()


@use_case
def reconcile(now: datetime) -> int:
    """The watch job's check against the database, the source of truth: assessments of open months
    whose person has data newer than their bars (the pending set lost with a Redis that restarted
    without its data) are asked for again. Returns how many."""
    since = now - RECONCILE_WINDOW
    newest = union_all(
        select(ProgressEntry.employee_id.label("employee_id"), ProgressEntry.updated_at.label("at"))
        .where(ProgressEntry.updated_at >= since),
        select(Observation.employee_id.label("employee_id"), Observation.recorded_at.label("at"))
        .where(Observation.recorded_at >= since, Observation.employee_id.is_not(None)),
    ).subquery()
    latest = select(newest.c.employee_id, func.max(newest.c.at).label("at")).group_by(newest.c.employee_id).subquery()
    stale = db.session.scalars(
        select(Assessment.id).join(Cycle).join(latest, latest.c.employee_id == Assessment.employee_id)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.assessment_id == Assessment.id)
        .where(Cycle.status == CycleStatus.OPEN,
               # <=: MariaDB keeps whole seconds, so a tie cannot tell which came first: recompute
               or_(ProgressSnapshot.id.is_(None), ProgressSnapshot.computed_at <= latest.c.at))
    ).all()
    db.session.commit()  # end the read: the next check sees fresh rows
    request_recompute(*stale)
    return len(stale)


def _take(token: str, now: float) -> list[int]:
    """Move up to BATCH pending ids into this drain's leased set, after reclaiming expired leases."""
    raw = redis_store.client.eval(_TAKE, 2, PENDING, LEASES, TAKEN, repr(now), token,
                                  repr(now + LEASE_SECONDS), BATCH)
    return [int(value) for value in raw or []]


def _give_back(token: str) -> None:
    """Return the drain's ids to the pending set; if Redis is gone too, the lease returns them later."""
    try:
        with redis_store.client.pipeline() as pipe:  # MULTI/EXEC: all or nothing
            pipe.sunionstore(PENDING, [PENDING, TAKEN + token])
            pipe.delete(TAKEN + token)
            pipe.zrem(LEASES, token)
            pipe.execute()
    except Exception:
        log.exception("progress: could not give back drain %s; its lease will", token)


def _settle(token: str) -> None:
    """The bars are committed: the drain's ids are done."""
    with redis_store.client.pipeline() as pipe:
        pipe.delete(TAKEN + token)
        pipe.zrem(LEASES, token)
        pipe.execute()


@use_case
def recompute(assessment_id: int, as_of: date | None = None) -> ProgressSnapshot | None:
    """Recompute one assessment now (tests, and a reader that needs it at once)."""
    recompute_many([assessment_id], as_of)
    return db.session.scalar(select(ProgressSnapshot).where(ProgressSnapshot.assessment_id == assessment_id))


@use_case
def recompute_many(ids: list[int], as_of: date | None = None) -> int:
    """Compute and store the progress of assessments in open cycles as of `as_of` (default today)."""
    as_of = as_of or business_today()
    by_cycle: dict[int, list[int]] = defaultdict(list)
    for assessment_id, cycle_id in db.session.execute(
        select(Assessment.id, Assessment.cycle_id).join(Cycle)
        .where(Assessment.id.in_(ids), Cycle.status == CycleStatus.OPEN)
    ):
        by_cycle[cycle_id].append(assessment_id)
    bodies: dict[int, tuple[date, JsonDict]] = {}
    owners: dict[int, int] = {}  # assessment id → employee id
    for cycle_id, cycle_ids in by_cycle.items():
        cycle = db.session.get(Cycle, cycle_id)
        assert cycle is not None, "the cycle was just joined to its assessments"
        context = Context.load(cycle, cycle_ids, with_last_month=True)
        for assessment in context.assessments:
            owners[assessment.id] = assessment.employee_id
            day = min(max(as_of, assessment.first_day), assessment.last_day)
            try:
                bodies[assessment.id] = (day, render_assessment(evaluate(context.input_for(assessment, as_of=day))))
            except DomainError as exc:  # e.g. a currency without this month's rate: the others still go on
                log.warning("progress of assessment %s not computed: %s", assessment.id, exc)
    try:
        _store(bodies)
    except IntegrityError:  # another worker stored a first snapshot meanwhile: update theirs
        db.session.rollback()
        _store(bodies)
    mismatches.tell_new(((owners[aid], body) for aid, (_, body) in bodies.items()), clock_now())
    return len(bodies)


def _store(bodies: dict[int, tuple[date, JsonDict]]) -> None:
    existing = {s.assessment_id: s for s in db.session.scalars(
        select(ProgressSnapshot).where(ProgressSnapshot.assessment_id.in_(list(bodies))))}
    now = utcnow()
    for assessment_id, (day, body) in bodies.items():
        snapshot = existing.get(assessment_id)
        if snapshot is None:
            snapshot = ProgressSnapshot(assessment_id=assessment_id)
            db.session.add(snapshot)
        snapshot.as_of, snapshot.body, snapshot.computed_at = day, body, now
    db.session.commit()
