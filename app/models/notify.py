"""Notifications: the outbox every message to a person goes through, its delivery attempts,
subscribe-message quota, who is unreachable, and the numbered digests managers reply to.

All timestamps are naive UTC (app.models.base.utcnow).
"""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Key, utcnow


class OutboxMessage(Base):
    """One message to one person. `dedupe_key` is unique, so enqueuing the same news twice is a no-op.

    status: pending (waiting for `next_attempt_at`; a message held by quiet hours is pending with a
    later `next_attempt_at`) → sending (claimed by one worker) → sent | failed | unreachable | no_quota.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(16))  # employee | manager
    title: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(64), default="")
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    page: Mapped[str | None] = mapped_column(String(255))
    dedupe_key: Mapped[str] = mapped_column(Key(191), unique=True)
    is_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    not_before: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    channel: Mapped[str | None] = mapped_column(String(16))  # wecom | mp | oa | oa_text
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DeliveryAttempt(Base):
    """One try at sending a message, with its result: "ok" or our error code (e.g. "no_quota")."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (UniqueConstraint("message_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"))
    number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str | None] = mapped_column(String(16))  # None: no channel was usable
    started_at: Mapped[datetime] = mapped_column(DateTime)
    result: Mapped[str] = mapped_column(String(32))
    errcode: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))


class SubscribeQuota(Base):
    """Subscribe messages left for a person and template: each accepted subscription buys one send.

    WeChat keeps the count per openid, so the openid it was granted to is kept: after the person
    binds another mini-program account, the old count no longer applies.
    """

    __tablename__ = "subscribe_quota"
    __table_args__ = (UniqueConstraint("employee_id", "template_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    template_id: Mapped[str] = mapped_column(Key(64))
    openid: Mapped[str] = mapped_column(Key(128))
    remaining: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class NotifyState(Base):
    """Per person: since when no channel reaches them (recorded once, cleared when one does again)."""

    __tablename__ = "notify_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), unique=True)
    unreachable_since: Mapped[datetime | None] = mapped_column(DateTime)
    unreachable_reason: Mapped[str | None] = mapped_column(String(64))


class Digest(Base):
    """One composed digest for a manager and schedule slot (unique: a second scheduler adds nothing).

    It covers news from `covered_from` to `covered_until`; an empty digest has no message but
    still marks its slot done.
    """

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("manager_id", "kind", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    kind: Mapped[str] = mapped_column(String(16))  # progress | weekly | alerts
    slot: Mapped[datetime] = mapped_column(DateTime)
    covered_from: Mapped[datetime] = mapped_column(DateTime)
    covered_until: Mapped[datetime] = mapped_column(DateTime)
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DigestLine(Base):
    """What number N of a digest stands for, so "点评 N …" reaches the right entry or assessment."""

    __tablename__ = "digest_line"
    __table_args__ = (UniqueConstraint("digest_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digest.id"))
    number: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    progress_entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entry.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"))
