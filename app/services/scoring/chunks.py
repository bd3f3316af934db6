"""A month's close split into chunk jobs, so more workers finish sooner, and a run that lost a
worker finishes by itself.

Chunks are fixed slices of the cycle's assessments in id order. A chunk is done when all its
assessments have scores in the run — the database is the only truth, never a job's status. Each
chunk carries a lease (when someone last took responsibility for it); the clock's tick re-enqueues
chunks whose lease is older than LEASE_SECONDS and finishes a run once every chunk is done.
"""

import math
import time

from redis.exceptions import WatchError
from sqlalchemy import select

from app import jobs
from app.extensions import db, redis_store
from app.models import Score, ScoringRun
from app.services.scoring import runs
from app.services.usecase import use_case

CHUNK_SIZE = 250
LEASE_SECONDS = jobs.SCORE_CHUNK.timeout + 60  # never reclaim a chunk its job may still be working on
LEASES = "jixiao:scoring:leases:{}"


def close_cycle(cycle_id: int, *, reason: str, chunk_size: int = CHUNK_SIZE) -> int:
    """Start a run for the cycle and enqueue all its chunks; returns the run's id."""
    total = max(1, math.ceil(len(runs.assessment_ids(cycle_id)) / chunk_size))
    run_id = runs.start_run(cycle_id, reason=reason, chunks_total=total)
    for index in range(total):
        enqueue_chunk(run_id, index, now=time.time())
    return run_id


def chunk_ids(run: ScoringRun, index: int, ids: list[int] | None = None) -> list[int]:
    """The chunk's slice of the cycle's assessment ids (pass `ids` when slicing many chunks)."""
    ids = runs.assessment_ids(run.cycle_id) if ids is None else ids
    size = math.ceil(len(ids) / run.chunks_total) if ids else 1
    return ids[index * size:(index + 1) * size]


def missing_chunks(run: ScoringRun) -> list[int]:
    """Chunks with at least one assessment not yet scored in this run."""
    ids = runs.assessment_ids(run.cycle_id)
    scored = set(db.session.scalars(select(Score.assessment_id).where(Score.run_id == run.id)))
    return [i for i in range(run.chunks_total) if not set(chunk_ids(run, i, ids)) <= scored]


def enqueue_chunk(run_id: int, index: int, *, now: float) -> None:
    """Take the chunk's lease and queue its job (a fresh job id each time: an old one may be lost)."""
    redis_store.client.hset(LEASES.format(run_id), str(index), repr(now))
    jobs.enqueue(jobs.SCORE_CHUNK, run_id, index)


def take_lease(run_id: int, index: int, *, now: float) -> None:
    """A chunk job starting: it is now responsible for the chunk."""
    redis_store.client.hset(LEASES.format(run_id), str(index), repr(now))


@use_case
def after_chunk(run_id: int) -> bool:
    """Record progress; finish the run when nothing is missing (True then)."""
    run = db.session.get(ScoringRun, run_id)
    assert run is not None, "chunks belong to a run that was started (and committed) first"
    missing = missing_chunks(run)
    run.chunks_done = run.chunks_total - len(missing)
    db.session.commit()
    if missing:
        return False
    runs.finish_run(run_id)
    redis_store.client.delete(LEASES.format(run_id))
    return True


@use_case
def resume_runs(*, now: float | None = None) -> list[int]:
    """The tick's part: re-enqueue chunks whose lease went stale; finish complete runs.
    Returns the ids of runs it touched. Safe to call from two schedulers at once."""
    now = time.time() if now is None else now
    touched = []
    for run in db.session.scalars(select(ScoringRun).where(ScoringRun.status == "running")).all():
        missing = missing_chunks(run)
        if not missing:
            after_chunk(run.id)
            touched.append(run.id)
            continue
        for index in missing:
            if _reclaim(run.id, index, now):
                enqueue_chunk(run.id, index, now=now)
                touched.append(run.id)
    return sorted(set(touched))


def _reclaim(run_id: int, index: int, now: float) -> bool:
    """Atomically move a stale lease to `now`; only one caller wins a given stale lease."""
    key, field = LEASES.format(run_id), str(index)
    with redis_store.client.pipeline() as pipe:
        pipe.watch(key)  # type: ignore[no-untyped-call]  # redis-py leaves Pipeline.watch unannotated
        lease = pipe.hget(key, field)
        if lease is not None and now - float(lease) <= LEASE_SECONDS:
            pipe.unwatch()
            return False
        pipe.multi()
        pipe.hset(key, field, repr(now))
        try:
            pipe.execute()
        except WatchError:  # someone else reclaimed it first
            return False
    return True
