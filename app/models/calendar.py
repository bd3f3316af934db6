"""The work calendar (工作日历) and the monthly currency rate table HR maintains."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal


class CalendarDay(Base):
    """An exception to the weekly pattern: a public holiday, or a 调休 make-up working day."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | workday
    name: Mapped[str] = mapped_column(String(32), default="")


class FxRate(Base):
    """One unit of `currency` is worth `rate` units of `target_currency` in that month."""

    __tablename__ = "fx_rate"
    __table_args__ = (UniqueConstraint("month", "currency", "target_currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    currency: Mapped[str] = mapped_column(String(3))
    target_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
