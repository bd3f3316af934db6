"""What the clock does on each tick, worked out from the database and the business calendar.

Nothing here remembers that it ran: each action looks at the state of the data and does what is
due by `now`, so a tick two days late catches up and a second scheduler's tick does nothing new.
A Redis lock keeps two ticks from working at the same moment. `now` is naive UTC.
"""

from datetime import date, datetime, time, timezone

from sqlalchemy import select

from app.domain.cycles import CycleStatus
from app.extensions import db, redis_store
from app.models import Cycle
from app.services import completeness, cycles, scoring_runs
from app.services.business_time import to_local

OPEN_AT = time(9, 0)  # day 1, 09:00: the month opens and targets go out
CLOSE_ON_DAY = 3  # scoring starts on day 3 of the next month, once the data is complete
LOCK = "jixiao:clock:lock"


def run_due(now: datetime) -> dict:
    """Run every action that is due; returns what each one did (for the log and the tests)."""
    lock = redis_store.client.lock(LOCK, timeout=600, blocking_timeout=0)
    if not lock.acquire(blocking=False):
        return {"skipped": "another tick is running"}
    try:
        local = to_local(now)
        return {
            "opened": _open_month(local, now),
            "closing": _close_previous_month(local),
            "resumed": scoring_runs.resume_runs(now=_epoch(now)),
            "finalized": _finalize_settled(now),
        }
    finally:
        lock.release()


def _open_month(local: datetime, now: datetime) -> int | None:
    """Open this month's cycle from day 1, 09:00 (or at the first tick after it)."""
    if local.day == 1 and local.time() < OPEN_AT:
        return None
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == local.year, Cycle.month == local.month))
    if cycle is not None and cycle.status != CycleStatus.DRAFT:
        return None
    return cycles.open_cycle(local.year, local.month, now=now).id


def _close_previous_month(local: datetime) -> int | None:
    """From day 3, score last month once its data is complete or HR accepted the gaps."""
    if local.date() < date(local.year, local.month, CLOSE_ON_DAY):
        return None
    year, month = cycles.previous_month(local.year, local.month)
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == year, Cycle.month == month))
    if cycle is None or cycle.status != CycleStatus.OPEN:
        return None
    if cycle.gaps_acknowledged_by is None and not completeness.is_green(cycle):
        return None
    return scoring_runs.close_cycle(cycle.id, reason="月度评分")


def _finalize_settled(now: datetime) -> list[int]:
    published = db.session.scalars(select(Cycle.id).where(Cycle.status == CycleStatus.PUBLISHED)).all()
    return [cycle_id for cycle_id in published if cycles.finalize(cycle_id, now=now)]


def _epoch(now: datetime) -> float:
    return now.replace(tzinfo=timezone.utc).timestamp()
