"""The outbox against a real database, real Redis, real RQ workers and the WeChat stand-in over HTTP."""

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select

from app import jobs
from app.models import AuditLog, OutboxMessage, WeChatIdentity
from app.services.calendar import load_public_holidays
from app.services.notify import outbox, quota, reply_window
from app.services.notify.delivery import deliver
from tests.support.clock import utc
from tests.support.outbox import CUSTOM, REMINDER_TPL, SUBSCRIBE, attempts, reminder, run_worker, tick
from tests.support.people import person


def test_a_message_created_at_2130_is_held_and_sent_once_at_0800(clock, db_session, redis_client, standin, zhang):
    clock.now = utc(12, 21, 30)
    message = reminder(db_session, zhang, "held", clock.now)
    assert message.next_attempt_at == utc(13, 8)
    assert tick(clock, redis_client) == 0
    clock.now = utc(13, 7, 59)
    assert tick(clock, redis_client) == 0
    assert standin.requests(SUBSCRIBE) == []

    clock.now = utc(13, 8)
    assert tick(clock, redis_client) == 1
    clock.advance(minutes=5)
    assert tick(clock, redis_client) == 0

    (sent,) = standin.requests(SUBSCRIBE)
    assert sent["json"]["touser"] == "o-zhang" and sent["json"]["template_id"] == REMINDER_TPL
    assert sent["json"]["data"]["thing1"] == {"value": "今日进展未提交"}
    db_session.refresh(message)
    assert (message.status, message.channel, message.sent_at) == ("sent", "mp", utc(13, 8))
    assert attempts(db_session, message.id) == [(1, "mp", "ok", None)]


def test_a_reply_at_2130_goes_out_at_once_without_waiting_for_the_clock(clock, db_session, redis_client, standin):
    boss = person(db_session, "王经理", oa="o-boss")
    standin.interact("o-boss")  # the manager just wrote to the official account
    clock.now = utc(12, 21, 30)
    reply_window.opened("o-boss", clock.now)
    message = outbox.enqueue(boss.id, "reply", title="待办", body="你有 2 条待处理申诉", dedupe_key="reply:msg:1",
                             now=clock.now, audience="manager", is_reply=True)
    assert Queue(jobs.NOTIFY, connection=redis_client).count == 0  # not before the commit
    db_session.commit()
    assert Queue(jobs.NOTIFY, connection=redis_client).job_ids == [f"notify-{message.id}-0"]

    run_worker(redis_client)
    (sent,) = standin.requests(CUSTOM)
    assert sent["json"]["touser"] == "o-boss" and sent["json"]["text"]["content"] == "你有 2 条待处理申诉"
    db_session.refresh(message)
    assert (message.status, message.channel, message.sent_at) == ("sent", "oa_text", utc(12, 21, 30))


def test_a_reply_rolled_back_is_not_queued(clock, db_session, redis_client):
    boss = person(db_session, "王经理", oa="o-boss")
    outbox.enqueue(boss.id, "reply", title="待办", body="…", dedupe_key="reply:gone", now=clock.now, is_reply=True)
    db_session.rollback()
    db_session.commit()
    assert Queue(jobs.NOTIFY, connection=redis_client).count == 0


def test_a_send_time_on_a_holiday_moves_past_the_holiday(clock, db_session, zhang):
    load_public_holidays()
    message = reminder(db_session, zhang, "national-day", utc(30, 22, month=9))
    assert message.next_attempt_at == utc(8, 8, month=10)  # 1–7 October off


def test_a_saturday_message_waits_for_monday_unless_the_department_works_saturdays(clock, db_session):
    office = person(db_session, "李四", mp="o-li")
    packer = person(db_session, "赵六", department="warehouse", rest="7", mp="o-zhao")
    saturday = utc(14, 10)
    assert reminder(db_session, office, "sat-office", saturday).next_attempt_at == utc(16, 8)
    assert reminder(db_session, packer, "sat-packer", saturday).next_attempt_at == saturday


def test_enqueuing_the_same_news_twice_is_a_no_op(clock, db_session, zhang):
    first = reminder(db_session, zhang, "same-news", clock.now)
    second = reminder(db_session, zhang, "same-news", clock.now + timedelta(hours=1))
    assert second.id == first.id
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_two_dispatchers_queue_one_job_and_two_workers_send_once(clock, db_session, redis_client, standin, zhang):
    message = reminder(db_session, zhang, "once", clock.now)
    assert outbox.dispatch_due(clock.now) == 1
    assert outbox.dispatch_due(clock.now) == 0
    assert Queue(jobs.NOTIFY, connection=redis_client).count == 1
    assert deliver(message.id, clock.now) == "sent"
    assert deliver(message.id, clock.now) == "skipped"
    run_worker(redis_client)  # the queued job finds it claimed and does nothing
    assert len(standin.requests(SUBSCRIBE)) == 1


def test_a_person_without_a_channel_is_recorded_unreachable_once_and_never_retried(
        clock, db_session, redis_client, standin):
    nobody = person(db_session, "孙七")
    first = reminder(db_session, nobody, "u1", clock.now)
    second = reminder(db_session, nobody, "u2", clock.now)
    assert tick(clock, redis_client) == 2
    clock.advance(hours=3)
    assert tick(clock, redis_client) == 0

    for message in (first, second):
        db_session.refresh(message)
        assert message.status == "unreachable"
        assert attempts(db_session, message.id) == [(1, None, "unreachable", None)]
    assert standin.requests() == []
    assert db_session.scalar(select(func.count()).where(AuditLog.action == "notify.unreachable")) == 1
    ((employee_id, name, since, reason),) = outbox.unreachable_people()
    assert (employee_id, name, since, reason) == (nobody.id, "孙七", utc(12, 14), "未绑定微信")

    # Once they bind the mini-program and subscribe, messages reach them and the record is cleared.
    db_session.add(WeChatIdentity(employee_id=nobody.id, channel="mp", external_id="o-sun"))
    db_session.commit()
    standin.grant("o-sun", REMINDER_TPL)
    quota.grant_quota(nobody.id, REMINDER_TPL, now=clock.now)
    reminder(db_session, nobody, "u3", clock.now)
    assert tick(clock, redis_client) == 1
    assert outbox.unreachable_people() == []


def test_a_worker_that_vanished_mid_send_is_reclaimed_and_the_attempt_recorded(clock, db_session, redis_client, zhang):
    message = reminder(db_session, zhang, "stale", clock.now)
    message.status, message.attempts, message.claimed_at = "sending", 1, clock.now
    db_session.commit()
    clock.advance(minutes=5)
    assert outbox.dispatch_due(clock.now) == 0  # it might still be sending
    clock.advance(minutes=6)
    assert tick(clock, redis_client) == 1
    db_session.refresh(message)
    assert message.status == "sent"
    assert attempts(db_session, message.id) == [(1, None, "abandoned", None), (2, "mp", "ok", None)]


def test_a_leaver_is_not_messaged_and_not_reported_as_unreachable(clock, db_session, redis_client, standin, zhang):
    zhang.status = "left"
    db_session.commit()
    message = reminder(db_session, zhang, "left", clock.now)
    tick(clock, redis_client)
    db_session.refresh(message)
    assert (message.status, message.last_error) == ("unreachable", "已离职")
    assert standin.requests(SUBSCRIBE) == [] and outbox.unreachable_people() == []


def test_an_unknown_kind_is_refused_when_enqueued(clock, db_session, zhang):
    with pytest.raises(ValueError):
        outbox.enqueue(zhang.id, "birthday", title="生日快乐", body="…", dedupe_key="b", now=clock.now)


def test_a_message_links_to_the_object_its_data_names(clock, db_session, zhang):
    """The page names the object (the first alternative the data fills); a linked kind whose data
    names nothing is refused; HR's and the admins' kinds open nothing in the mini-program."""
    def page(kind: str, data: dict) -> str | None:
        return outbox.enqueue(zhang.id, kind, title="t", body="b", dedupe_key=f"{kind}:{data}",
                              now=clock.now, data=data).page

    assert page("report_published", {"report_id": 12, "total": "88"}) == "pages/report/index?id=12"
    assert page("comment", {"progress_entry_id": 5, "assessment_id": 9}) == "pages/comments/index?entry=5"
    assert page("comment", {"progress_entry_id": None, "assessment_id": 9}) == "pages/comments/index?assessment=9"
    assert page("reminder", {}) == "pages/submit/index" and page("close_todo", {"cycle_id": 1}) is None
    with pytest.raises(ValueError, match="report_id"):
        page("appeal_result", {"appeal_id": 3})
    db_session.rollback()


def test_binding_a_channel_clears_the_unreachable_record(clock, db_session, redis_client):
    nobody = person(db_session, "孙七")
    reminder(db_session, nobody, "u", clock.now)
    tick(clock, redis_client)
    assert len(outbox.unreachable_people()) == 1
    outbox.channel_bound(nobody.id)
    db_session.commit()
    assert outbox.unreachable_people() == []
