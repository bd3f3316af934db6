"""Daily progress (工作进展): what an employee submits, with screenshots as evidence."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
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


class ProgressEntry(Base):
    """One day's submission; its figures are self-reported observations pointing back here."""

    __tablename__ = "progress_entry"
    # updated_at: the watch's reconcile reads recent entries
    __table_args__ = (UniqueConstraint("employee_id", "day"), Index("ix_progress_entry_updated_at", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # What the day's screenshots say about its self-reported figures, once every one was read:
    # "seen" (a claimed figure is on one), "not_seen" (截图未见填报数字), None (nothing to compare).
    figure_check: Mapped[str | None] = mapped_column(String(16))


class Screenshot(Base):
    """An uploaded image, verified by decoding and re-encoded without metadata; sent to WeChat's
    content check and read by OCR; deleted with the retention period. `storage_key` names the blob
    in the upload store: blobs are stored by content hash, so rows with the same image share one."""

    __tablename__ = "screenshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entry.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    storage_key: Mapped[str] = mapped_column(Key(128), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    # pending (not yet judged) | pass | review (WeChat unsure: shown) | risky (hidden) | unchecked (no WeChat)
    check_status: Mapped[str] = mapped_column(String(16), default="pending")
    check_trace_id: Mapped[str | None] = mapped_column(Key(64), index=True)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    text: Mapped[str | None] = mapped_column(Text)  # what OCR read, one line per text box
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)


class PrivacyConsent(Base):
    """That a person accepted a version of the screenshot privacy notice (PIPL), and when."""

    __tablename__ = "privacy_consent"
    __table_args__ = (UniqueConstraint("employee_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    version: Mapped[str] = mapped_column(String(16))
    accepted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProgressSnapshot(Base):
    """The latest computed progress of an assessment: bars, pace and projected score, as shown.
    A worker recomputes it from scratch whenever the assessment's data changes."""

    __tablename__ = "progress_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), unique=True)
    as_of: Mapped[date] = mapped_column(Date)
    body: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
