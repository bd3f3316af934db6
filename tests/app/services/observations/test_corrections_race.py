"""A manager approving and HR rejecting the same correction at the same moment: one decision
stands, the other is told it came second (409) and writes nothing — on SQLite, where FOR UPDATE
locks nothing, as on MariaDB."""

from datetime import date

from sqlalchemy import func, select

from app.models import AuditLog, CorrectionRequest, OutboxMessage
from app.services.observations import corrections
from tests.support.people import NOV_NOW, actor, entries_with
from tests.support.race import at_once, refused

CODE = "design_on_time_share"


def test_two_deciders_at_once_decide_a_correction_once(app, db_session, cast):
    member, lead = cast.member("design", 0), cast.teams["design"].lead
    entry = entries_with(member, CODE, date(2026, 11, 26))[0]
    request = corrections.request_correction(entry.id, CODE, "99", "99", "漏报", actor(member), now=NOV_NOW)
    request_id, by_lead, by_hr = request.id, actor(lead), actor(cast.hr)

    outcomes = at_once(app, [
        lambda: corrections.decide_correction(request_id, True, "", by_lead, now=NOV_NOW),
        lambda: corrections.decide_correction(request_id, False, "数据有误", by_hr, now=NOV_NOW),
    ], meet_after=r"FROM correction_request\s+WHERE correction_request\.id")

    db_session.rollback()
    assert sorted(refused(o) or "decided" for o in outcomes) == ["already_decided", "decided"]
    loser = next(o for o in outcomes if o.error is not None)
    assert loser.error.status == 409 and "已处理" in loser.error.message
    status = db_session.scalar(select(CorrectionRequest.status).where(CorrectionRequest.id == request_id))
    winner = "approved" if outcomes[0].error is None else "rejected"
    assert status == winner
    decisions = db_session.scalars(select(AuditLog.action).where(AuditLog.entity == "correction_request",
                                                                 AuditLog.entity_id == request_id)).all()
    assert sorted(decisions) == sorted(["correction.request", f"correction.{winner}"])
    corrected = select(func.count()).select_from(AuditLog).where(AuditLog.action == "observation.correct")
    assert db_session.scalar(corrected) == (1 if winner == "approved" else 0)
    told = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient_id == member,
                                                                 OutboxMessage.kind == "correction_result")
    assert db_session.scalar(told) == 1


def test_one_figure_asked_twice_at_once_has_one_pending_correction(app, db_session, cast):
    member = cast.member("design", 1)
    entry_id, who = entries_with(member, CODE, date(2026, 11, 26))[0].id, actor(member)
    ask = lambda: corrections.request_correction(entry_id, CODE, "99", "99", "漏报", who, now=NOV_NOW)  # noqa: E731

    outcomes = at_once(app, [ask, ask], meet_after=r"FROM progress_entry\s+WHERE progress_entry\.id")

    db_session.rollback()
    assert sorted(refused(o) or "asked" for o in outcomes) == ["asked", "correction_pending"]
    assert next(o for o in outcomes if o.error).error.status == 409
    pending = select(func.count()).select_from(CorrectionRequest).where(
        CorrectionRequest.progress_entry_id == entry_id, CorrectionRequest.status == "pending")
    assert db_session.scalar(pending) == 1
    asked = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "correction_to_decide")
    assert db_session.scalar(asked) == 1
