"""The outbox in the tests: WeChat API paths the stand-in answers, a queued reminder, a burst worker
on the NOTIFY queue, and what was attempted and sent."""

from datetime import datetime

from rq import Queue, SimpleWorker
from sqlalchemy import select

from app import jobs
from app.models import DeliveryAttempt, Employee, OutboxMessage
from app.services.notify import outbox
from app.services.notify.kinds import KINDS
from tests.support.clock import Clock

SUBSCRIBE = "/cgi-bin/message/subscribe/send"
CUSTOM = "/cgi-bin/message/custom/send"
TEMPLATE = "/cgi-bin/message/template/send"
WECOM = "/cgi-bin/message/send"
REMINDER_TPL = KINDS["reminder"].mp_template


def run_worker(redis_client) -> list:
    """Run every queued NOTIFY job in a real (in-process) RQ worker; each must finish."""
    queue = Queue(jobs.NOTIFY, connection=redis_client)
    queued = queue.jobs
    SimpleWorker([queue], connection=redis_client).work(burst=True)
    for job in queued:
        assert job.get_status(refresh=True) == "finished", job.latest_result()
    return queued


def tick(clock: Clock, redis_client) -> int:
    """What the clock tick does for notifications: dispatch what is due, then the worker sends it."""
    queued = outbox.dispatch_due(clock.now)
    run_worker(redis_client)
    return queued


def reminder(session, employee: Employee, key: str, now: datetime, **extra) -> OutboxMessage:
    message = outbox.enqueue(employee.id, "reminder", title="今日进展未提交",
                             body="今天的工作进展还没有提交，记得在21点前提交。", summary="请提交今日进展",
                             dedupe_key=key, now=now, **extra)
    session.commit()
    return message


def attempts(session, message_id: int) -> list[tuple]:
    return session.execute(select(DeliveryAttempt.number, DeliveryAttempt.channel, DeliveryAttempt.result,
                                  DeliveryAttempt.errcode).where(DeliveryAttempt.message_id == message_id)
                           .order_by(DeliveryAttempt.number)).all()


def successes(standin, path: str) -> list[dict]:
    return [r for r in standin.requests(path) if r.get("errcode") == 0]
