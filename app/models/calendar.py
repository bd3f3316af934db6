"""The work calendar (工作日历) and the monthly currency rate table HR maintains."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal, utcnow


class CalendarDay(Base):
    """An exception to the weekly pattern: a public holiday, or a 调休 make-up working day."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | workday
    name: Mapped[str] = mapped_column(String(32), default="")


class CalendarYear(Base):
    """Where a year's CalendarDay rows came from and whether they are confirmed (app.domain.calendar_years):
    the State Council's shipped table (confirmed), the `holidays` library (provisional) or HR's import."""

    __tablename__ = "calendar_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    source: Mapped[str] = mapped_column(String(16))  # state_council | library | hr_import
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))  # None: shipped, or unconfirmed
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))  # who imported it last
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class FxRate(Base):
    """One unit of `currency` is worth `rate` units of `target_currency` in that month."""

    __tablename__ = "fx_rate"
    __table_args__ = (UniqueConstraint("month", "currency", "target_currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    currency: Mapped[str] = mapped_column(String(3))
    target_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
