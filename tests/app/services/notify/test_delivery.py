"""Retries with backoff for transient failures, immediate ends for permanent ones, every attempt recorded."""

from datetime import timedelta

from app.services.notify import outbox, quota
from app.services.notify.delivery import MAX_ATTEMPTS
from tests.support.clock import utc
from tests.support.outbox import REMINDER_TPL, SUBSCRIBE, attempts, reminder, successes, tick
from tests.support.people import person


def subscriber(db_session, standin, clock, grants: int = 1):
    zhang = person(db_session, "张三", mp="o-zhang")
    standin.grant("o-zhang", REMINDER_TPL, grants)
    quota.grant_quota(zhang.id, REMINDER_TPL, grants, now=clock.now)
    return zhang


def test_a_send_that_fails_twice_then_succeeds_is_delivered_once_with_three_attempts(
        clock, db_session, redis_client, standin):
    zhang = subscriber(db_session, standin, clock)
    standin.script(SUBSCRIBE, -1)  # system busy
    standin.script(SUBSCRIBE, 45009)  # rate limited
    message = reminder(db_session, zhang, "flaky", clock.now)
    start = clock.now

    assert tick(clock, redis_client) == 1
    db_session.refresh(message)
    assert (message.status, message.next_attempt_at) == ("pending", start + timedelta(minutes=1))
    clock.advance(seconds=30)
    assert tick(clock, redis_client) == 0  # not before its backoff
    clock.now = start + timedelta(minutes=1)
    assert tick(clock, redis_client) == 1
    db_session.refresh(message)
    assert message.next_attempt_at == start + timedelta(minutes=6)  # then 5 minutes
    clock.now = message.next_attempt_at
    assert tick(clock, redis_client) == 1

    db_session.refresh(message)
    assert (message.status, message.attempts) == ("sent", 3)
    assert attempts(db_session, message.id) == [
        (1, "mp", "wechat_error", -1), (2, "mp", "rate_limited", 45009), (3, "mp", "ok", None),
    ]
    assert [r["errcode"] for r in standin.requests(SUBSCRIBE)] == [-1, 45009, 0]
    assert len(successes(standin, SUBSCRIBE)) == 1


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_the_morning(clock, db_session, redis_client, standin):
    zhang = subscriber(db_session, standin, clock)
    standin.script(SUBSCRIBE, -1)
    clock.now = utc(12, 20, 59) + timedelta(seconds=30)
    message = reminder(db_session, zhang, "late", clock.now)
    tick(clock, redis_client)
    db_session.refresh(message)
    assert message.next_attempt_at == utc(13, 8)


def test_five_transient_failures_end_the_message_failed(clock, db_session, redis_client, standin):
    zhang = subscriber(db_session, standin, clock)
    standin.script(SUBSCRIBE, -1, times=MAX_ATTEMPTS + 1)
    message = reminder(db_session, zhang, "down", clock.now)
    for _ in range(MAX_ATTEMPTS):
        assert tick(clock, redis_client) == 1
        clock.advance(hours=1)
    assert tick(clock, redis_client) == 0
    db_session.refresh(message)
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(standin.requests(SUBSCRIBE)) == MAX_ATTEMPTS
    assert quota.quota_left(zhang.id, REMINDER_TPL) == 1  # never spent


def test_a_field_wechat_would_refuse_fails_at_once_without_calling_wechat(clock, db_session, redis_client, standin):
    zhang = person(db_session, "张三", mp="o-zhang")
    tpl = "dev-tpl-report"
    standin.grant("o-zhang", tpl)
    quota.grant_quota(zhang.id, tpl, now=clock.now)
    message = outbox.enqueue(zhang.id, "report_published", title="2026年10月考核结果", body="总分88分，优秀",
                             data={"report_id": 7, "total": "八十八", "grade": "优秀"}, dedupe_key="report",
                             now=clock.now)
    db_session.commit()
    tick(clock, redis_client)
    db_session.refresh(message)
    assert message.status == "failed" and "number2" in message.last_error
    assert attempts(db_session, message.id) == [(1, "mp", "subscribe_field_invalid", None)]
    assert standin.requests(SUBSCRIBE) == []
    assert quota.quota_left(zhang.id, tpl) == 1
    clock.advance(hours=1)
    assert tick(clock, redis_client) == 0


def report_sent(session, clock, redis_client, standin, template: str, total: str) -> dict:
    """October's report message to a person with one grant of `template`: what WeChat received."""
    zhang = person(session, "张三", mp="o-zhang")
    standin.grant("o-zhang", template)
    quota.grant_quota(zhang.id, template, now=clock.now)
    outbox.enqueue(zhang.id, "report_published", title="2026年10月考核结果", body=f"总分{total}分，优秀",
                   data={"report_id": 7, "total": total, "grade": "优秀"}, dedupe_key="report", now=clock.now)
    session.commit()
    tick(clock, redis_client)
    (sent,) = standin.requests(SUBSCRIBE)
    return sent


def test_a_report_message_carries_total_and_grade(clock, db_session, redis_client, standin):
    sent = report_sent(db_session, clock, redis_client, standin, "dev-tpl-report", "88")
    assert sent["errcode"] == 0 and sent["json"]["page"] == "pages/report/index?id=7"
    assert sent["json"]["data"] == {
        "thing1": {"value": "2026年10月考核结果"}, "number2": {"value": "88"}, "phrase3": {"value": "优秀"},
        "time4": {"value": "2026年11月12日 14:00"},
    }


def test_a_subscribe_message_uses_the_field_keys_the_company_registered(clock, db_session, redis_client, standin,
                                                                        app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_MP_TEMPLATES",
                        "report_published=Rp7Kq title:thing4 total:character_string2 grade:phrase1 time:date3")
    sent = report_sent(db_session, clock, redis_client, standin, "Rp7Kq", "88.5")
    assert sent["errcode"] == 0 and sent["json"]["template_id"] == "Rp7Kq"
    assert sent["json"]["data"] == {"thing4": {"value": "2026年10月考核结果"}, "character_string2": {"value": "88.5"},
                                    "phrase1": {"value": "优秀"}, "date3": {"value": "2026年11月12日 14:00"}}
