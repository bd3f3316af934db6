"""The clock's watch job on a real worker: a job that failed for good is told to the admins, once."""

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app import jobs
from app.errors import ApiError
from app.models import AuditLog, OutboxMessage
from app.services.notify import job_failures
from tests.support.company import small_company
from tests.support.people import actor
from tests.support.workers import burst, unreachable

WATCH = "workers.jobs.watch.watch"


def watch(redis_client, times: int = 1) -> None:
    queue = Queue(jobs.CLOCK, connection=redis_client)
    for _ in range(times):
        queue.enqueue(WATCH)
    SimpleWorker([queue], connection=redis_client).work(burst=True)


def told(session) -> list[OutboxMessage]:
    session.rollback()
    return session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "job_failed")
                           .order_by(OutboxMessage.id)).all()


def test_a_job_that_failed_for_good_is_told_to_the_admins_once(app, clock, db_session, redis_client, tmp_path):
    people = small_company()
    people.boss.is_admin = True
    db_session.commit()
    # A delivery whose worker cannot reach the database: the outbox, not RQ, retries deliveries,
    # so the job fails for good at once.
    jobs.enqueue(jobs.DELIVER, 424242)
    burst(app, tmp_path / "worker.log", database_url=unreachable(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path))
    assert Queue(jobs.NOTIFY, connection=redis_client).failed_job_registry.count == 1

    watch(redis_client, times=2)

    (message,) = told(db_session)
    assert message.recipient_id == people.boss.id
    assert "notify" in message.body and "workers.jobs.notify.deliver" in message.body


def fail_one(redis_client, queue_name: str) -> None:
    """A job that really fails in a real worker (no retry declared): int("not a number")."""
    queue = Queue(queue_name, connection=redis_client)
    queue.enqueue("builtins.int", "not a number")
    SimpleWorker([queue], connection=redis_client).work(burst=True)


def test_without_an_admin_hr_is_told_and_a_later_failure_is_told_again(app, clock, db_session, redis_client):
    people = small_company()  # nobody is an admin
    fail_one(redis_client, jobs.DEFAULT)
    watch(redis_client)
    fail_one(redis_client, jobs.SCORING)
    watch(redis_client, times=2)

    first, second = told(db_session)
    assert first.recipient_id == second.recipient_id == people.hr.id
    assert first.summary == "1 个后台任务失败" and "default 队列 builtins.int（ValueError" in first.body
    assert "scoring 队列 builtins.int（ValueError" in second.body and "default" not in second.body
    assert "not a number" not in first.body + second.body  # the exception's type, never its text


def test_the_admin_retries_one_failed_job_and_discards_another_each_audited(app, clock, db_session, redis_client):
    people = small_company()
    people.boss.is_admin = True
    db_session.commit()
    fail_one(redis_client, jobs.DEFAULT)
    fail_one(redis_client, jobs.SCORING)
    admin = actor(people.boss.id)
    listed = job_failures.listing(admin)
    assert [(r["queue"], r["path"], r["error"]) for r in listed] == [
        ("scoring", "builtins.int", "ValueError"), ("default", "builtins.int", "ValueError")]
    with pytest.raises(ApiError) as refused:
        job_failures.retry("default", listed[1]["job_id"], actor(people.hr.id))
    assert refused.value.code == "forbidden"

    assert job_failures.retry("default", listed[1]["job_id"], admin) is True
    assert Queue(jobs.DEFAULT, connection=redis_client).count == 1  # waiting to run again
    assert job_failures.discard("scoring", listed[0]["job_id"], admin) is True
    assert job_failures.listing(admin) == [] and job_failures.discard("scoring", listed[0]["job_id"], admin) is False
    audits = db_session.scalars(select(AuditLog).where(AuditLog.action.like("job.%")).order_by(AuditLog.id)).all()
    assert [(a.action, a.actor_id, a.after["queue"]) for a in audits] == [
        ("job.retry", people.boss.id, "default"), ("job.discard", people.boss.id, "scoring")]
