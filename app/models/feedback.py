"""Comments (点评) on progress or assessments, and appeals (申诉) against one report item."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal, utcnow


class Comment(Base):
    """A message on a progress entry or an assessment; replies point at their parent."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    progress_entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entry.id"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Appeal(Base):
    """An objection to one item of a report, with the value claimed and evidence. Due dates are
    worked out on the WorkCalendar when the appeal is filed and stored, so reminders are queries."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    assessment_item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    claimed_value: Mapped[Decimal] = mapped_column(ExactDecimal)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # screenshot ids
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | accepted | rejected
    decider_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    remind_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalate_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
