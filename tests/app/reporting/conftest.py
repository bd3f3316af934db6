"""The demo company on Friday 4 December 2026, 10:00 in Shanghai: November published on the 3rd,
most reports still inside their appeal window, one accepted appeal already at version 2."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.models import Cycle, Employee
from tests.support.demo import seeded_demo

TODAY = date(2026, 12, 4)
NOW = datetime(2026, 12, 4, 2, 0)  # 10:00 in Shanghai
HR_NO = "E00002"


@pytest.fixture
def december(app, db_session, monkeypatch):
    """The seeded demo with the business clock stopped at NOW; returns November's cycle."""
    seeded_demo(TODAY)
    monkeypatch.setitem(app.config, "CLOCK", lambda: NOW)
    return db_session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 11))


def employee(employee_no: str) -> Employee:
    from app.extensions import db

    return db.session.scalar(select(Employee).where(Employee.employee_no == employee_no))
