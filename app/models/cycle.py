"""Cycles (考核周期), assessments (考核表) with their frozen items, and target amendments."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, ExactDecimal, ItemTerms, Key, utcnow


class Cycle(Base):
    """One calendar month; its status moves draft → open → scoring → review → published → final
    (app.domain.cycles says which moves are legal). `visible_run_id` is the scoring run whose
    scores everyone sees: switching it is the one step that makes a run visible, and HR's 发布
    takes it (`review_at` is when the scored month started waiting for that). `settings` freezes
    the company settings when the month opens, so a later change never alters a month's rules."""

    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    scoring_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    final_at: Mapped[datetime | None] = mapped_column(DateTime)
    gaps_acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    visible_run_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_run.id", use_alter=True))
    settings: Mapped[dict | None] = mapped_column(JSON)  # the company settings it opened with; None in draft

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


class Assessment(Base):
    """One employee in one position for the days they held it within one cycle."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("cycle_id", "employee_id", "first_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)

    items: Mapped[list["AssessmentItem"]] = relationship(
        back_populates="assessment", order_by="AssessmentItem.sort", cascade="all, delete-orphan"
    )


class AssessmentItem(ItemTerms, Base):
    """A frozen copy of a template item: later template edits never change an open assessment."""

    __tablename__ = "assessment_item"
    __table_args__ = (UniqueConstraint("assessment_id", "indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    indicator_code: Mapped[str] = mapped_column(Key(48))

    assessment: Mapped[Assessment] = relationship(back_populates="items")


class TargetAmendment(Base):
    """A target changed after opening: audited, told to the employee, acknowledged by them."""

    __tablename__ = "target_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id"), index=True)
    old_target: Mapped[Decimal] = mapped_column(ExactDecimal)
    new_target: Mapped[Decimal] = mapped_column(ExactDecimal)
    reason: Mapped[str] = mapped_column(String(200))
    amended_by: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    amended_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)


class SheetLine(Base):
    """A line HR adds to an assessment: a 加减分项 (`kind` "adjustment", with `points`) or a 一票否决
    (`kind` "veto", naming the event in `text` with its `evidence`). Withdrawn, never deleted, so the
    report and the audit can always say what was on the sheet when."""

    __tablename__ = "sheet_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    text: Mapped[str] = mapped_column(String(200))  # the adjustment's reason, or the vetoing event
    evidence: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdraw_reason: Mapped[str | None] = mapped_column(String(200))
