"""The notification jobs in a real RQ worker: they read the injected clock and are safe to run twice."""

from rq import Queue, SimpleWorker
from sqlalchemy import select

from app import jobs
from app.models import Digest, OutboxMessage
from app.services.notify import quota
from tests.support.clock import utc
from tests.support.news import add_alert
from tests.support.outbox import REMINDER_TPL, SUBSCRIBE, reminder
from tests.support.people import person
from workers.jobs import notify


def work(redis_client, *calls) -> list:
    """Queue the given jobs on NOTIFY, run a burst worker, return the jobs' results."""
    queue = Queue(jobs.NOTIFY, connection=redis_client)
    queued = [queue.enqueue(func, *args) for func, *args in calls]
    SimpleWorker([queue], connection=redis_client).work(burst=True)
    return [job.return_value() for job in queued]


def test_the_dispatch_job_reads_the_injected_clock_and_queues_a_deterministic_delivery(
        clock, db_session, redis_client, standin):
    zhang = person(db_session, "张三", mp="o-zhang")
    standin.grant("o-zhang", REMINDER_TPL)
    quota.grant_quota(zhang.id, REMINDER_TPL, now=clock.now)
    clock.now = utc(12, 21, 30)
    message = reminder(db_session, zhang, "job", clock.now)

    assert work(redis_client, (notify.dispatch,)) == [0]  # 21:30: held
    clock.now = utc(13, 8)
    assert work(redis_client, (notify.dispatch,), (notify.dispatch,)) == [1, 0]
    assert db_session.get(OutboxMessage, message.id).status == "sent"  # the queued deliver ran in the same burst
    assert len(standin.requests(SUBSCRIBE)) == 1
    delivered = Queue(jobs.NOTIFY, connection=redis_client).fetch_job(f"notify-{message.id}-0")
    assert delivered.return_value() == "sent"


def test_running_the_deliver_job_twice_sends_once(clock, db_session, redis_client, standin):
    zhang = person(db_session, "张三", mp="o-zhang")
    standin.grant("o-zhang", REMINDER_TPL, 2)
    quota.grant_quota(zhang.id, REMINDER_TPL, 2, now=clock.now)
    message = reminder(db_session, zhang, "twice", clock.now)
    assert work(redis_client, (notify.deliver, message.id), (notify.deliver, message.id)) == ["sent", "skipped"]
    assert len(standin.requests(SUBSCRIBE)) == 1
    assert quota.quota_left(zhang.id, REMINDER_TPL) == 1


def test_the_digest_job_composes_due_digests_once(clock, db_session, redis_client):
    boss = person(db_session, "王经理")
    zhang = person(db_session, "张三", manager=boss)
    add_alert(db_session, zhang, "连续3天平均响应时间超过30秒", utc(26, 9))
    clock.now = utc(26, 18, 5)
    assert work(redis_client, (notify.send_digests,), (notify.send_digests,)) == [{"alerts": 1}, {}]
    (message,) = db_session.scalars(select(OutboxMessage)).all()
    assert message.recipient_id == boss.id and message.title == "预警汇总"
    assert message.body.splitlines()[1] == "1. 张三（ops部）连续3天平均响应时间超过30秒"
    assert sorted(db_session.scalars(select(Digest.kind))) == ["alerts", "progress", "weekly"]
