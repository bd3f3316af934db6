"""A month's close in chunk jobs on real workers: a SIGKILLed worker shows nothing of its run,
and the next tick finishes the run by itself with the same reports as an uninterrupted close."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import func, select

from app import jobs
from app.models import Assessment, Cycle, Employee, Report, Score, ScoringRun
from app.services.cycle import review
from app.services.scoring import chunks, runs
from tests.support.connections import own_connection
from tests.support.demo import seeded_demo

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 11, 27)


def scored(session, run_id: int) -> int:
    session.rollback()  # a new transaction: MariaDB's repeatable read would keep showing the old snapshot
    return session.scalar(select(func.count()).select_from(Score).where(Score.run_id == run_id))


def reports_of(session, cycle_id: int) -> list[Report]:
    return session.scalars(select(Report).join(Assessment).where(Assessment.cycle_id == cycle_id)).all()


def start_worker(app, log: Path, *, burst: bool = False) -> subprocess.Popen:
    """`python -m workers worker` as production runs it, its output kept for the failure message."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app.config["REDIS_URL"],
           "JIXIAO_INSTANCE": app.config["INSTANCE_PATH"]}
    command = [sys.executable, "-m", "workers", "worker"] + (["--burst"] if burst else [])
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out)


def story(log: Path, redis_client, run_id: int) -> str:
    """The message of a failing assertion: what the workers printed, why their jobs failed, and
    what a connection of its own sees of the run (so a stale view in this process shows up)."""
    failed = Queue(jobs.SCORING, connection=redis_client).failed_job_registry
    reasons = [str(Job.fetch(job_id, connection=redis_client).exc_info) for job_id in failed.get_job_ids()[:3]]
    with own_connection() as conn:
        status = conn.scalar(select(ScoringRun.status).where(ScoringRun.id == run_id))
        count = conn.scalar(select(func.count()).select_from(Score).where(Score.run_id == run_id))
    return "\n".join([f"a fresh connection sees the run {status} with {count} scores",
                      f"worker output:\n{log.read_text(errors='replace')[-4000:]}", f"failed jobs: {failed.count}",
                      *reasons])


def test_a_killed_worker_leaves_nothing_visible_and_the_tick_finishes_the_run(app, db_session, redis_client, tmp_path):
    seeded_demo(today=TODAY)
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    total = len(runs.assessment_ids(november.id))
    run_id = chunks.close_cycle(november.id, reason="month close", chunk_size=1)

    log = tmp_path / "worker.log"
    worker = start_worker(app, log)
    deadline = time.monotonic() + 60
    while scored(db_session, run_id) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()

    done = scored(db_session, run_id)
    assert 5 <= done < total, story(log, redis_client, run_id)
    cycle = db_session.get(Cycle, november.id)
    assert cycle.visible_run_id is None and cycle.status == "scoring"
    assert reports_of(db_session, november.id) == []
    assert db_session.get(ScoringRun, run_id).status == "running"

    assert chunks.resume_runs(now=time.time()) == []  # leases are fresh: nothing reclaimed yet
    later = time.time() + chunks.LEASE_SECONDS + 1
    assert chunks.resume_runs(now=later) == [run_id]
    assert chunks.resume_runs(now=later) == []  # a second scheduler at the same moment does nothing
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)

    db_session.expire_all()
    cycle = db_session.get(Cycle, november.id)
    assert (cycle.status, scored(db_session, run_id)) == ("review", total)  # complete, waiting for HR
    hr = db_session.scalar(select(Employee.id).where(Employee.is_hr).order_by(Employee.id))
    review.publish(november.id, hr_id=hr)
    assert db_session.get(Cycle, november.id).visible_run_id == run_id
    reports = reports_of(db_session, november.id)
    assert len(reports) == total and {r.version for r in reports} == {1}

    # An uninterrupted close of the same data publishes nothing new: every report body is identical.
    runs.score_cycle(november.id, reason="uninterrupted check")
    assert {r.version for r in reports_of(db_session, november.id)} == {1}


def test_a_complete_run_is_finished_by_the_tick_if_its_last_job_died_before_finishing(db_session, redis_client):
    seeded_demo(today=TODAY)
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    run_id = runs.start_run(november.id, reason="month close")
    runs.score_chunk(run_id, runs.assessment_ids(november.id))  # scored, but never finished
    assert db_session.get(ScoringRun, run_id).status == "running"
    assert chunks.resume_runs() == [run_id]
    db_session.expire_all()
    assert (db_session.get(ScoringRun, run_id).status, db_session.get(Cycle, november.id).status) == ("done", "review")
    assert runs.review_run(november.id) == run_id


def test_two_workers_close_a_month_together(app, db_session, redis_client, tmp_path):
    """Chunks scored at the same time by two worker processes all land, and the run finishes once."""
    seeded_demo(today=TODAY)
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    run_id = chunks.close_cycle(november.id, reason="month close", chunk_size=3)
    log = tmp_path / "workers.log"
    workers = [start_worker(app, log, burst=True) for _ in range(2)]
    try:
        for worker in workers:
            worker.wait(timeout=120)
    finally:  # a hung worker must not outlive the test
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
    db_session.rollback()
    assert db_session.get(ScoringRun, run_id).status == "done", story(log, redis_client, run_id)
    assert scored(db_session, run_id) == len(runs.assessment_ids(november.id))
    assert db_session.get(Cycle, november.id).status == "review"
    assert Queue(jobs.SCORING, connection=redis_client).failed_job_registry.count == 0
