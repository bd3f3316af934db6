"""Alert rules as data, and the alerts (预警) they raised."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Key, utcnow


class AlertRule(Base):
    """A rule kind (streak, batch threshold, pace, missing progress) with its parameters."""

    __tablename__ = "alert_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Key(48), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    indicator_code: Mapped[str | None] = mapped_column(Key(48))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Alert(Base):
    """A fired rule. `fingerprint` (rule + streak start, or rule + batch) is unique, so the same
    facts never alert twice, whichever worker sees them first."""

    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rule.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(Key(191), unique=True)
    message: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    raised_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
