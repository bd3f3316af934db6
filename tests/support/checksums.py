"""Per-table checksums of a whole database, to prove a re-run changed nothing."""

import hashlib

from sqlalchemy import select

from app.extensions import db


def table_checksums(session) -> dict[str, str]:
    """sha256 of every table's rows in primary-key order."""
    sums = {}
    for table in db.metadata.sorted_tables:
        digest = hashlib.sha256()
        for row in session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
        sums[table.name] = digest.hexdigest()
    return sums
