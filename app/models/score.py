"""Scoring runs, the scores they write, and the reports (考核报告) published from them.

Scores are written against a run and nobody sees them until the cycle's `visible_run_id`
points at that run: one update makes a whole month's scores visible at once.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal, utcnow


class ScoringRun(Base):
    __tablename__ = "scoring_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | failed
    reason: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    chunks_total: Mapped[int] = mapped_column(Integer, default=1)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)


class Score(Base):
    """An assessment's total and grade in one run; `body` is the rendered result the report shows."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("run_id", "assessment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_run.id"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    total: Mapped[Decimal] = mapped_column(ExactDecimal)
    grade: Mapped[str] = mapped_column(String(16))  # a grade band code: excellent, good, pass, fail
    summary: Mapped[str] = mapped_column(String(500))
    body: Mapped[dict] = mapped_column(JSON)


class ItemScore(Base):
    __tablename__ = "item_score"
    __table_args__ = (UniqueConstraint("run_id", "assessment_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_run.id"))
    assessment_item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id"), index=True)
    actual: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    achievement: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    score: Mapped[Decimal] = mapped_column(ExactDecimal)
    met: Mapped[bool] = mapped_column(Boolean)


class Report(Base):
    """The published result of an assessment. An accepted appeal publishes a new version;
    earlier versions stay as they were. `body` is the rendered content the employee saw.
    `window_closes_at` ends the 3 days to confirm or appeal, worked out once on the person's
    WorkCalendar when the version is published (app.services.scoring.report_window)."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("assessment_id", "version"),
        Index("ix_report_due", "response", "window_closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_run.id"))
    total: Mapped[Decimal] = mapped_column(ExactDecimal)
    grade: Mapped[str] = mapped_column(String(16))  # a grade band code: excellent, good, pass, fail
    summary: Mapped[str] = mapped_column(String(500))
    body: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # pending | confirmed | appealed | auto_confirmed
    response: Mapped[str] = mapped_column(String(16), default="pending")
    responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    window_closes_at: Mapped[datetime | None] = mapped_column(DateTime)
