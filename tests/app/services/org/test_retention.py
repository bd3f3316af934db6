"""A leaver's data is deleted after the retention period HR sets; what others need stays. Sent
messages and delivery attempts are deleted after their own periods; the audit log is kept longest."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.domain.errors import DomainError
from app.errors import ApiError
from app.models import (
    Assessment,
    AuditLog,
    DeliveryAttempt,
    Digest,
    Employee,
    Observation,
    OutboxMessage,
    ProgressEntry,
    Rating,
    Report,
    WeChatIdentity,
)
from app.services.org import company_settings, retention
from tests.support.clock import TODAY
from tests.support.company import SmallCompany, on_target, open_month, rate_all, small_company


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def september_with_a_leaver(session, left_on: date) -> tuple[SmallCompany, Employee]:
    """The small company's September: the lead and the star each on target (3 figures each), the
    general manager's ratings of the lead and the lead's of the star and the trainee (2 each); then
    the lead, bound to the mini-program, leaves."""
    people = small_company()
    september = open_month(2026, 9)
    for someone in (people.lead, people.star):
        on_target(someone, september)
    for someone in (people.lead, people.star, people.trainee):
        rate_all(someone, september, 4)
    person = people.lead
    person.status, person.left_on = "left", left_on
    session.add(WeChatIdentity(employee_id=person.id, channel="mp", external_id=f"o-{person.id}"))
    session.commit()
    return people, person


def test_a_leaver_past_the_retention_period_is_purged(db_session, redis_client):
    people, person = september_with_a_leaver(db_session, date(2026, 9, 30))
    company_settings.change("retention_months", 1, hr_id=people.hr.id)
    assert count(db_session, Observation, Observation.employee_id == person.id) == 3
    assert count(db_session, Observation, Observation.employee_id != person.id) == 3  # the star's
    assert count(db_session, Rating, Rating.rater_id == person.id) == 2 * 2  # of the star and the trainee

    assert retention.purge_due(TODAY) == [person.id]

    db_session.expire_all()
    for model, column in ((Observation, Observation.employee_id), (ProgressEntry, ProgressEntry.employee_id),
                          (Assessment, Assessment.employee_id), (WeChatIdentity, WeChatIdentity.employee_id)):
        assert count(db_session, model, column == person.id) == 0, model.__name__
    assert count(db_session, Report,
                 Report.assessment_id.in_(select(Assessment.id).where(Assessment.employee_id == person.id))) == 0
    assert count(db_session, Observation, Observation.employee_id != person.id) == 3
    assert count(db_session, Rating, Rating.rater_id == person.id) == 2 * 2  # the ratings they gave others stay
    purged = db_session.get(Employee, person.id)
    assert (purged.name, purged.status) == ("（已删除）", "purged")
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "retention.purge"))
    # Their September assessment with the template's five items, its three figures, the general
    # manager's two ratings of it, and their binding.
    assert audit.entity_id == person.id
    assert audit.after == {"assessment": 1, "assessment_item": 5, "observation": 3, "rating": 2, "wechat_identity": 1}
    assert retention.purge_due(TODAY) == []  # done once


def test_a_recent_leaver_and_the_default_period_keep_everything(db_session, redis_client):
    _, person = september_with_a_leaver(db_session, date(2026, 9, 30))
    assert retention.retention_months() == 24
    assert retention.purge_due(TODAY) == []
    assert count(db_session, Observation, Observation.employee_id == person.id) == 3


def test_only_hr_sets_the_period_within_bounds(db_session, redis_client):
    people = small_company()
    hr, staff = people.hr, people.trainee
    with pytest.raises(ApiError) as forbidden:
        company_settings.change("retention_months", 12, hr_id=staff.id)
    assert forbidden.value.status == 403
    with pytest.raises(DomainError) as bad:
        company_settings.change("retention_months", 0, hr_id=hr.id)
    assert bad.value.code == "setting_invalid"
    assert company_settings.change("retention_months", "36", hr_id=hr.id) == "36"
    assert retention.retention_months() == 36


NOON = datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=4)  # 12:00 in Shanghai, naive UTC


def message(session, recipient: Employee, key: str, days_ago: int, status: str = "sent",
            attempted: bool = True) -> OutboxMessage:
    """A message created `days_ago`, with its one delivery attempt that day unless not `attempted`."""
    at = NOON - timedelta(days=days_ago)
    row = OutboxMessage(recipient_id=recipient.id, kind="reminder", audience="employee", title=key, body=key,
                        dedupe_key=key, not_before=at, next_attempt_at=at, status=status, attempts=1,
                        created_at=at, sent_at=at if status == "sent" else None)
    session.add(row)
    session.flush()
    if attempted:
        session.add(DeliveryAttempt(message_id=row.id, number=1, channel="mp", started_at=at, result="ok"))
    return row


def test_the_daily_purge_deletes_old_messages_and_attempts_and_keeps_the_audit_log_longest(db_session, redis_client):
    people = small_company()
    old = message(db_session, people.star, "sent 200 days ago", 200)
    message(db_session, people.star, "still pending after 200 days", 200, status="pending", attempted=False)
    message(db_session, people.star, "sent 120 days ago", 120)
    message(db_session, people.star, "sent 30 days ago", 30)
    db_session.add(Digest(manager_id=people.lead.id, kind="progress", slot=old.created_at,
                          covered_from=old.created_at, covered_until=old.created_at, message_id=old.id))
    for years, action in ((11, "eleven years ago"), (9, "nine years ago")):
        db_session.add(AuditLog(source="test", action=action, entity="test", at=NOON - timedelta(days=365 * years)))
    db_session.commit()

    retention.purge_due(TODAY)

    db_session.rollback()
    assert sorted(db_session.scalars(select(OutboxMessage.title))) == sorted([
        "still pending after 200 days", "sent 120 days ago", "sent 30 days ago"])  # a message: 180 days once ended
    attempts = db_session.scalars(select(OutboxMessage.title).join(DeliveryAttempt)).all()
    assert attempts == ["sent 30 days ago"]  # an attempt: 90 days
    assert db_session.scalar(select(Digest.message_id)) is None  # the digest outlives its message
    actions = set(db_session.scalars(select(AuditLog.action)))
    assert "nine years ago" in actions and "eleven years ago" not in actions  # the audit log: 10 years
    (purged,) = db_session.scalars(select(AuditLog.after).where(AuditLog.action == "retention.records")).all()
    assert purged["deleted"] == {"outbox_message": 1, "delivery_attempt": 2, "audit_log": 1}
