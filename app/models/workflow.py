"""Workflow records: corrections of self-reported figures, and values an accepted appeal set."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal, Key, utcnow


class CorrectionRequest(Base):
    """A change to a self-reported figure after its edit window (10:00 the next day) closed: it
    applies only when the person's manager (or HR) approves it. `old_*` is the figure when asked
    (null when the day had none); `new_*` what the employee asks for. A forgotten day has no entry
    when asked (`progress_entry_id` null): approving creates it, so `day` and `assessment_id` say
    which day of which assessment the request is about."""

    __tablename__ = "correction_request"
    __table_args__ = (Index("ix_correction_request_entry", "progress_entry_id", "indicator_code"),
                      Index("ix_correction_request_day", "employee_id", "day", "indicator_code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    progress_entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entry.id"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    day: Mapped[date] = mapped_column(Date)
    indicator_code: Mapped[str] = mapped_column(Key(48))
    old_numerator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    old_denominator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    new_numerator: Mapped[Decimal] = mapped_column(ExactDecimal)
    new_denominator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decider_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str] = mapped_column(String(500), default="")


class ItemOverride(Base):
    """The value an accepted appeal set for one assessment item: the month's actual of a
    quantitative item, or the rating of a qualitative one. Scoring reads it in place of the item's
    observations or ratings (app.services.scoring.inputs), so every later re-score keeps it."""

    __tablename__ = "item_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id"), unique=True)
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeal.id"))
    set_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
