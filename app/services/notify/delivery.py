"""Sending one outbox message, exactly once: claim it, pick the route, call WeChat, record the attempt.

A worker first claims the message with one conditional UPDATE (pending and due → sending); only the
worker whose UPDATE changed the row sends, so two workers or two queued jobs never both send.
Every call to WeChat, and every decision not to call (no channel, no quota), is a DeliveryAttempt.

Transient failures (network, 45009 rate limit, -1 system busy, a token still refused after the
client's own retry, configuration an admin can fix) are retried after 1, 5, 15 and 60 minutes —
outside quiet hours unless the message is a reply — and the fifth failure ends it `failed`.
Permanent ones end it at once: 43101 → `no_quota` (the count becomes 0), a WeCom member WeChat does
not know → `unreachable`, a refused field or any other WeChat refusal → `failed`. A closed OA reply
window falls back to the kind's template message within the same claim.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.errors import ApiError
from app.extensions import db
from app.models import DeliveryAttempt, NotifyState, OutboxMessage
from app.services import audit
from app.services.business_time import allowed_send_time, to_local
from app.services.notify import kinds, quota, reply_window, routing
from app.services.notify.routing import Refusal, Route
from app.services.usecase import changed_rows, use_case
from app.wechat import clients
from app.wechat.errors import (
    BadCredentials,
    NobodyReachable,
    NoQuota,
    NotConfigured,
    RateLimited,
    TokenRejected,
    Unavailable,
    UntrustedIp,
    UserNotFound,
    WeChatError,
)
from app.wechat.settings import settings_from_config

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
STALE_CLAIM = timedelta(minutes=10)  # far beyond the job timeout: the worker holding it is gone
TRANSIENT = (Unavailable, RateLimited, TokenRejected, UntrustedIp, BadCredentials, NotConfigured)
TRANSIENT_ERRCODES = frozenset({-1, 40001, 45009})
NOT_A_MEMBER = (NobodyReachable, UserNotFound)
WINDOW_CLOSED_ERRCODES = frozenset({45015, 45047})  # outside 48 h / the window's 5 replies used


@use_case
def deliver(message_id: int, now: datetime) -> str:
    """Send one message if it is still pending and due; returns its status, or "skipped"."""
    if not _claim(message_id, now):
        return "skipped"
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None, "the claim just changed this row"
    route = routing.route_for(message, now)
    if isinstance(route, Refusal):
        return _refused(message, route, now)
    return _attempt(message, route, now)


@use_case
def reclaim_stale(now: datetime) -> int:
    """Give messages back whose worker vanished mid-send (outcome unknown): retried, or failed after five."""
    cutoff = now - STALE_CLAIM
    stale = db.session.execute(select(OutboxMessage.id, OutboxMessage.attempts).where(
        OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)).all()
    reclaimed = 0
    for message_id, attempts in stale:
        moved = changed_rows(
            update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == "sending",
                                        OutboxMessage.claimed_at < cutoff)
            .values(status="pending" if attempts < MAX_ATTEMPTS else "failed", next_attempt_at=now,
                    last_error="投递中断，结果未知")
        )
        if moved == 1:
            db.session.add(DeliveryAttempt(message_id=message_id, number=attempts, channel=None, started_at=now,
                                           result="abandoned", error="worker stopped before recording a result"))
            reclaimed += 1
    db.session.commit()
    return reclaimed


def _claim(message_id: int, now: datetime) -> bool:
    claimed = changed_rows(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return claimed == 1


def _attempt(message: OutboxMessage, route: Route, now: datetime) -> str:
    reserved = route.channel != "mp" or quota.reserve(message.recipient_id, route.template, route.address, now)
    if not reserved:
        return _refused(message, Refusal("no_quota", "订阅消息次数已用完"), now)
    db.session.commit()  # the reservation stands before WeChat is called; no transaction is held meanwhile
    error = _send(message, route)
    if error is None:
        return _sent(message, route, now)
    _record(message, route.channel, now, error)
    window_closed = route.channel == "oa_text" and getattr(error, "errcode", None) in WINDOW_CLOSED_ERRCODES
    if window_closed:
        reply_window.closed(route.address)
    if route.fallback is not None and window_closed:
        message.attempts += 1
        return _attempt(message, route.fallback, now)
    if route.channel == "mp":
        settle = quota.exhaust if isinstance(error, NoQuota) else quota.give_back
        settle(message.recipient_id, route.template, now)
    return _not_sent(message, route, error, now)


def _send(message: OutboxMessage, route: Route) -> Exception | None:
    """Call WeChat once; the error instead of raising it, so every outcome is recorded."""
    try:
        if route.channel == "wecom":
            result = clients.wecom().send_text([route.address], message.body)
            if route.address in result.invalid_users:
                return NobodyReachable(81013, f"invalid user {route.address}")
        elif route.channel == "oa_text":
            clients.official_account().send_custom_text(route.address, message.body)
        elif route.channel == "mp":
            clients.mini_program().send_subscribe(route.address, route.template, _fields(message, "mp"),
                                                  page=message.page)
        else:
            clients.official_account().send_template(route.address, route.template, _fields(message, "oa"),
                                                     miniprogram=_mini_program_link(message))
    except (WeChatError, ApiError) as exc:
        return exc
    except Exception as exc:  # our own bug or an unexpected answer: logged, retried, then failed
        logger.exception("sending outbox message %s failed", message.id)
        return exc
    return None


def _fields(message: OutboxMessage, channel: str) -> dict[str, str]:
    """The message's facts under the field keys of the deployment's template for the channel."""
    spec = kinds.kind(message.kind)
    used = kinds.template(message.kind, channel, current_app.config)
    assert used is not None, "a route names a channel only when the kind has a template there"
    facts = kinds.FieldInput(message.title, message.summary, message.data or {}, to_local(message.created_at))
    return used.fields(spec.facts(facts))


def _mini_program_link(message: OutboxMessage) -> dict[str, str] | None:
    """Template messages open the mini-program (the team view for managers) when it is configured."""
    appid = settings_from_config(current_app.config).mp.appid
    return {"appid": appid, "pagepath": message.page} if appid and message.page else None


def _outcome(error: Exception) -> str:
    if isinstance(error, NoQuota):
        return "no_quota"
    if isinstance(error, NOT_A_MEMBER):
        return "unreachable"
    if isinstance(error, TRANSIENT) or getattr(error, "errcode", None) in TRANSIENT_ERRCODES:
        return "transient"
    if isinstance(error, (WeChatError, ApiError)):
        return "failed"
    return "transient"


def _sent(message: OutboxMessage, route: Route, now: datetime) -> str:
    message.status, message.channel, message.sent_at, message.last_error = "sent", route.channel, now, None
    _record(message, route.channel, now)
    if route.channel == "oa_text":
        reply_window.spent(route.address)
    clear_unreachable(message.recipient_id)
    db.session.commit()
    return message.status


def _not_sent(message: OutboxMessage, route: Route, error: Exception, now: datetime) -> str:
    outcome = _outcome(error)
    message.channel, message.last_error = route.channel, _describe(error)[:200]
    if outcome == "transient" and message.attempts < MAX_ATTEMPTS:
        retry = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        message.status = "pending"
        message.next_attempt_at = retry if message.is_reply else allowed_send_time(message.recipient_id, retry)
    else:
        message.status = "failed" if outcome == "transient" else outcome
        if outcome == "unreachable":
            _mark_unreachable(message.recipient_id, "企业微信中找不到该成员", now)
    db.session.commit()
    return message.status


def _refused(message: OutboxMessage, refusal: Refusal, now: datetime) -> str:
    """No call was made: the decision is the attempt. Never retried."""
    message.status, message.last_error = refusal.status, refusal.reason
    db.session.add(DeliveryAttempt(message_id=message.id, number=message.attempts, channel=None, started_at=now,
                                   result=refusal.status, error=refusal.reason))
    if refusal.whole_person:
        _mark_unreachable(message.recipient_id, refusal.reason, now)
    db.session.commit()
    return message.status


def _record(message: OutboxMessage, channel: str, now: datetime, error: Exception | None = None) -> None:
    """One call to WeChat: "ok", or our error code ("no_quota", "rate_limited", "wechat_error" …)."""
    db.session.add(DeliveryAttempt(
        message_id=message.id, number=message.attempts, channel=channel, started_at=now,
        result="ok" if error is None else getattr(error, "code", None) or type(error).__name__,
        errcode=getattr(error, "errcode", None), error=None if error is None else _describe(error)[:500],
    ))


def _describe(error: Exception) -> str:
    return str(error) or type(error).__name__


def _mark_unreachable(employee_id: int, reason: str, now: datetime) -> None:
    """Recorded once per person (and audited once), however many messages fail to reach them."""
    state = db.session.scalar(select(NotifyState).where(NotifyState.employee_id == employee_id))
    if state is None:
        try:
            with db.session.begin_nested():
                db.session.add(NotifyState(employee_id=employee_id))
        except IntegrityError:
            pass
    marked = changed_rows(
        update(NotifyState).where(NotifyState.employee_id == employee_id, NotifyState.unreachable_since.is_(None))
        .values(unreachable_since=now, unreachable_reason=reason)
    )
    if marked == 1:
        audit.record("notify.unreachable", "employee", employee_id, after={"reason": reason}, source="notify")


def clear_unreachable(employee_id: int) -> None:
    """A message got through, or a channel was bound: the person may be reachable again (caller commits)."""
    cleared = changed_rows(
        update(NotifyState).where(NotifyState.employee_id == employee_id, NotifyState.unreachable_since.is_not(None))
        .values(unreachable_since=None, unreachable_reason=None)
    )
    if cleared == 1:
        audit.record("notify.reachable", "employee", employee_id, source="notify")
