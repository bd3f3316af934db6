"""Build the app once per worker or scheduler process, give RQ its Redis connection, and the worker
class that reports its heartbeats to /healthz."""

import os

from flask import Flask
from rq import Worker

from app import create_app
from app.extensions import db, redis_store
from app.services import heartbeat

DEFAULT_HEARTBEAT_SECONDS = 30


def build_app() -> Flask:
    """The worker's app: built once; each forked job process gets fresh database connections."""
    app = create_app()
    with app.app_context():
        engine = db.engine
    # A forked work-horse must not reuse the parent's pooled sockets.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return app


def redis_connection(app: Flask):
    with app.app_context():
        return redis_store.client


class HeartbeatWorker(Worker):
    """RQ's forking worker, beating at least every `heartbeat_seconds` whether idle (RQ's dequeue
    timeout is its TTL minus 15 s) or busy (RQ's job monitoring interval), and recording each beat
    where /healthz finds it even after RQ forgot a frozen worker."""

    def __init__(self, *args, heartbeat_seconds: int = DEFAULT_HEARTBEAT_SECONDS, **kwargs):
        super().__init__(*args, worker_ttl=heartbeat_seconds + 15, job_monitoring_interval=heartbeat_seconds,
                         **kwargs)
        self.heartbeat_seconds = heartbeat_seconds

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        connection = pipeline if pipeline is not None else self.connection
        heartbeat.record_worker(self.name, self.heartbeat_seconds, connection)

    def register_death(self):
        super().register_death()
        heartbeat.forget_worker(self.name, self.connection)
