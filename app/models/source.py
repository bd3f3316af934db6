"""Which data sources (Amazon, Zendesk, the ERP …) the company has configured."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Key, utcnow


class SourceSetting(Base):
    """One source's "configured" flag, one row per source anybody ever set. A source without a row
    is not configured: the month's close expects only configured sources (docs/kpi-rules.md
    "Sources"). HR sets it from the CLI now; connectors will set it when their credentials validate."""

    __tablename__ = "source_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Key(32), unique=True)
    configured: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
