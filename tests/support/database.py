"""Emptying the test database between tests (the `db_session` fixture) or within one."""

from sqlalchemy import update

from app.extensions import db
from app.models import Comment, Cycle, Employee


def empty_database(session) -> None:
    """Delete every row, children first (self and circular references are cut before)."""
    session.execute(update(Cycle).values(visible_run_id=None))
    session.execute(update(Comment).values(parent_id=None))
    session.execute(update(Employee).values(manager_id=None))
    for table in reversed(db.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()
