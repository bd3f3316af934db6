"""Company settings HR changes in the console (retention period, grade bands, …), one row a key."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class CompanySetting(Base):
    __tablename__ = "company_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    value: Mapped[dict] = mapped_column(JSON)  # {"value": …} so any JSON value fits
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
