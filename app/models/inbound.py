"""Pushes WeChat delivered to our callbacks: one row per push, kept in the database so that a
retry WeChat sends because our first answer did not arrive gets that answer again and changes
nothing, even after Redis lost its data. Rows outlive the ±300 s timestamp window by far and are
pruned by the clock (app.wechat.callbacks.PUSH_RETENTION).
"""

from datetime import datetime

from sqlalchemy import DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Key, utcnow


class WeChatPush(Base):
    __tablename__ = "wechat_push"
    __table_args__ = (UniqueConstraint("channel", "dedupe_key"), Index("ix_wechat_push_received", "received_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # mp | wecom | oa
    dedupe_key: Mapped[str] = mapped_column(Key(191))  # MsgId, trace id, or sender/time/event/key
    status: Mapped[str] = mapped_column(String(16), default="handling")  # handling | answered
    reply: Mapped[str | None] = mapped_column(Text)  # the passive reply's text; None answered "success"
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
