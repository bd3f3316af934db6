"""GET /healthz for load balancers and `make run`: 200 when all is well, 503 naming what is down."""

from flask import Blueprint, jsonify

from app.services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    result = health.check_all()
    body = {"status": "ok" if not result.down else "down", "down": result.down, "checks": result.checks}
    return jsonify(body), 200 if not result.down else 503
