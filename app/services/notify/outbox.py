"""The outbox: every message to a person goes through here (docs/product.md "Notifications").

    message = outbox.enqueue(employee_id, "reminder", title="今日进展未提交", body="…",
                             dedupe_key=f"reminder:{employee_id}:{day}", now=now)
    db.session.commit()          # the caller's transaction: news and its message commit together
    outbox.dispatch_due(now)     # the clock tick: one RQ job per due message

`enqueue` only writes a row in the caller's session and never commits (`dispatch_due` is a use
case of its own and does); enqueuing the same `dedupe_key` again returns the existing row. A message
that is not a reply gets its send time moved out of quiet hours and rest days of the recipient's
calendar; a reply (`is_reply`) is due at once and its job is queued right after the caller's commit,
without waiting for the next tick.

Times are naive UTC (see business_time). Delivery itself is app.services.notify.delivery.
"""

import logging
from datetime import datetime

from rq.exceptions import DuplicateJobError
from rq.job import JobStatus
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from app import jobs
from app.domain.workcalendar import WorkCalendar
from app.extensions import db
from app.models import Employee, NotifyState, OutboxMessage
from app.services.business_time import allowed_send_time
from app.services.notify import kinds
from app.services.notify.delivery import clear_unreachable, reclaim_stale
from app.services.usecase import JsonDict, use_case

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 500
_KICK_KEY = "outbox_replies_to_queue"
_ENDED = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def enqueue(
    recipient_id: int, kind: str, *, title: str, body: str, dedupe_key: str, now: datetime,
    summary: str = "", data: JsonDict | None = None, page: str | None = None, audience: str | None = None,
    is_reply: bool = False, not_before: datetime | None = None, calendar: WorkCalendar | None = None,
) -> OutboxMessage:
    """Add a message for `recipient_id` to the caller's transaction; an existing `dedupe_key` wins.

    `kind` is a code of app.services.notify.kinds (it picks the templates and the default audience and page);
    `body` is the full text chat channels carry, `title`/`summary` what template fields carry;
    `not_before` schedules it later; `calendar` (the company's) saves a query in bulk sends.
    """
    spec = kinds.kind(kind)
    existing = _by_key(dedupe_key)
    if existing is not None:
        return existing
    due = now if is_reply else allowed_send_time(recipient_id, max(now, not_before or now), calendar)
    message = OutboxMessage(
        recipient_id=recipient_id, kind=kind, audience=audience or spec.audience, title=title[:64],
        summary=summary[:64], body=body, data=data or {}, page=page or spec.page_for(data or {}), dedupe_key=dedupe_key,
        is_reply=is_reply, not_before=due, next_attempt_at=due, status="pending", attempts=0, created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # another process enqueued the same news a moment ago (or a real error)
        existing = _by_key(dedupe_key)
        if existing is None:
            raise
        return existing
    if is_reply:
        _queue_after_commit(message.id)
    return message


@use_case
def dispatch_due(now: datetime, limit: int = DISPATCH_BATCH) -> int:
    """Queue one delivery job per message due by `now`; returns how many jobs were queued.

    Safe to run from several schedulers: job ids are deterministic (message and attempt number),
    so a job already queued for the same attempt is not queued again.
    """
    reclaim_stale(now)
    due = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    ).all()
    db.session.commit()  # a use case of its own: end the read so the next tick sees fresh rows
    return sum(queue_delivery(message_id, attempts) for message_id, attempts in due)


def queue_delivery(message_id: int, attempts: int) -> bool:
    """Queue the delivery job for the message's next attempt unless it is already queued or running."""
    queue = jobs.queue(jobs.DELIVER.queue)
    job_id = f"notify-{message_id}-{attempts}"
    for _ in range(2):
        try:
            jobs.enqueue(jobs.DELIVER, message_id, job_id=job_id, unique=True)
            return True
        except DuplicateJobError:
            earlier = queue.fetch_job(job_id)
            if earlier is not None and earlier.get_status(refresh=True) not in _ENDED:
                return False
            if earlier is not None:  # it ran and the message is still due (e.g. a lost claim): run again
                earlier.delete()
    return False


def unreachable_people() -> list[tuple[int, str, datetime, str | None]]:
    """(employee id, name, since, reason) of everyone no channel reaches: what HR should follow up."""
    rows = db.session.execute(
        select(Employee.id, Employee.name, NotifyState.unreachable_since, NotifyState.unreachable_reason)
        .join(NotifyState, NotifyState.employee_id == Employee.id)
        .where(NotifyState.unreachable_since.is_not(None)).order_by(NotifyState.unreachable_since, Employee.id)
    ).all()
    return [(employee_id, name, since, reason) for employee_id, name, since, reason in rows if since is not None]


def channel_bound(employee_id: int) -> None:
    """Hook for binding: a newly bound channel may reach the person, so they are no longer listed as
    unreachable (in the caller's transaction). Without the hook the record clears on the next delivery."""
    clear_unreachable(employee_id)


def _by_key(dedupe_key: str) -> OutboxMessage | None:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))


def _queue_after_commit(message_id: int) -> None:
    """A reply goes out at once, but only once its row is committed: the job must be able to read it."""
    session = db.session()
    session.info.setdefault(_KICK_KEY, []).append(message_id)
    if not event.contains(session, "after_commit", _queue_replies):
        event.listen(session, "after_commit", _queue_replies)
        event.listen(session, "after_soft_rollback", _forget_replies)


def _queue_replies(session: Session) -> None:
    for message_id in session.info.pop(_KICK_KEY, []):
        try:
            queue_delivery(message_id, 0)
        except Exception:  # Redis down: the next tick's dispatch_due sends it
            logger.exception("could not queue reply %s now; the clock will", message_id)


def _forget_replies(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop(_KICK_KEY, None)
