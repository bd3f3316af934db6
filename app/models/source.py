"""The data sources (Amazon, Zendesk, the ERP …): configured or not, their connectors, and whose
records are whose."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal, Key, utcnow


class SourceSetting(Base):
    """One source's "configured" flag, one row per source anybody ever set. A source without a row
    is not configured: the month's close expects only configured sources (docs/kpi-rules.md
    "Sources"). HR sets it from the CLI; a connector sets it when its credentials validate."""

    __tablename__ = "source_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Key(32), unique=True)
    configured: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Connector(Base):
    """One API connector's state: its credentials (encrypted with the master key, never shown or
    logged), whether they validated, where the last sync stopped (`checkpoint`: Zendesk's cursor,
    the last Amazon day) and how many syncs in a row failed (the admin is told at two)."""

    __tablename__ = "connector"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Key(32), unique=True)
    secret: Mapped[str] = mapped_column(Text)  # Fernet token of the credentials' JSON
    status: Mapped[str] = mapped_column(String(16), default="unchecked")  # unchecked | valid | invalid
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    checkpoint: Mapped[dict] = mapped_column(JSON, default=dict)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # syncs failed in a row
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class UnmappedRecord(Base):
    """A source record whose identity (an SKU, a Zendesk agent, a packer) no ExternalIdentity
    covers on its day: kept, shown to the admin, and recorded as the person's figure once a mapping
    covers it (never dropped). `identity` is the ExternalIdentity.source it was looked up in."""

    __tablename__ = "unmapped_record"
    __table_args__ = (UniqueConstraint("source", "external_ref"),
                      Index("ix_unmapped_identity", "identity", "external_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    identity: Mapped[str] = mapped_column(Key(32))  # amazon | zendesk | erp
    external_id: Mapped[str] = mapped_column(Key(128))
    indicator_code: Mapped[str] = mapped_column(Key(48))
    day: Mapped[date] = mapped_column(Date)
    numerator: Mapped[Decimal] = mapped_column(ExactDecimal)
    denominator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    currency: Mapped[str | None] = mapped_column(String(3))
    provenance: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str] = mapped_column(Key(191))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_run.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
