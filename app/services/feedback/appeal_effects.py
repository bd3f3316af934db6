"""What an accepted appeal changes: the item's value, the assessment's score and report, and —
when the cycle is already final — the outcomes that follow from the grade.

The claimed value is stored as an ItemOverride (the month's actual of a quantitative item, the
rating of a qualitative one) that scoring reads in place of the item's data, and the assessment is
re-scored through app.services.scoring.runs.rescore, the same code that closes a month. Everything joins
the caller's transaction.
"""

from datetime import datetime

from sqlalchemy import select

from app.domain.cycles import CycleStatus
from app.extensions import db
from app.models import Appeal, Assessment, Cycle, ItemOverride, Report
from app.services import audit
from app.services.cycle import outcomes
from app.services.scoring import runs
from app.services.usecase import use_case


def apply_claim(appeal: Appeal, assessment: Assessment, actor_id: int, now: datetime) -> Report | None:
    """Set the claimed value and publish the re-scored report; returns the new version (None when
    the result did not change). Audits the override's old and new value."""
    override = db.session.scalar(select(ItemOverride).where(
        ItemOverride.assessment_item_id == appeal.assessment_item_id))
    before = None if override is None else {"value": str(override.value), "appeal_id": override.appeal_id}
    if override is None:
        override = ItemOverride(assessment_item_id=appeal.assessment_item_id)
        db.session.add(override)
    override.value, override.appeal_id = appeal.claimed_value, appeal.id
    override.set_by, override.set_at = actor_id, now
    db.session.flush()
    audit.record("item.override", "assessment_item", appeal.assessment_item_id, actor_id=actor_id, before=before,
                 after={"value": str(appeal.claimed_value), "appeal_id": appeal.id})
    published = runs.rescore([assessment.id], reason=f"申诉#{appeal.id}通过", actor_id=actor_id, now=now,
                                commit=False)
    return db.session.get(Report, published[assessment.id]) if assessment.id in published else None


def withdraw_stale_outcomes(assessment: Assessment, actor_id: int) -> list[int]:
    """In a final cycle, withdraw the person's pending proposals their new month grade no longer
    supports (returns their ids) and tell HR of approved ones it no longer supports (HR decided
    them: they stay, HR looks again). New proposals come from `finish` once the caller's changes
    are in (app.services.cycle.outcomes.settle_stale)."""
    return outcomes.settle_stale(assessment.cycle_id, [assessment.employee_id], actor_id)


@use_case
def finish(assessment: Assessment) -> None:
    """Commit the decision; in a final cycle through outcomes.derive (idempotent), which proposes
    what the new grade now supports and commits everything together."""
    cycle = db.session.get(Cycle, assessment.cycle_id)
    assert cycle is not None, "an assessment's cycle exists (foreign key)"
    if cycle.status == CycleStatus.FINAL:
        outcomes.derive(cycle.id)
    else:
        db.session.commit()
