"""Every background job, declared once: where its function lives, its queue, time limit, how long
RQ keeps its result and its failure, and how often RQ retries it when it fails.

Services queue work with `enqueue(NAME, ...)`; `workers/` listens to `QUEUES` in order and runs the
functions the paths name. Paths are strings so nothing under `app/` imports `workers/` (the worker
code is a thin adapter around the services); a test resolves every path to a function.

`failures()`, `waiting()` and `scheduler_ages()` read RQ's registries for the watch job and
/healthz: what failed for good, how long the oldest job of each queue has waited, and when each
CronScheduler was last heard from.
"""

import re
import time
from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from rq import Queue, Retry, cron_scheduler_registry
from rq.job import Job as RqJob

from app.extensions import redis_store

PROGRESS = "progress"
CLOCK = "clock"
NOTIFY = "notify"
DEFAULT = "default"
SCORING = "scoring"
EVIDENCE = "evidence"  # OCR: about a second a screenshot, so last
# Workers listen in this order, so live progress is never stuck behind a month close.
QUEUES = (PROGRESS, CLOCK, NOTIFY, DEFAULT, SCORING, EVIDENCE)

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class JobSpec:
    """One kind of job: the function RQ imports, where it waits, RQ's limits for it, and the pauses
    before RQ's retries (none: a failure is final at once, because something else retries it)."""

    path: str
    queue: str
    timeout: int  # seconds before RQ stops the job
    result_ttl: int  # seconds a finished job's result is kept
    failure_ttl: int  # seconds a failed job stays in the failed registry
    retry_after: tuple[int, ...] = ()  # seconds before each retry; a worker's scheduler queues them

    @property
    def retry(self) -> Retry | None:
        """RQ's Retry for this job: as many retries as pauses, each after its pause."""
        return Retry(max=len(self.retry_after), interval=list(self.retry_after)) if self.retry_after else None


# The tick runs again next minute, deliveries are retried by the outbox's own schedule and the
# watch every few minutes: none of them is retried by RQ. The others recompute or re-evaluate from
# the database, so running them again is safe.
TICK = JobSpec("workers.jobs.clock.tick", CLOCK, timeout=600, result_ttl=HOUR, failure_ttl=DAY)
WATCH = JobSpec("workers.jobs.watch.watch", CLOCK, timeout=120, result_ttl=HOUR, failure_ttl=DAY)
DRAIN_PROGRESS = JobSpec("workers.jobs.progress.drain_progress", PROGRESS, timeout=300, result_ttl=60, failure_ttl=DAY,
                         retry_after=(10, 60, 300))
SCORE_CHUNK = JobSpec("workers.jobs.scoring.score_chunk", SCORING, timeout=600, result_ttl=HOUR, failure_ttl=7 * DAY,
                      retry_after=(60, 300))
DELIVER = JobSpec("workers.jobs.notify.deliver", NOTIFY, timeout=60, result_ttl=HOUR, failure_ttl=DAY)
EVALUATE_ALERTS = JobSpec("workers.jobs.alerts.evaluate_day", DEFAULT, timeout=600, result_ttl=HOUR, failure_ttl=DAY,
                          retry_after=(60, 300, 900))
# A screenshot's content check asks WeChat (retried while it is unreachable); its OCR reads it.
CHECK_SCREENSHOT = JobSpec("workers.jobs.evidence.check_screenshot", DEFAULT, timeout=60, result_ttl=HOUR,
                           failure_ttl=DAY, retry_after=(60, 300, 900))
READ_SCREENSHOT = JobSpec("workers.jobs.evidence.read_screenshot", EVIDENCE, timeout=120, result_ttl=HOUR,
                          failure_ttl=DAY, retry_after=(60, 300))

# A connector's sync: a failure is recorded in its run and the next scheduled sync retries it.
SYNC = JobSpec("workers.jobs.connectors.sync", DEFAULT, timeout=1800, result_ttl=HOUR, failure_ttl=DAY)

# A chat message to the bot: acted on and answered through the outbox (never retried by RQ: a
# second run could act twice; the person sends again).
BOT_MESSAGE = JobSpec("workers.jobs.bot.handle_message", NOTIFY, timeout=60, result_ttl=HOUR, failure_ttl=DAY)

# A month's workbook (月度报表): built again by HR or after an accepted appeal; a failure shows on the page.
MONTHLY_REPORT = JobSpec("workers.jobs.reports.build_monthly_report", DEFAULT, timeout=1800, result_ttl=HOUR,
                         failure_ttl=DAY)

JOBS = (TICK, WATCH, DRAIN_PROGRESS, SCORE_CHUNK, DELIVER, EVALUATE_ALERTS, CHECK_SCREENSHOT, READ_SCREENSHOT,
        BOT_MESSAGE, SYNC, MONTHLY_REPORT)
WATCH_INTERVAL_SECONDS = 300  # how often the scheduler queues WATCH
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")  # a traceback's final line starts at column 0
_EXCEPTION_WORD = re.compile(r"\b([A-Za-z_][\w.]*(?:Error|Exception))\b")  # RQ's own notes ("AbandonedJobError")


def queue(name: str, connection: Redis | None = None) -> Queue:
    """The named queue on the app's Redis (or on `connection`)."""
    return Queue(name, connection=connection or redis_store.client)


def enqueue(spec: JobSpec, *args: object, job_id: str | None = None, unique: bool = False) -> RqJob:
    """Queue one job with its declared limits and retries. With `unique`, a job id RQ still holds
    (waiting, running, scheduled for a retry, or finished or failed and not yet expired) raises
    rq's DuplicateJobError, so a caller can tell "queued now" from "already there"."""
    return queue(spec.queue).enqueue(
        spec.path, *args, job_id=job_id, unique=unique, job_timeout=spec.timeout,
        result_ttl=spec.result_ttl, failure_ttl=spec.failure_ttl, retry=spec.retry,
    )


@dataclass(frozen=True)
class Failure:
    """A job that failed for good (its retries used up) and still sits in its failed registry."""

    queue: str
    job_id: str
    path: str
    ended_at: datetime | None  # aware UTC, as RQ records it
    error: str  # the exception's type only: driver messages may name hosts, paths or values


def failures(connection: Redis | None = None) -> list[Failure]:
    """Every job in the failed registries, queue by queue in `QUEUES` order."""
    found = []
    for name in QUEUES:
        registry = queue(name, connection).failed_job_registry
        for job in RqJob.fetch_many(registry.get_job_ids(), connection=registry.connection):
            if job is not None:
                result = job.latest_result()
                error = _exception_type(result.exc_string if result is not None else None)
                found.append(Failure(name, job.id, job.func_name or "?", job.ended_at, error))
    return found


def requeue_failed(queue_name: str, job_id: str, connection: Redis | None = None) -> bool:
    """Put a failed job back on its queue (RQ keeps its arguments); False when it is no longer there."""
    registry = queue(queue_name, connection).failed_job_registry
    if job_id not in registry.get_job_ids():
        return False
    registry.requeue(job_id)
    return True


def discard_failed(queue_name: str, job_id: str, connection: Redis | None = None) -> bool:
    """Delete a failed job for good; False when it is no longer there."""
    registry = queue(queue_name, connection).failed_job_registry
    if job_id not in registry.get_job_ids():
        return False
    registry.remove(job_id, delete_job=True)
    return True


def waiting(connection: Redis | None = None, now: float | None = None) -> dict[str, dict[str, float | int | None]]:
    """Per queue: jobs waiting, seconds the oldest one has waited (None when none waits), and jobs
    that failed for good."""
    now = time.time() if now is None else now
    report: dict[str, dict[str, float | int | None]] = {}
    for name in QUEUES:
        rq_queue = queue(name, connection)
        first = rq_queue.get_job_ids(0, 1)
        oldest = rq_queue.fetch_job(first[0]) if first else None
        queued_at = oldest.enqueued_at if oldest is not None else None
        report[name] = {
            "waiting": rq_queue.count,
            "oldest_waiting_seconds": round(max(0.0, now - queued_at.timestamp()), 1) if queued_at else None,
            "failed": rq_queue.failed_job_registry.count,
        }
    return report


def _exception_type(exc_info: str | None) -> str:
    """The type named by a traceback's final exception line ("pkg.Error: text" → "pkg.Error")."""
    for line in reversed((exc_info or "").splitlines()):
        if found := _EXCEPTION_LINE.match(line):
            return found.group(1)
    found = _EXCEPTION_WORD.search(exc_info or "")
    return found.group(1) if found else ""


def scheduler_ages(connection: Redis | None = None, now: float | None = None) -> list[float]:
    """Seconds since each CronScheduler's last heartbeat (RQ's registry), freshest first. Entries a
    day old (schedulers that died without unregistering) are removed."""
    client = connection or redis_store.client
    now = time.time() if now is None else now
    cron_scheduler_registry.cleanup(client, threshold=DAY)
    scores = client.zrange(cron_scheduler_registry.get_registry_key(), 0, -1, withscores=True)
    return sorted(max(0.0, now - float(beat[1])) for beat in scores)
