"""Declarative base and the column types every aggregate shares.

Two portability traps are handled here once: SQLite stores NUMERIC as a float (so exact decimals
are stored as text there), and MariaDB compares strings case-insensitively (so identifiers that
come from other systems use a binary collation).
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Integer, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC, the one convention for stored timestamps (MariaDB DATETIME has no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


class ExactDecimal(TypeDecorator):
    """A decimal that round-trips exactly: NUMERIC(20, 6) on MariaDB, canonical text on SQLite."""

    impl = Numeric(20, 6)
    cache_ok = True
    SCALE = Decimal("0.000001")

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(20, 6, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self.SCALE)
        return format(value, "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return _canonical(Decimal(value))


_ONE = Decimal(1)


def _canonical(value: Decimal) -> Decimal:
    """The same Decimal whichever database it came from (trailing zeros dropped, no exponent form).
    Stored values already have at most six places, so normalising is enough (and it is hot)."""
    value = value.normalize()
    return value.quantize(_ONE) if value.as_tuple().exponent > 0 else value


class ItemTerms:
    """The terms of a KPI item, shared by a template item and its frozen copy in an assessment."""

    sort: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[Decimal] = mapped_column(ExactDecimal)
    target: Mapped[Decimal] = mapped_column(ExactDecimal)
    cap: Mapped[Decimal] = mapped_column(ExactDecimal)
    floor: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    rater: Mapped[str | None] = mapped_column(String(16))  # manager | customer | peer, for rated items
    # How the figure becomes points, in the score-file form ({"kind": "deduction", "step", "points"} …,
    # app/domain/SCOREFILE.md); None is the ratio method.
    method: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def Key(length: int = 64) -> String:
    """An identifier column that stays case-sensitive on MariaDB (binary collation)."""
    return String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )
