"""Corrections of self-reported figures after 10:00 the next day: only through the manager."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.errors import ApiError
from app.models import AuditLog, CorrectionRequest, Cycle, Observation, OutboxMessage
from app.services.observations import corrections
from app.services.scoring import progress
from tests.support.clock import local
from tests.support.people import NOV_NOW, actor, entries_with

CODE = "design_on_time_share"


def figure(session, entry_id: int, code: str = CODE) -> tuple:
    row = session.execute(select(Observation.numerator, Observation.denominator).where(
        Observation.progress_entry_id == entry_id, Observation.indicator_code == code)).first()
    return tuple(row) if row else None


@pytest.fixture
def designer(cast):
    member = cast.member("design", 0)
    return member, cast.teams["design"].lead, entries_with(member, CODE, date(2026, 11, 26))


def ask(member, entry, num, den, now=NOV_NOW):
    return corrections.request_correction(entry.id, CODE, num, den, "漏报了一张按时交付的主图", actor(member), now=now)


def test_an_approved_correction_changes_the_figure_with_an_audit(db_session, cast, designer, redis_client):
    member, lead, entries = designer
    entry = entries[0]
    old_num, old_den = figure(db_session, entry.id)
    request = ask(member, entry, str(old_num + 1), str(old_den + 1))
    [to_lead] = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == lead)).all()
    assert to_lead.kind == "correction_to_decide" and to_lead.audience == "manager" and "漏报" in to_lead.body
    assert figure(db_session, entry.id) == (old_num, old_den)  # nothing changes until approved
    assert [r["correction_request_id"] for r in corrections.corrections_to_decide(actor(lead))] == [request.id]
    assert corrections.corrections_to_decide(actor(member)) == []  # never their own
    assert corrections.corrections_to_decide(actor(cast.teams["ops"].lead)) == []

    decided = corrections.decide_correction(request.id, True, "", actor(lead), now=NOV_NOW)
    assert decided.status == "approved" and decided.decider_id == lead
    assert corrections.corrections_to_decide(actor(lead)) == []
    assert figure(db_session, entry.id) == (old_num + 1, old_den + 1)
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "observation.correct"))
    assert audit.actor_id == lead
    assert audit.before == {"numerator": str(old_num), "denominator": str(old_den)}
    assert audit.after["numerator"] == str(old_num + 1) and audit.after["correction_request_id"] == request.id
    [told] = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == member)).all()
    assert told.kind == "correction_result" and "已通过" in told.body
    assert str(entry.assessment_id).encode() in redis_client.smembers(progress.PENDING)


def test_a_rejected_correction_needs_a_reason_and_changes_nothing(db_session, cast, designer):
    member, lead, entries = designer
    entry = entries[1]
    before = figure(db_session, entry.id)
    request = ask(member, entry, str(before[0] + 1), str(before[1] + 1))
    with pytest.raises(ApiError) as no_reason:
        corrections.decide_correction(request.id, False, "", actor(lead), now=NOV_NOW)
    assert no_reason.value.code == "invalid_input"
    corrections.decide_correction(request.id, False, "截图显示当天只交付了原数量", actor(lead), now=NOV_NOW)
    assert figure(db_session, entry.id) == before
    assert db_session.get(CorrectionRequest, request.id).status == "rejected"
    corrected = select(func.count()).select_from(AuditLog).where(AuditLog.action == "observation.correct")
    assert db_session.scalar(corrected) == 0
    told = db_session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == member))
    assert "未通过" in told.body and "只交付了原数量" in told.body
    with pytest.raises(ApiError) as again:
        corrections.decide_correction(request.id, True, "", actor(cast.hr), now=NOV_NOW)
    assert again.value.code == "already_decided"


def test_hr_may_decide_and_a_missing_figure_can_be_added(db_session, cast, designer):
    member, _, entries = designer
    entry = entries[2]
    revision = "design_revision_rounds"
    db_session.execute(Observation.__table__.delete().where(Observation.progress_entry_id == entry.id,
                                                            Observation.indicator_code == revision))
    db_session.commit()
    request = corrections.request_correction(entry.id, revision, "3", "2", "忘记填写修改轮次", actor(member),
                                             now=NOV_NOW)
    assert request.old_numerator is None
    corrections.decide_correction(request.id, True, "", actor(cast.hr), now=NOV_NOW)
    assert figure(db_session, entry.id, revision) == (3, 2)


@pytest.mark.parametrize("case,code", [
    ("inside_window", "edit_window_open"), ("pending_twice", "correction_pending"),
    ("unchanged", "correction_unchanged"), ("more_than_total", "figures_invalid"),
    ("rated_indicator", "figures_invalid"), ("closed_month", "cycle_closed"), ("no_reason", "invalid_input"),
])
def test_corrections_that_are_refused(db_session, cast, designer, case, code):
    member, _, entries = designer
    entry = entries[3]
    num, den = figure(db_session, entry.id)
    with pytest.raises(ApiError) as refused:
        if case == "inside_window":
            yesterday = entries_with(member, CODE, date(2026, 11, 27))[-1]
            ask(member, yesterday, "9", "9", now=local(yesterday.day.day + 1, 9, 59))
        elif case == "pending_twice":
            ask(member, entry, str(num + 1), str(den + 1))
            ask(member, entry, str(num + 2), str(den + 2))
        elif case == "unchanged":
            ask(member, entry, str(num), str(den))
        elif case == "more_than_total":
            ask(member, entry, str(den + 1), str(den))
        elif case == "rated_indicator":  # a rating is given, never reported (a synced item may be)
            corrections.request_correction(entry.id, "design_quality", "5", None, "理由", actor(member), now=NOV_NOW)
        elif case == "closed_month":  # scoring has started: the month's figures are settled
            db_session.scalar(select(Cycle).where(Cycle.month == 11)).status = "scoring"
            db_session.commit()
            ask(member, entry, str(num + 1), str(den + 1))
        else:
            corrections.request_correction(entry.id, CODE, str(num + 1), str(den + 1), "  ", actor(member), now=NOV_NOW)
    assert refused.value.code == code
    assert figure(db_session, entry.id) == (num, den)
