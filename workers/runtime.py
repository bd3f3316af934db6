"""Build the app once per worker or scheduler process and give RQ its Redis connection."""

import os

from flask import Flask

from app import create_app
from app.extensions import db, redis_store


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
