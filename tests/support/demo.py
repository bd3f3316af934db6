"""The demo company for tests that need a company, seeded once per test run.

Seeding writes each source's figures day by day through the shared write path and lives through
three months of history, which takes seconds; a hundred tests start from the same company. The
first call of a test run seeds it for real (app.demo.seed_demo) and keeps every table's rows in
memory and in a file the run's other test processes read; later calls put the same rows back into
the emptied database. Tests of the seeding itself (tests/app/demo/) call seed_demo directly.
"""

import fcntl
import os
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Table, select, update

from app.demo import seed_demo
from app.extensions import db, redis_store
from app.models import Comment, Cycle, Employee

# Columns pointing into their own table or round a cycle: restored after every row is back.
LATER = {"cycle": "visible_run_id", "comment": "parent_id", "employee": "manager_id"}
_snapshots: dict[tuple[str, date, bool], dict[str, list[dict]]] = {}


def seeded_demo(today: date, lived: bool = True) -> None:
    """The demo company as `seed_demo(today=today, lived=lived)` leaves it, in the (empty) test database. Redis
    is left empty either way: the requests to recompute progress seeding makes are dropped, as the
    restored copy never makes them (the clock's first tick asks for every open assessment anyway)."""
    session = db.session
    key = (db.engine.url.render_as_string(), today, lived)
    if key not in _snapshots:
        with _shared(today, lived) as stored:
            if stored.exists():  # another test process of this run seeded it: read its rows
                _snapshots[key] = pickle.loads(stored.read_bytes())
            else:
                seed_demo(today=today, lived=lived)
                redis_store.client.flushdb()
                _snapshots[key] = {table.name: [dict(row._mapping) for row in session.execute(select(table))]
                                   for table in db.metadata.sorted_tables}
                stored.write_bytes(pickle.dumps(_snapshots[key]))
                return
    snapshot = _snapshots[key]
    for table in db.metadata.sorted_tables:
        rows = snapshot[table.name]
        later = LATER.get(table.name)
        if rows:
            session.execute(table.insert(), [{**row, later: None} for row in rows] if later else rows)
    for model, column in ((Cycle, "visible_run_id"), (Comment, "parent_id"), (Employee, "manager_id")):
        _restore(session, model.__table__, column, snapshot[model.__tablename__])
    session.commit()


@contextmanager
def _shared(today: date, lived: bool) -> Iterator[Path]:
    """The file one run's test processes share a seeded demo through, held under a lock while it is
    read or written: seeding takes half a minute on MariaDB, and each xdist worker did it again.
    The run's id (xdist's, else this process's) keeps another run's or an older tree's copy out."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    folder = Path(tempfile.gettempdir()) / f"jixiao-demo-{run}"
    folder.mkdir(exist_ok=True)
    stored = folder / f"{today.isoformat()}-{int(lived)}.pickle"
    with (folder / f"{stored.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield stored
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _restore(session, table: Table, column: str, rows: list[dict]) -> None:
    for row in rows:
        if row[column] is not None:
            session.execute(update(table).where(table.c.id == row["id"]).values({column: row[column]}))
