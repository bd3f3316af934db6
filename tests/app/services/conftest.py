"""Fixtures of the service tests: `cast` (the demo company with roles, from test_workflow_support.py)
and `zhang`, an employee on the mini-program with one subscription (helpers in test_outbox_support.py;
the `clock` fixture is in tests/conftest.py)."""

import pytest

from app.services.notify import quota
from tests.app.services.test_outbox_support import REMINDER_TPL, person
from tests.app.services.test_workflow_support import cast  # noqa: F401  the demo company, roles cast


@pytest.fixture
def zhang(clock, db_session, standin):
    """An employee on the mini-program with one subscription to the reminder template."""
    employee = person(db_session, "张三", mp="o-zhang")
    standin.grant("o-zhang", REMINDER_TPL, 1)
    quota.grant_quota(employee.id, REMINDER_TPL, 1, now=clock.now)
    return employee

