"""The indicator library (指标库) and KPI templates (考核模板) per position."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, ItemTerms, Key, utcnow


class Indicator(Base):
    """Mirrors app.domain.indicators.Indicator; enum columns hold the domain enums' values."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Key(48), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    aggregation: Mapped[str] = mapped_column(String(16))
    display: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16), default="")
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(32), default="self_report")
    money: Mapped[str] = mapped_column(String(16), default="none")
    scored: Mapped[bool] = mapped_column(Boolean, default=True)
    hint: Mapped[str] = mapped_column(String(200), default="")
    definition: Mapped[str] = mapped_column(String(500), default="")
    # calendar | working: the days a cumulative figure accrues on (pace, projection, pro-rating)
    pace_basis: Mapped[str] = mapped_column(String(16), default="working", server_default="working")


class KpiTemplate(Base):
    """A position's current template; assessments copy its items when a cycle opens."""

    __tablename__ = "kpi_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    editable: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list["TemplateItem"]] = relationship(
        back_populates="template", order_by="TemplateItem.sort", cascade="all, delete-orphan"
    )


class TemplateItem(ItemTerms, Base):
    __tablename__ = "template_item"
    __table_args__ = (UniqueConstraint("template_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("kpi_template.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))

    template: Mapped[KpiTemplate] = relationship(back_populates="items")
    indicator: Mapped[Indicator] = relationship()
