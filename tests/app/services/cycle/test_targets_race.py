"""The employee acknowledging their targets twice at the same moment (a double tap, two devices):
the targets are acknowledged once, with one audit row, and both taps answer acknowledged."""

from sqlalchemy import func, select

from app.models import AuditLog
from app.services.cycle import targets
from tests.support.people import NOV_NOW, actor, assessment_of
from tests.support.race import at_once


def test_a_double_tap_acknowledges_the_targets_once(app, db_session, cast):
    member = cast.member("ops", 5)
    assessment = assessment_of(member, 11)
    assessment.acknowledged_at = None  # not acknowledged yet
    db_session.commit()
    assessment_id = assessment.id

    results = at_once(app, [
        lambda: targets.acknowledge_targets(assessment_id, actor(member), now=NOV_NOW),
        lambda: targets.acknowledge_targets(assessment_id, actor(member), now=NOV_NOW),
    ], meet_after=r"FROM assessment\s+WHERE assessment\.id")

    db_session.rollback()
    assert [r.error for r in results] == [None, None]
    assert [r.value["acknowledged"] for r in results] == [True, True]
    audits = select(func.count()).select_from(AuditLog).where(AuditLog.action == "targets.acknowledge",
                                                              AuditLog.entity_id == assessment_id)
    assert db_session.scalar(audits) == 1
