"""Heartbeats /healthz reads: when the last `tick` ran, and when each worker was last heard from.

A worker's heartbeat is kept here as well as in RQ's own record because RQ forgets a worker whose
record expired: a frozen worker would simply vanish from RQ's list. Here it stays, named, until it
has been silent for FORGET_AFTER_SECONDS; a worker that stops cleanly removes itself.
"""

import json
import time
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline

from app.extensions import redis_store

LAST_TICK_KEY = "jixiao:clock:last_tick"
WORKERS_KEY = "jixiao:workers"  # hash: worker name → {"at": epoch seconds, "every": seconds between beats}
FORGET_AFTER_SECONDS = 15 * 60  # a worker silent this long is gone, not frozen


@dataclass(frozen=True)
class WorkerBeat:
    name: str
    age: float  # seconds since it was last heard from
    every: float  # seconds it promised between heartbeats

    @property
    def silent(self) -> bool:
        """Two heartbeats missed, and some slack for a busy machine."""
        return self.age > 2 * self.every + 10


def record_tick(now: float | None = None) -> float:
    """Remember that a tick ran; /healthz reads it to tell whether the clock is running."""
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


def record_worker(name: str, every: float, connection: "Redis | Pipeline", now: float | None = None) -> None:
    """A worker's heartbeat (called by the worker on RQ's own heartbeats, on its connection or pipeline)."""
    at = time.time() if now is None else now
    connection.hset(WORKERS_KEY, name, json.dumps({"at": at, "every": every}))


def forget_worker(name: str, connection: "Redis | Pipeline") -> None:
    """A worker that stops cleanly is no longer expected to beat."""
    connection.hdel(WORKERS_KEY, name)


def workers(now: float | None = None) -> list[WorkerBeat]:
    """Every worker heard from within FORGET_AFTER_SECONDS, by name; older ones are dropped."""
    now = time.time() if now is None else now
    client = redis_store.client
    beats, gone = [], []
    for raw_name, raw in client.hgetall(WORKERS_KEY).items():
        name = raw_name.decode() if isinstance(raw_name, bytes) else str(raw_name)
        data = json.loads(raw)
        age = max(0.0, now - float(data["at"]))
        if age > FORGET_AFTER_SECONDS:
            gone.append(name)
        else:
            beats.append(WorkerBeat(name, round(age, 1), float(data["every"])))
    if gone:
        client.hdel(WORKERS_KEY, *gone)
    return sorted(beats, key=lambda beat: beat.name)
