"""Live progress: an assessment's bars, pace and projected score, recomputed from scratch.

New data asks for a recompute; requests for one assessment coalesce while one is queued, so a
burst of a hundred observations costs one or two recomputes, never a hundred. The job clears the
flag before it reads, so data that arrives during a recompute is picked up by the next one.
"""

from datetime import date

from rq import Queue
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.domain.cycles import CycleStatus
from app.domain.scorefile import evaluate
from app.domain.scorefile_render import render_assessment
from app.extensions import db, redis_store
from app.models import Assessment, Cycle, ProgressSnapshot
from app.services.clock import business_today
from app.models.base import utcnow
from app.services.evaluation import Context
from workers import queues

PENDING_KEY = "jixiao:progress:pending:{}"
PENDING_TTL_SECONDS = 600  # a lost job must not block recomputes for longer than this


def request_recompute(assessment_id: int) -> bool:
    """Ask for a recompute after new data was committed; False when one is already queued."""
    if not redis_store.client.set(PENDING_KEY.format(assessment_id), 1, nx=True, ex=PENDING_TTL_SECONDS):
        return False
    Queue(queues.PROGRESS, connection=redis_store.client).enqueue(
        "workers.jobs.progress.recompute_progress", assessment_id, job_timeout=120, result_ttl=60, failure_ttl=86400
    )
    return True


def start_recompute(assessment_id: int) -> None:
    """The job's first step: from now on, new data queues another recompute."""
    redis_store.client.delete(PENDING_KEY.format(assessment_id))


def recompute(assessment_id: int, as_of: date | None = None) -> ProgressSnapshot | None:
    """Compute and store the assessment's progress as of `as_of` (today in the business zone)."""
    assessment = db.session.get(Assessment, assessment_id)
    cycle = db.session.get(Cycle, assessment.cycle_id) if assessment else None
    if cycle is None or cycle.status != CycleStatus.OPEN:
        return None
    as_of = min(max(as_of or business_today(), assessment.first_day), assessment.last_day)
    context = Context.load(cycle, [assessment_id], with_last_month=True)
    body = render_assessment(evaluate(context.request(context.assessments[0], as_of=as_of)))
    try:
        return _store(assessment_id, as_of, body)
    except IntegrityError:  # another worker stored the first snapshot meanwhile: update theirs
        db.session.rollback()
        return _store(assessment_id, as_of, body)


def _store(assessment_id: int, as_of: date, body: dict) -> ProgressSnapshot:
    snapshot = db.session.scalar(select(ProgressSnapshot).where(ProgressSnapshot.assessment_id == assessment_id))
    if snapshot is None:
        snapshot = ProgressSnapshot(assessment_id=assessment_id)
        db.session.add(snapshot)
    snapshot.as_of, snapshot.body, snapshot.computed_at = as_of, body, utcnow()
    db.session.commit()
    return snapshot
