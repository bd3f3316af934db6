"""Targets: acknowledged by the employee (目标确认); amended by HR — in place in a draft, as an
audited amendment the employee is told about and acknowledges once the month is open."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.errors import DomainError
from app.errors import ApiError
from app.models import (
    Assessment,
    AssessmentItem,
    AuditLog,
    OutboxMessage,
    TargetAmendment,
)
from app.services.cycle import lifecycle, targets
from tests.support.company import assessment_of as assessment_in
from tests.support.company import hire, open_month, small_company
from tests.support.people import NOV_NOW, actor, assessment_of, item_of


def audits(session, action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == action))


def test_an_amendment_is_told_and_waits_for_acknowledgement(db_session, cast):
    member = cast.member("ops", 0)
    assessment = assessment_of(member, 11)
    targets.acknowledge_targets(assessment.id, actor(member), now=NOV_NOW)
    assert targets.targets_view(assessment.id, actor(member))["acknowledged"]
    item = item_of(assessment, "ops_sales")
    old = item.target
    amendment = targets.amend_target(item.id, "90000", "大促取消，目标下调", actor(cast.hr), now=NOV_NOW)
    assert (amendment.old_target, amendment.new_target, amendment.acknowledged_at) == (old, Decimal(90000), None)
    assert db_session.get(AssessmentItem, item.id).target == Decimal(90000)
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "target.amend"))
    assert audit.actor_id == cast.hr and audit.before == {"target": str(old)}
    assert audit.after["amendment_id"] == amendment.id
    [told] = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == member)).all()
    assert told.kind == "target_push" and "90,000 USD" in told.body and "大促取消" in told.body
    view = targets.targets_view(assessment.id, actor(member))
    assert not view["acknowledged"] and [a["id"] for a in view["amendments_to_acknowledge"]] == [amendment.id]
    assert targets.acknowledge_targets(assessment.id, actor(member), now=NOV_NOW)["acknowledged"]
    assert db_session.get(TargetAmendment, amendment.id).acknowledged_at == NOV_NOW
    count = audits(db_session, "targets.acknowledge")
    targets.acknowledge_targets(assessment.id, actor(member), now=NOV_NOW)
    assert audits(db_session, "targets.acknowledge") == count  # nothing left to acknowledge: nothing written


def test_a_first_acknowledgement_records_when(db_session, cast):
    member = cast.member("ops", 1)
    assessment = assessment_of(member, 11)
    assessment.acknowledged_at = None
    db_session.commit()
    assert not targets.targets_view(assessment.id, actor(member))["acknowledged"]
    state = targets.acknowledge_targets(assessment.id, actor(member), now=NOV_NOW)
    assert state["acknowledged"] and db_session.get(Assessment, assessment.id).acknowledged_at == NOV_NOW


def test_in_a_draft_hr_adjusts_in_place_without_an_amendment(db_session, cast):
    december = lifecycle.draft_cycle(2026, 12)
    member = cast.member("ops", 2)
    assessment = db_session.scalar(select(Assessment).where(Assessment.cycle_id == december.id,
                                                            Assessment.employee_id == member))
    item = item_of(assessment, "ops_new_conversion")
    assert targets.amend_target(item.id, "0.06", "新品较多，提高目标", actor(cast.hr),
                                now=datetime(2026, 11, 28)) is None
    assert db_session.get(AssessmentItem, item.id).target == Decimal("0.06")
    assert db_session.scalar(select(func.count()).select_from(TargetAmendment)) == 0
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert audits(db_session, "target.amend") == 1


def test_amendments_that_are_refused(db_session, cast):
    member = cast.member("ops", 3)
    november, october = assessment_of(member, 11), assessment_of(member, 10)
    sales = item_of(november, "ops_sales")
    cases = {
        "qualitative": (item_of(november, "ops_teamwork").id, "4", "理由", "target_not_amendable", 422),
        "zero": (sales.id, "0", "理由", "invalid_input", 422),
        "unchanged": (sales.id, str(sales.target), "理由", "target_unchanged", 422),
        "published_month": (item_of(october, "ops_sales").id, "1", "理由", "targets_frozen", 409),
        "no_reason": (sales.id, "1", "", "invalid_input", 422),
        "not_a_number": (sales.id, "十万", "理由", "invalid_input", 422),
        "more_than_the_system_holds": (sales.id, "1e15", "理由", "invalid_input", 422),
        "seven_decimals": (sales.id, "0.0500001", "理由", "invalid_input", 422),
    }
    target = sales.target
    for case, (item_id, value, reason, code, status) in cases.items():
        with pytest.raises(DomainError) as refused:
            targets.amend_target(item_id, value, reason, actor(cast.hr), now=NOV_NOW)
        assert (refused.value.code, refused.value.status) == (code, status), case
    assert db_session.scalar(select(func.count()).select_from(TargetAmendment)) == 0
    assert db_session.get(AssessmentItem, sales.id).target == target


def test_targets_of_a_published_month_are_not_acknowledged(db_session, cast):
    member = cast.member("ops", 4)
    with pytest.raises(ApiError) as late:
        targets.acknowledge_targets(assessment_of(member, 10).id, actor(member), now=NOV_NOW)
    assert late.value.code == "cycle_not_open"


def test_a_joiner_acknowledges_the_pro_rated_target_their_message_named(db_session):
    company = small_company()
    joiner = hire("孙新到", company.lead.department, position="ops", manager=company.lead, joined_on=date(2026, 11, 16))
    db_session.commit()
    november = open_month(2026, 11)
    seen = targets.targets_view(assessment_in(joiner, november).id, actor(joiner.id))
    shown = {item["indicator"]: item for item in seen["items"]}
    # 月度销售额 accrues on calendar days: 16–30 November is 15 of 30 days, half of 100,000 USD.
    assert shown["ops_sales"]["target_display"] == "50,000 USD"
    assert shown["ops_sales"]["prorated_target"] == "50000.00"
    rate = shown["ops_new_conversion"]  # a rate target is not pro-rated
    assert (rate["target_display"], rate["prorated_target"]) == ("5%", None)
