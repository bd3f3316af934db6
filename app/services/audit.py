"""Audit rows, written in the caller's transaction so a change and its record commit together."""

from app.extensions import db
from app.models import AuditLog
from app.services.business_time import clock_now
from app.services.usecase import JsonDict


def record(action: str, entity: str, entity_id: int | None = None, *, before: JsonDict | None = None,
           after: JsonDict | None = None, actor_id: int | None = None, source: str = "web") -> AuditLog:
    """Add one audit row to the session; the service that changed the data commits both. It is
    stamped with the business clock, which is the wall clock except when a demo or a rehearsal lives
    a past day through the services."""
    row = AuditLog(actor_id=actor_id, source=source, action=action, entity=entity, entity_id=entity_id,
                   before=before, after=after, at=clock_now())
    db.session.add(row)
    return row
