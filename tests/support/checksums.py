"""What a database holds, summed up to prove a call changed nothing: per-table checksums of every
row (a re-run changed no table), and a fingerprint of what the workflow services write (a refused
call wrote nothing at all)."""

import hashlib

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Appeal,
    Assessment,
    AssessmentItem,
    AuditLog,
    Base,
    CorrectionRequest,
    ItemOverride,
    Observation,
    Outcome,
    PeerRater,
    Rating,
    Report,
)


def table_checksums(session) -> dict[str, str]:
    """sha256 of every table's rows in primary-key order."""
    sums = {}
    for table in db.metadata.sorted_tables:
        digest = hashlib.sha256()
        for row in session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
        sums[table.name] = digest.hexdigest()
    return sums


# Every table's row count, and the columns the workflow services change, so a refused call can be
# shown to have written nothing at all.
_WATCHED = {
    Report: ("response", "responded_at", "window_closes_at"), Appeal: ("status", "escalated_at", "decider_id"),
    Assessment: ("acknowledged_at",), AssessmentItem: ("target",), Rating: ("value", "rater_id"),
    Outcome: ("status",), CorrectionRequest: ("status",), PeerRater: ("rater_id",), ItemOverride: ("value",),
}


def fingerprint(session) -> tuple:
    """A refusal that is itself recorded (an audit row whose action ends in `_refused`, such as a
    screenshot view by someone not allowed) is not a write."""
    session.rollback()  # read what is committed now, not an old snapshot
    counts = tuple(session.scalar(select(func.count()).select_from(t).where(
        *([AuditLog.action.not_like("%_refused")] if t.name == "audit_log" else [])))
        for t in Base.metadata.sorted_tables)
    watched = tuple(
        tuple(session.execute(select(model.id, *(getattr(model, c) for c in cols)).order_by(model.id)).all())
        for model, cols in _WATCHED.items())
    figures = tuple(session.execute(select(Observation.id, Observation.numerator, Observation.denominator)
                                    .where(Observation.provenance == "self_reported").order_by(Observation.id)).all())
    return counts, watched, figures
