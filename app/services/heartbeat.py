"""The scheduler's heartbeat: when the last `tick` ran, and how long ago that was."""

import time

from app.extensions import redis_store

LAST_TICK_KEY = "jixiao:clock:last_tick"


def record_tick(now: float | None = None) -> float:
    """Remember that a tick ran; /healthz reads it to tell whether the scheduler is alive."""
    now = time.time() if now is None else now
    redis_store.client.set(LAST_TICK_KEY, repr(now))
    return now


def last_tick_age(now: float | None = None) -> float | None:
    """Seconds since the last tick, or None when no tick has ever run."""
    raw = redis_store.client.get(LAST_TICK_KEY)
    if raw is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, now - float(raw))
