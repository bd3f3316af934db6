"""数据不一致 told: a self-report more than 5 % off the day's synced figure, remembered once told."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Key, utcnow


class MismatchNotice(Base):
    """The person and their manager were told that the person's self-report of `day` differs from
    the figure of record by more than 5 %. One row per (person, indicator, day), so each is told
    once however often the bars are recomputed or the figures change again; the figures are kept
    as they were told (app.services.scoring.mismatches)."""

    __tablename__ = "mismatch_notice"
    __table_args__ = (UniqueConstraint("employee_id", "indicator_code", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    indicator_code: Mapped[str] = mapped_column(Key(48))
    day: Mapped[date] = mapped_column(Date)
    reported: Mapped[str] = mapped_column(String(64))  # the self-report, as people read it
    record: Mapped[str] = mapped_column(String(64))  # the figure of record, as people read it
    record_provenance: Mapped[str] = mapped_column(String(16))  # verified | imported
    told_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
