"""The bot's tests use the mini-program API's company (tests/support/mp_world.py)."""

import pytest

from tests.support.mp_world import World, build_world


@pytest.fixture
def world(app, client, clock, db_session) -> World:
    return build_world(client, clock, db_session)
