"""Fixtures of the service tests: `cast`, the demo company with people in roles and October's
reports published at a fixed time (tests/support/people.py), and `zhang`, an employee on the
mini-program with one subscription (the `clock` fixture is in tests/conftest.py)."""

import pytest

from app.services.notify import quota
from tests.support.outbox import REMINDER_TPL
from tests.support.people import Cast, demo_cast, person


@pytest.fixture
def cast(db_session) -> Cast:
    """The demo company, October published on 3 November 10:00, and one member per team in HR."""
    return demo_cast(db_session)


@pytest.fixture
def zhang(clock, db_session, standin):
    """An employee on the mini-program with one subscription to the reminder template."""
    employee = person(db_session, "张三", mp="o-zhang")
    standin.grant("o-zhang", REMINDER_TPL, 1)
    quota.grant_quota(employee.id, REMINDER_TPL, 1, now=clock.now)
    return employee
