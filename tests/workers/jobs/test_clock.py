"""A real RQ worker runs the scheduler's tick job against a real Redis."""

from rq import Queue, SimpleWorker

from app import jobs
from app.services import heartbeat
from workers.jobs.clock import tick


def test_a_worker_runs_tick_and_healthz_sees_the_clock_running(app, client, redis_client):
    queue = Queue(jobs.CLOCK, connection=redis_client)
    job = queue.enqueue(tick)
    with app.app_context():
        SimpleWorker([queue], connection=redis_client).work(burst=True)
        assert job.get_status(refresh=True) == "finished"
        assert heartbeat.last_tick_age() < 30  # ticked during this test (the job itself may take a few seconds)
    assert client.get("/healthz").get_json()["checks"]["clock"]["ok"] is True
