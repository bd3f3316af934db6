"""Health answers: /livez for the load balancer's liveness probe, /readyz for its readiness probe,
/healthz with the full picture for monitoring and `make run` (see app/services/health.py)."""

from flask import Blueprint, jsonify

from app.services import health

bp = Blueprint("health", __name__)


@bp.get("/livez")
def livez():
    """The web process is up: nothing else is checked."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """The database and Redis answer: this web process can serve requests."""
    result = health.check_ready()
    return jsonify({"status": "ok" if not result.down else "down", "down": result.down}), _status(result)


@bp.get("/healthz")
def healthz():
    """Ready, and the scheduler, the clock, every worker and every queue: 503 naming what is down."""
    result = health.check_all()
    body = {"status": "ok" if not result.down else "down", "down": result.down, "checks": result.checks}
    return jsonify(body), _status(result)


def _status(result: health.Health) -> int:
    return 200 if not result.down else 503
