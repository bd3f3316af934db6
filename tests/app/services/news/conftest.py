"""Fixtures of the news tests: `demo`, the demo company with every progress entry stamped as
submitted at 17:30 Shanghai time of its own day."""

import pytest

from tests.support.clock import TODAY
from tests.support.demo import seeded_demo
from tests.support.news import stamp_submissions


@pytest.fixture
def demo(db_session):
    """The demo company on Friday 27 November (progress up to Thursday 26), entries stamped."""
    seeded_demo(today=TODAY, lived=False)
    stamp_submissions(db_session)
    return db_session
