"""Health of the product, in three depths.

- live: the web process answers (nothing is checked: a load balancer must not take a web process
  out because Redis is down — every other process would fail the same way).
- ready: the database and Redis answer, so this web process can serve requests.
- full (/healthz): ready, plus the processes behind the web tier — the scheduler (its CronScheduler
  heartbeat), the clock (when the last tick ran: a worker runs it), each worker (its own heartbeat,
  so a frozen one is named) and each queue (oldest waiting job, jobs that failed for good).

Answers are public: a failure is one generic word ("unreachable"); the driver's message, which
can name hosts, sockets and paths, goes to the log only.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from rq.defaults import DEFAULT_CRON_SCHEDULER_TTL
from sqlalchemy import text

from app import jobs
from app.extensions import db, redis_store
from app.services import heartbeat
from app.services.usecase import JsonDict

log = logging.getLogger(__name__)

UNREACHABLE = "unreachable"
SCHEDULER_MAX_AGE_SECONDS = DEFAULT_CRON_SCHEDULER_TTL  # RQ itself forgets a scheduler silent this long
# How long the oldest job of a queue may wait before the queue counts as stuck: live progress, the
# clock and messages should start within minutes; a month's close may keep chunks waiting longer.
QUEUE_MAX_WAIT_SECONDS = {jobs.PROGRESS: 300, jobs.CLOCK: 300, jobs.NOTIFY: 600, jobs.DEFAULT: 1800,
                          jobs.SCORING: 3 * jobs.HOUR, jobs.EVIDENCE: 1800}


@dataclass
class Health:
    checks: dict[str, JsonDict] = field(default_factory=dict)

    @property
    def down(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check["ok"]]


def check_ready() -> Health:
    """The database and Redis; one failing never hides the other."""
    health = Health()
    health.checks["database"] = _guarded("database", _check_database)
    health.checks["redis"] = _guarded("redis", _check_redis)
    return health


def check_all() -> Health:
    """Ready, and the processes behind the web tier (skipped as unknown while Redis is down)."""
    health = check_ready()
    redis_ok = health.checks["redis"]["ok"]
    for name, check in (("scheduler", _check_scheduler), ("clock", _check_clock), ("workers", _check_workers),
                        ("queues", _check_queues)):
        health.checks[name] = _guarded(name, check) if redis_ok else {"ok": False, "error": "unknown: redis is down"}
    return health


def _guarded(name: str, check: Callable[[], JsonDict]) -> JsonDict:
    """Run one check; any exception is logged in full and answered as "unreachable"."""
    try:
        return check()
    except Exception:  # any driver error means "down"; what it says stays in the log
        log.warning("health check %s failed", name, exc_info=True)
        if name == "database":
            db.session.rollback()
        return {"ok": False, "error": UNREACHABLE}


def _check_database() -> JsonDict:
    db.session.execute(text("SELECT 1")).scalar_one()  # read to the end: no cursor left open
    return {"ok": True}


def _check_redis() -> JsonDict:
    redis_store.client.ping()
    return {"ok": True}


def _check_scheduler() -> JsonDict:
    """The freshest CronScheduler heartbeat; the scheduler beats at least once a minute."""
    ages = jobs.scheduler_ages()
    if not ages:
        return {"ok": False, "error": "no scheduler heartbeat", "last_heartbeat_age_seconds": None}
    age = round(ages[0], 1)
    if age > SCHEDULER_MAX_AGE_SECONDS:
        return {"ok": False, "error": f"scheduler silent for {age:.0f}s", "last_heartbeat_age_seconds": age}
    return {"ok": True, "last_heartbeat_age_seconds": age}


def _check_clock() -> JsonDict:
    """When the last tick ran: the scheduler queues it, a worker runs it."""
    age = heartbeat.last_tick_age()
    limit = current_app.config["TICK_MAX_AGE_SECONDS"]
    if age is None:
        return {"ok": False, "error": "no tick yet", "last_tick_age_seconds": None}
    if age > limit:
        return {"ok": False, "error": f"last tick {age:.0f}s ago (limit {limit}s)",
                "last_tick_age_seconds": round(age, 1)}
    return {"ok": True, "last_tick_age_seconds": round(age, 1)}


def _check_workers() -> JsonDict:
    """Every worker heard from lately; one that missed its heartbeats is named."""
    beats = heartbeat.workers()
    listed = [{"name": b.name, "last_heartbeat_age_seconds": b.age, "silent": b.silent} for b in beats]
    silent = [b.name for b in beats if b.silent]
    live = len(beats) - len(silent)
    result: JsonDict = {"ok": live > 0 and not silent, "count": live, "workers": listed}
    if silent:
        result["error"] = "silent: " + ", ".join(silent)
    elif not live:
        result["error"] = "no worker"
    return result


def _check_queues() -> JsonDict:
    """Each queue's waiting jobs and the age of the oldest; failed jobs are counted (the admins are
    told of them by the watch job) but do not make the product unhealthy."""
    queues = jobs.waiting()
    stuck = [name for name, queue in queues.items()
             if (queue["oldest_waiting_seconds"] or 0) > QUEUE_MAX_WAIT_SECONDS[name]]
    result: JsonDict = {"ok": not stuck, "queues": queues,
                        "failed": sum(int(queue["failed"] or 0) for queue in queues.values())}
    if stuck:
        result["error"] = "waiting too long: " + ", ".join(stuck)
    return result
