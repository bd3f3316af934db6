"""Live progress: assessments' bars, pace and projected score, recomputed from scratch.

New data adds its assessment to a pending set and makes sure one drain job is queued. A drain
takes everything pending and recomputes it in one set-based load, so a burst of a hundred
observations for one person costs one or two recomputes, and a busy evening for the whole
company costs a few batched jobs rather than one job per submission. The drain clears its flag
before taking the set, so data that arrives while it computes queues the next drain.
"""

import logging
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import jobs
from app.domain.cycles import CycleStatus
from app.domain.errors import DomainError
from app.domain.evaluation import evaluate
from app.domain.rendering import render_assessment
from app.extensions import db, redis_store
from app.models import Assessment, Cycle, ProgressSnapshot
from app.models.base import utcnow
from app.services.business_time import business_today
from app.services.scoring.inputs import Context
from app.services.usecase import JsonDict, use_case

PENDING = "jixiao:progress:pending"
SCHEDULED = "jixiao:progress:scheduled"
SCHEDULED_TTL_SECONDS = 600  # a lost drain job must not stop recomputes for longer than this
BATCH = 500
log = logging.getLogger(__name__)


def request_recompute(assessment_id: int) -> bool:
    """Ask for a recompute after new data was committed; False when it was already pending."""
    added = redis_store.client.sadd(PENDING, assessment_id)
    _schedule_drain()
    return bool(added)


def _schedule_drain() -> None:
    if redis_store.client.set(SCHEDULED, 1, nx=True, ex=SCHEDULED_TTL_SECONDS):
        jobs.enqueue(jobs.DRAIN_PROGRESS)


@use_case
def drain(as_of: date | None = None) -> int:
    """Recompute everything pending (in batches); returns how many assessments were recomputed."""
    redis_store.client.delete(SCHEDULED)
    ids = [int(raw) for raw in redis_store.client.spop(PENDING, BATCH) or []]
    done = recompute_many(ids, as_of)
    if redis_store.client.scard(PENDING):
        _schedule_drain()
    return done


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
    for cycle_id, cycle_ids in by_cycle.items():
        cycle = db.session.get(Cycle, cycle_id)
        assert cycle is not None, "the cycle was just joined to its assessments"
        context = Context.load(cycle, cycle_ids, with_last_month=True)
        for assessment in context.assessments:
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
