"""The WeChat stand-in on a real port for the session, reset before each test, and our clients on it."""

import pytest

from app.standins.wechat_state import dev_environment
from app.wechat.clients import build_client
from app.wechat.settings import settings_from_config


@pytest.fixture
def standin(running_standin, redis_client):
    """A fresh stand-in and an empty Redis: no token, no quota, nothing recorded."""
    running_standin.reset()
    return running_standin


@pytest.fixture
def settings(standin):
    return settings_from_config(dev_environment(standin.url))


@pytest.fixture
def mp(settings, redis_client):
    return build_client(settings, "mp", redis_client)


@pytest.fixture
def wecom(settings, redis_client):
    return build_client(settings, "wecom", redis_client)


@pytest.fixture
def oa(settings, redis_client):
    return build_client(settings, "oa", redis_client)
