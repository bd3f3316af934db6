"""Shared helpers of the notification tests (test_outbox*.py, test_digest*.py, tests/workers/test_notify.py):
the injected clock, people with WeChat bindings, and a burst worker on the NOTIFY queue; the fixtures
are in conftest.py. It holds no tests of its own.
"""

from datetime import date, datetime, timedelta

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.models import (
    DeliveryAttempt,
    Department,
    Employee,
    OutboxMessage,
    WeChatIdentity,
)
from app.services.notify import outbox
from app.services.notify.kinds import KINDS

SUBSCRIBE = "/cgi-bin/message/subscribe/send"
CUSTOM = "/cgi-bin/message/custom/send"
TEMPLATE = "/cgi-bin/message/template/send"
WECOM = "/cgi-bin/message/send"
REMINDER_TPL = KINDS["reminder"].mp_template


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """Naive UTC of a Shanghai local time in 2026 (UTC+8)."""
    return datetime(2026, month, day, hour, minute) - timedelta(hours=8)


class Clock:
    """The notification clock (naive UTC) that jobs read through app.config["CLOCK"]."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def person(session, name: str, *, manager: Employee | None = None, department: str = "ops", rest: str = "6,7",
           **identities: str) -> Employee:
    """An employee with WeChat bindings given as channel=external id (mp=…, oa=…, wecom=…)."""
    dept = session.scalar(select(Department).where(Department.code == department))
    if dept is None:
        dept = Department(code=department, name=f"{department}部", rest_weekdays=rest)
        session.add(dept)
        session.flush()
    count = session.scalar(select(func.count()).select_from(Employee))
    employee = Employee(employee_no=f"N{count + 1:04d}", name=name, department_id=dept.id,
                        manager_id=manager.id if manager else None, joined_on=date(2025, 1, 1))
    session.add(employee)
    session.flush()
    for channel, external_id in identities.items():
        session.add(WeChatIdentity(employee_id=employee.id, channel=channel, external_id=external_id))
    session.commit()
    return employee


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
    message = outbox.enqueue(employee.id, "reminder", title="今日进展未提交", body="今天的工作进展还没有提交，记得在21点前提交。",
                             summary="请提交今日进展", dedupe_key=key, now=now, **extra)
    session.commit()
    return message


def attempts(session, message_id: int) -> list[tuple]:
    return session.execute(select(DeliveryAttempt.number, DeliveryAttempt.channel, DeliveryAttempt.result,
                                  DeliveryAttempt.errcode).where(DeliveryAttempt.message_id == message_id)
                           .order_by(DeliveryAttempt.number)).all()


def successes(standin, path: str) -> list[dict]:
    return [r for r in standin.requests(path) if r.get("errcode") == 0]
