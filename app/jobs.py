"""Every background job, declared once: where its function lives, its queue, time limit and how long
RQ keeps its result and its failure.

Services queue work with `enqueue(NAME, ...)`; `workers/` listens to `QUEUES` in order and runs the
functions the paths name. Paths are strings so nothing under `app/` imports `workers/` (the worker
code is a thin adapter around the services); a test resolves every path to a function.
"""

from dataclasses import dataclass
from typing import Any

from rq import Queue
from rq.job import Job as RqJob

from app.extensions import redis_store

PROGRESS = "progress"
CLOCK = "clock"
NOTIFY = "notify"
DEFAULT = "default"
SCORING = "scoring"
# Workers listen in this order, so live progress is never stuck behind a month close.
QUEUES = (PROGRESS, CLOCK, NOTIFY, DEFAULT, SCORING)

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class JobSpec:
    """One kind of job: the function RQ imports, where it waits, and RQ's limits for it."""

    path: str
    queue: str
    timeout: int  # seconds before RQ stops the job
    result_ttl: int  # seconds a finished job's result is kept
    failure_ttl: int  # seconds a failed job stays in the failed registry


TICK = JobSpec("workers.jobs.clock.tick", CLOCK, timeout=600, result_ttl=HOUR, failure_ttl=DAY)
DRAIN_PROGRESS = JobSpec("workers.jobs.progress.drain_progress", PROGRESS, timeout=300, result_ttl=60, failure_ttl=DAY)
SCORE_CHUNK = JobSpec("workers.jobs.scoring.score_chunk", SCORING, timeout=600, result_ttl=HOUR, failure_ttl=7 * DAY)
DELIVER = JobSpec("workers.jobs.notify.deliver", NOTIFY, timeout=60, result_ttl=HOUR, failure_ttl=DAY)
EVALUATE_ALERTS = JobSpec("workers.jobs.alerts.evaluate_day", DEFAULT, timeout=600, result_ttl=HOUR, failure_ttl=DAY)

JOBS = (TICK, DRAIN_PROGRESS, SCORE_CHUNK, DELIVER, EVALUATE_ALERTS)


def queue(name: str) -> Queue:
    """The named queue on the app's Redis."""
    return Queue(name, connection=redis_store.client)


def enqueue(spec: JobSpec, *args: Any, job_id: str | None = None, unique: bool = False) -> RqJob:
    """Queue one job with its declared limits. With `unique`, a job id already queued or running
    raises rq's DuplicateJobError, so a caller can tell "queued now" from "already there"."""
    return queue(spec.queue).enqueue(
        spec.path, *args, job_id=job_id, unique=unique, job_timeout=spec.timeout,
        result_ttl=spec.result_ttl, failure_ttl=spec.failure_ttl,
    )
