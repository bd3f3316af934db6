"""The WeChat stand-in on a real port, reset before each test."""

import pytest

from app.standins.harness import RunningStandin


@pytest.fixture(scope="session")
def running_standin():
    standin = RunningStandin.start()
    yield standin
    standin.stop()


@pytest.fixture
def standin(running_standin):
    running_standin.reset()
    return running_standin
