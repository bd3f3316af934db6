"""Health of what the product depends on: the database, Redis and the scheduler's tick."""

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text

from app.extensions import db, redis_store
from app.services import heartbeat
from app.services.usecase import JsonDict


@dataclass
class Health:
    checks: dict[str, JsonDict] = field(default_factory=dict)

    @property
    def down(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check["ok"]]


def check_all() -> Health:
    """Run every check; one failing never hides the others."""
    health = Health()
    health.checks["database"] = _check_database()
    health.checks["redis"] = _check_redis()
    health.checks["scheduler"] = _check_scheduler(redis_ok=health.checks["redis"]["ok"])
    return health


def _check_database() -> JsonDict:
    try:
        db.session.execute(text("SELECT 1")).scalar_one()  # read to the end: no cursor left open
        return {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as exc:  # any driver error means "down"
        db.session.rollback()
        return {"ok": False, "error": _short(exc)}


def _check_redis() -> JsonDict:
    try:
        redis_store.client.ping()
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": _short(exc)}


def _check_scheduler(redis_ok: bool) -> JsonDict:
    if not redis_ok:
        return {"ok": False, "error": "unknown: redis is down"}
    try:
        age = heartbeat.last_tick_age()
    except Exception as exc:
        return {"ok": False, "error": _short(exc)}
    limit = current_app.config["TICK_MAX_AGE_SECONDS"]
    if age is None:
        return {"ok": False, "error": "no tick yet", "last_tick_age_seconds": None}
    if age > limit:
        return {"ok": False, "error": f"last tick {age:.0f}s ago (limit {limit}s)",
                "last_tick_age_seconds": round(age, 1)}
    return {"ok": True, "last_tick_age_seconds": round(age, 1)}


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]
