"""Writing validated rows into the staging table as fast as the database takes them.

SQLite (in-process) takes batches of executemany quickly. Over the network to MariaDB, building a
million parameter sets in Python costs more than the import itself, so rows are spooled to a local
tab-separated file and loaded with one `LOAD DATA LOCAL INFILE` — MariaDB's own bulk path, the
floor bench/erp_import.py measures against (the engine is created with local_infile for it).
"""

import tempfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from app.extensions import db
from app.models import ImportRow

BATCH = 5000
COLUMNS = ("run_id", "row_no", "key", "who", "employee_id", "currency", "indicator_code", "day", "numerator",
           "denominator", "batch_no", "ordered_at", "shipped_at", "wrong_item")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})


class Spool:
    """Collects staged rows; `flush()` puts them in the table (committed) and returns how many."""

    def __init__(self) -> None:
        self.rows = 0
        self.batch: list[dict[str, Any]] = []
        self.bulk = db.engine.dialect.name in ("mysql", "mariadb")
        self.file = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".tsv", delete=False) if self.bulk \
            else None

    def add(self, row: dict[str, Any]) -> None:
        self.rows += 1
        if self.file is not None:
            self.file.write("\t".join([_WRITE[row.get(name).__class__](row.get(name)) for name in COLUMNS]) + "\n")
            return
        self.batch.append(row)
        if len(self.batch) == BATCH:
            self._insert()

    def flush(self) -> int:
        if self.file is None:
            self._insert()
            return self.rows
        self.file.close()
        path = Path(self.file.name)
        try:
            db.session.connection().exec_driver_sql(
                f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE import_row CHARACTER SET utf8mb4 "
                f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
                f"({', '.join(f'`{name}`' for name in COLUMNS)})")
            db.session.commit()
        finally:
            path.unlink(missing_ok=True)
        return self.rows

    def discard(self) -> None:
        """A file with errors stages nothing: drop the spool file."""
        if self.file is not None:
            self.file.close()
            Path(self.file.name).unlink(missing_ok=True)

    def _insert(self) -> None:
        if self.batch:
            db.session.execute(insert(ImportRow), self.batch)
            db.session.commit()
            self.batch.clear()


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


# Each value as LOAD DATA reads it, by its type: \N for NULL, booleans as 1/0, text escaped.
_WRITE: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "\\N", bool: lambda value: "1" if value else "0", int: str, Decimal: str, date: str,
    datetime: str, str: _text}
