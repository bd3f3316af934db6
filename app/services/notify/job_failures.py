"""Telling the admins about background jobs that failed for good.

A job that RQ gave up on (its declared retries used up, or none declared) waits in its queue's
failed registry until the failure expires. The watch job calls `tell_admins` every few minutes:
failures not reported yet become one message per admin (HR when the company has no admin) that
lists them, and are then remembered as reported. The message names the queue, the job and the
exception's type, never its text: driver messages can carry hosts, paths or values.

The dedupe key is built from the failures it lists, so a watch that died between committing the
messages and remembering them sends nothing twice.
"""

import hashlib
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app import jobs
from app.errors import ApiError
from app.extensions import db, redis_store
from app.models import Employee
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import to_local
from app.services.notify import outbox
from app.services.usecase import JsonDict, use_case

REPORTED = "jixiao:jobs:reported"  # sorted set: failure key → when it was reported (epoch seconds)
REMEMBER_SECONDS = 8 * jobs.DAY  # longer than any job's failure_ttl
LISTED = 10  # failures named in one message; the rest are counted


@use_case
def tell_admins(now: datetime) -> int:
    """Message the admins about failures not reported yet; returns how many failures were new."""
    client = redis_store.client
    client.zremrangebyscore(REPORTED, "-inf", time.time() - REMEMBER_SECONDS)
    new = [failure for failure in jobs.failures() if client.zscore(REPORTED, _key(failure)) is None]
    if not new:
        return 0
    digest = hashlib.sha256("|".join(sorted(_key(f) for f in new)).encode()).hexdigest()[:16]
    body = _body(new)
    for admin_id in admins():
        outbox.enqueue(admin_id, "job_failed", title="后台任务失败", summary=f"{len(new)} 个后台任务失败",
                       body=body, dedupe_key=f"job_failed:{admin_id}:{digest}", now=now,
                       data={"failed": len(new)})
    db.session.commit()
    client.zadd(REPORTED, {_key(f): time.time() for f in new})
    return len(new)


def listing(who: Actor) -> list[JsonDict]:
    """The failed jobs as the admin's page lists them, newest first, with local times."""
    require(who, Action.RUN_JOBS, Subject())
    found = sorted(jobs.failures(), key=lambda f: f.ended_at.timestamp() if f.ended_at else 0, reverse=True)
    return [{"queue": f.queue, "job_id": f.job_id, "path": f.path, "error": f.error or "未知错误",
             "ended_at": to_local(f.ended_at.replace(tzinfo=None)) if f.ended_at else None} for f in found]


@use_case
def retry(queue_name: str, job_id: str, who: Actor) -> bool:
    """Run a failed job again (the admin fixed its cause); audited. False: it was already gone."""
    return _act(queue_name, job_id, who, "job.retry", jobs.requeue_failed)


@use_case
def discard(queue_name: str, job_id: str, who: Actor) -> bool:
    """Drop a failed job that must not run again; audited. False: it was already gone."""
    return _act(queue_name, job_id, who, "job.discard", jobs.discard_failed)


def _act(queue_name: str, job_id: str, who: Actor, action: str, change: Callable[[str, str], bool]) -> bool:
    require(who, Action.RUN_JOBS, Subject())
    if queue_name not in jobs.QUEUES:
        raise ApiError("unknown_queue", f"没有名为「{queue_name}」的队列", 404)
    failure = next((f for f in jobs.failures() if f.queue == queue_name and f.job_id == job_id), None)
    if failure is None or not change(queue_name, job_id):
        return False
    audit.record(action, "job", None, actor_id=who.employee_id,
                 after={"queue": queue_name, "job_id": job_id, "path": failure.path, "error": failure.error})
    db.session.commit()
    return True


def admins() -> list[int]:
    """Active admins; HR when nobody is an admin, so a failure is never told to no one."""
    for flag in (Employee.is_admin, Employee.is_hr):
        found = list(db.session.scalars(select(Employee.id).where(flag.is_(True), Employee.status == "active")
                                        .order_by(Employee.id)))
        if found:
            return found
    return []


def _body(failures: list[jobs.Failure]) -> str:
    lines = [f"有 {len(failures)} 个后台任务重试后仍然失败，停在失败队列里："]
    for number, failure in enumerate(failures[:LISTED], start=1):
        ended = failure.ended_at
        when = to_local(ended.replace(tzinfo=None)).strftime("%m-%d %H:%M") if ended else "时间不详"
        lines.append(f"{number}. {failure.queue} 队列 {failure.path}（{failure.error or '未知错误'}，{when}）")
    if len(failures) > LISTED:
        lines.append(f"另有 {len(failures) - LISTED} 个未列出。")
    lines.append("请技术负责人查看 worker 日志和 /healthz；原因排除后在人事后台「失败任务」页重试。")
    return "\n".join(lines)


def _key(failure: jobs.Failure) -> str:
    """One failure of one job: a job id that fails again later is a new failure."""
    ended = failure.ended_at.timestamp() if failure.ended_at else 0
    return f"{failure.queue}:{failure.job_id}:{ended:.0f}"
