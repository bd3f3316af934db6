"""Measured data: sync/import runs, daily observations (数据) and warehouse shipments."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal, Key, utcnow


class SyncRun(Base):
    """One connector sync or file import; bulk writes are audited once per run, with counts."""

    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # sync | import | seed
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | failed
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(500))
    # The last day the run covered for its source, rows or not: a source's bars run to the latest one.
    covered_through: Mapped[date | None] = mapped_column(Date)


class Observation(Base):
    """One day's figure of an indicator for an employee: numerator and, for rates, denominator.

    `external_ref` identifies the source record, so a re-sync updates instead of duplicating;
    self-reports use the progress entry as their reference.
    """

    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("source", "external_ref"),
        Index("ix_observation_employee_day", "employee_id", "day"),
        Index("ix_observation_day", "day"),
        Index("ix_observation_recorded_at", "recorded_at"),  # the watch's reconcile reads recent rows
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    indicator_code: Mapped[str] = mapped_column(Key(48))
    day: Mapped[date] = mapped_column(Date)
    numerator: Mapped[Decimal] = mapped_column(ExactDecimal)
    denominator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    currency: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(32))
    provenance: Mapped[str] = mapped_column(String(16))  # verified | imported | self_reported
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_run.id"), index=True)
    progress_entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entry.id"), index=True)
    external_ref: Mapped[str] = mapped_column(Key(191))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Shipment(Base):
    """One shipped order line from the ERP: who packed it, when, and whether the item was wrong."""

    __tablename__ = "shipment"
    __table_args__ = (UniqueConstraint("source", "order_no"), Index("ix_shipment_batch", "batch_no"),
                      Index("ix_shipment_packer_day", "packer_code", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    order_no: Mapped[str] = mapped_column(Key(64))
    batch_no: Mapped[str] = mapped_column(Key(64))
    packer_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    packer_code: Mapped[str] = mapped_column(Key(64))
    ordered_at: Mapped[datetime] = mapped_column(DateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime)
    wrong_item: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_run.id"))
    # The business day it was shipped (None until it is): the day its packer's daily figures count it on,
    # and whether it left within 24 hours of the order (wh_dispatch_24h_share).
    day: Mapped[date | None] = mapped_column(Date)
    on_time: Mapped[bool | None] = mapped_column(Boolean)


class Restatement(Base):
    """A source changed a figure of a month that is already published (Amazon's ad attribution
    keeps moving for 7–14 days), or added a record to it. The new value waits here for HR:
    re-publishing applies it and scores the month again; dismissing keeps the published figures.
    An added record has no observation yet: `record` holds it (found again by source and
    external_ref), and the old figures are None."""

    __tablename__ = "restatement"
    __table_args__ = (Index("ix_restatement_cycle_status", "cycle_id", "status"),
                      Index("ix_restatement_record", "source", "external_ref"))

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(32))
    external_ref: Mapped[str | None] = mapped_column(Key(191))
    record: Mapped[dict | None] = mapped_column(JSON)
    old_numerator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    old_denominator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    new_numerator: Mapped[Decimal] = mapped_column(ExactDecimal)
    new_denominator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_run.id"))
    detected_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | applied | dismissed | superseded
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)


class ImportPreset(Base):
    """A named column mapping for one import format: which column of the file holds each field.
    Shipped presets (the exports small sellers use) live in app/data/import_presets.json; these are
    the ones HR built from a sample file."""

    __tablename__ = "import_preset"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(32))  # generic | erp_shipments | stock_take
    identity: Mapped[str] = mapped_column(String(32))  # what its people column holds: employee | amazon | erp …
    columns: Mapped[dict] = mapped_column(JSON)  # field → column header, or "=constant"
    created_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ImportRow(Base):
    """A file's validated rows while it is imported (the staging table): written in batches, moved
    into the real tables in one transaction with set-based statements, then deleted. A file with
    any error never leaves here."""

    __tablename__ = "import_row"
    __table_args__ = (Index("ix_import_row_run_key", "run_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)  # the import's SyncRun (no foreign key: a scratch table)
    row_no: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(Key(191))  # the record's identity in its source: order no, employee/indicator/day
    who: Mapped[str] = mapped_column(Key(128))  # the employee number or the packer code, as the file has it
    employee_id: Mapped[int | None] = mapped_column(Integer)  # whose it is, resolved before the move
    currency: Mapped[str | None] = mapped_column(String(3))
    indicator_code: Mapped[str | None] = mapped_column(Key(48))
    day: Mapped[date | None] = mapped_column(Date)
    numerator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    denominator: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    batch_no: Mapped[str | None] = mapped_column(Key(64))
    ordered_at: Mapped[datetime | None] = mapped_column(DateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime)
    wrong_item: Mapped[bool | None] = mapped_column(Boolean)
