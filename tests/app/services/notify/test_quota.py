"""Subscribe-message quota: counted per person and template, spent one per send, zeroed by 43101."""

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.models import OutboxMessage, WeChatIdentity
from app.services.notify import quota
from tests.support.outbox import REMINDER_TPL, SUBSCRIBE, attempts, reminder, successes, tick
from tests.support.people import person


def statuses(session) -> list[str]:
    return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_two_grants_allow_two_sends_and_the_third_is_recorded_as_no_quota(clock, db_session, redis_client, standin):
    zhang = person(db_session, "张三", mp="o-zhang")
    standin.grant("o-zhang", REMINDER_TPL, 2)
    assert quota.grant_quota(zhang.id, REMINDER_TPL, now=clock.now) == 1
    assert quota.grant_quota(zhang.id, REMINDER_TPL, now=clock.now) == 2
    messages = [reminder(db_session, zhang, f"q{i}", clock.now) for i in range(3)]
    assert tick(clock, redis_client) == 3

    assert statuses(db_session) == ["sent", "sent", "no_quota"]
    assert len(standin.requests(SUBSCRIBE)) == 2  # the third was never offered to WeChat
    assert attempts(db_session, messages[2].id) == [(1, None, "no_quota", None)]
    assert quota.quota_left(zhang.id, REMINDER_TPL) == 0
    clock.advance(hours=2)
    assert tick(clock, redis_client) == 0  # no_quota is final: a later grant does not revive it


def test_43101_from_wechat_zeroes_the_count(clock, db_session, redis_client, standin):
    zhang = person(db_session, "张三", mp="o-zhang")
    standin.grant("o-zhang", REMINDER_TPL, 1)  # WeChat knows of one subscription…
    quota.grant_quota(zhang.id, REMINDER_TPL, 3, now=clock.now)  # …we counted three
    first, second = (reminder(db_session, zhang, f"z{i}", clock.now) for i in range(2))
    assert tick(clock, redis_client) == 2

    assert statuses(db_session) == ["sent", "no_quota"]
    assert [r["errcode"] for r in standin.requests(SUBSCRIBE)] == [0, 43101]
    assert attempts(db_session, second.id) == [(1, "mp", "no_quota", 43101)]
    assert quota.quota_left(zhang.id, REMINDER_TPL) == 0  # not 1


def test_quota_belongs_to_the_account_it_was_granted_to(clock, db_session):
    zhang = person(db_session, "张三", mp="o-old")
    quota.grant_quota(zhang.id, REMINDER_TPL, 2, now=clock.now)
    quota.grant_quota(zhang.id, "tpl-other", 1, now=clock.now)
    assert quota.quotas_left(zhang.id) == {REMINDER_TPL: 2, "tpl-other": 1}
    identity = db_session.scalar(select(WeChatIdentity).where(WeChatIdentity.employee_id == zhang.id))
    identity.external_id = "o-new"  # re-bound to another mini-program account
    db_session.commit()
    assert quota.quota_left(zhang.id, REMINDER_TPL) == 0 and quota.quotas_left(zhang.id) == {}
    assert quota.grant_quota(zhang.id, REMINDER_TPL, now=clock.now) == 1
    assert quota.quotas_left(zhang.id) == {REMINDER_TPL: 1}  # the other template's grant stays the old account's


def test_a_grant_needs_a_bound_mini_program_account(clock, db_session):
    nobody = person(db_session, "孙七", oa="o-sun")
    with pytest.raises(ApiError) as refused:
        quota.grant_quota(nobody.id, REMINDER_TPL, now=clock.now)
    assert refused.value.code == "mini_program_not_bound"


def test_a_failed_send_gives_the_grant_back(clock, db_session, redis_client, standin):
    zhang = person(db_session, "张三", mp="o-zhang")
    standin.grant("o-zhang", REMINDER_TPL, 1)
    quota.grant_quota(zhang.id, REMINDER_TPL, now=clock.now)
    standin.script(SUBSCRIBE, 45009)
    message = reminder(db_session, zhang, "busy", clock.now)
    tick(clock, redis_client)
    assert quota.quota_left(zhang.id, REMINDER_TPL) == 1
    clock.advance(minutes=1)
    assert tick(clock, redis_client) == 1
    db_session.refresh(message)
    assert message.status == "sent" and len(successes(standin, SUBSCRIBE)) == 1
    assert quota.quota_left(zhang.id, REMINDER_TPL) == 0
