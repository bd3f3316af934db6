"""A database connection of its own, as another process (a worker, the scheduler) has one."""

from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from app.extensions import db


@contextmanager
def own_connection():
    """A transaction on a fresh connection to the app's database, committed at the end."""
    engine = create_engine(db.engine.url.render_as_string(hide_password=False), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


@contextmanager
def writer_holding(column):
    """Another writer in the middle of a transaction that set `column` of every row to itself: on
    SQLite it holds the database's write lock, on MariaDB those rows' locks, until the block ends
    (rolled back)."""
    engine = create_engine(db.engine.url.render_as_string(hide_password=False), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(column.table.update().values({column.name: column}))
            try:
                yield conn
            finally:
                conn.rollback()
    finally:
        engine.dispose()
