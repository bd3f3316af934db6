"""Two HR members deciding the same outcome proposal at the same moment: one decision stands, the
other gets a 409 and writes nothing — on SQLite and on MariaDB."""

from sqlalchemy import func, select

from app.models import AuditLog, Cycle, Outcome
from app.services.cycle import outcomes
from tests.support.people import NOV_NOW, actor
from tests.support.race import at_once, refused


def test_two_hr_members_at_once_decide_an_outcome_once(app, db_session, cast):
    october = db_session.scalar(select(Cycle.id).where(Cycle.month == 10))
    outcome = Outcome(employee_id=cast.member("ops", 1), cycle_id=october, kind="training", reason="培训安排")
    db_session.add(outcome)
    db_session.commit()
    outcome_id, hr, other_hr = outcome.id, actor(cast.hr), actor(cast.teams["cs"].hr_member)

    results = at_once(app, [
        lambda: outcomes.decide(outcome_id, hr, approve=True, now=NOV_NOW),
        lambda: outcomes.decide(outcome_id, other_hr, approve=False, now=NOV_NOW),
    ], meet_after=r"FROM outcome\s+WHERE outcome\.id")

    db_session.rollback()
    assert sorted(refused(r) or "decided" for r in results) == ["already_decided", "decided"]
    assert next(r for r in results if r.error).error.status == 409
    winner = "approved" if results[0].error is None else "rejected"
    assert db_session.get(Outcome, outcome_id).status == winner
    decisions = select(func.count()).select_from(AuditLog).where(AuditLog.action == "outcome.decide",
                                                                 AuditLog.entity_id == outcome_id)
    assert db_session.scalar(decisions) == 1
