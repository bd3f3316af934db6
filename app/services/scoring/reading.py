"""What the mini-program's home page reads: an assessment's live progress, as the person's own
view or a manager's/HR's — the same snapshot, authorised by the one policy."""

from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, ProgressSnapshot
from app.services.authz import Action, Actor, Subject, require
from app.services.usecase import JsonDict, get_or_404


def view_progress(assessment_id: int, who: Actor) -> JsonDict | None:
    """The latest progress snapshot (bars, pace, projected score), or None before the first one.
    It carries ratings only as each item's mean and count (app.domain.rendering)."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.VIEW_PROGRESS, Subject(assessment.employee_id))
    snapshot = db.session.scalar(select(ProgressSnapshot).where(ProgressSnapshot.assessment_id == assessment.id))
    if snapshot is None:
        return None
    return {"assessment_id": assessment.id, "as_of": snapshot.as_of.isoformat(), "body": snapshot.body,
            "computed_at": snapshot.computed_at.isoformat()}
