"""Faults as `make run` lives them: its worker and its embedded Redis are killed mid-work and
restarted. No accepted submission, message or scoring chunk is lost or done twice.

The worker is killed while it scores a month (the lowest queue, so the messages and bars queued
before are done); more work is accepted while no worker runs, so it waits only in Redis; then Redis
is killed too and restarts from whatever its files held. The clock's watch and tick, run by hand
with time moved past every lease, must finish everything from the database, the source of truth.
"""

import os
import signal
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psutil
from sqlalchemy import func, select

from app import create_app
from app.extensions import db, start_embedded_redis
from app.models import (
    Assessment,
    Cycle,
    Employee,
    Indicator,
    OutboxMessage,
    ProgressEntry,
    ProgressSnapshot,
    Score,
    ScoringRun,
    WeChatIdentity,
)
from app.services.notify import outbox
from app.services.observations import submissions
from app.services.observations.submissions import SubmittedFigure
from app.services.scoring import chunks, progress, runs
from app.standins.wechat_state import dev_environment
from config import TestConfig
from tests.support.demo import seeded_demo
from tests.support.outbox import WECOM
from tests.support.people import actor
from tests.support.workers import kill_worker, start_worker

TODAY = date(2026, 11, 27)  # a Friday in an open November
NOW = datetime(2026, 11, 27, 6, 0)  # 14:00 in Shanghai: no quiet hours


def product_app(database_url: str, redis_server, instance: Path):
    """The app as `make run`'s processes build it: this database, this embedded Redis."""
    return create_app(TestConfig({**os.environ, "DATABASE_URL": database_url, "JIXIAO_INSTANCE": str(instance),
                                  "REDIS_URL": f"unix://{redis_server.socket_file}"}))


def remind(people: list[tuple[int, str]], tag: str) -> list[int]:
    """One message to each person, each with a text of its own, committed and queued for delivery."""
    ids = [outbox.enqueue(person_id, "reminder", title="今日进展未提交", body=f"{tag}：{name}请提交今日进展",
                          summary="请提交今日进展", dedupe_key=f"fault-{tag}-{person_id}", now=NOW).id
           for person_id, name in people]
    db.session.commit()
    outbox.dispatch_due(NOW)
    return ids


def self_reported(person_id: int) -> list[str]:
    """The indicators of the person's open assessment that they report themselves (design work)."""
    assessment = db.session.scalar(select(Assessment).join(Cycle).where(
        Assessment.employee_id == person_id, Cycle.status == "open"))
    codes = [item.indicator_code for item in assessment.items] if assessment else []
    return list(db.session.scalars(select(Indicator.code).where(Indicator.code.in_(codes),
                                                                Indicator.source == "self_report")))


def report(people: list[int], done: int) -> list[int]:
    """Each person's own figures for today through the submission service; returns the entries."""
    entries = []
    for person_id in people:
        figures = {code: SubmittedFigure(Decimal(done), Decimal(4)) for code in self_reported(person_id)}
        entries.append(submissions.submit(person_id, TODAY, figures, actor(person_id), "进展", now=NOW).id)
    return entries


def kill_redis(server) -> None:
    """SIGKILL the embedded server and wait until it is gone (a zombie serves nothing)."""
    os.kill(server.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline and psutil.Process(server.pid).status() != psutil.STATUS_ZOMBIE:
            time.sleep(0.05)
    except psutil.NoSuchProcess:  # reaped already
        pass


def scored(run_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Score).where(Score.run_id == run_id))


def finish_from_the_database(run_id: int, entry_ids: list[int], message_ids: list[int]) -> bool:
    """One pass of what the clock does, as if the dead worker's leases had run out: True when all is
    done. (Messages are not sent mid-send when the worker dies, so no claim needs to go stale.)"""
    now = datetime.now(UTC).replace(tzinfo=None)
    progress.resume(time.time() + progress.LEASE_SECONDS + 1)
    progress.reconcile(now)
    outbox.dispatch_due(now)
    chunks.resume_runs(now=time.time() + chunks.LEASE_SECONDS + 1)
    db.session.rollback()
    run_done = db.session.get(ScoringRun, run_id).status == "done"
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.id.in_(message_ids), OutboxMessage.status == "sent"))
    fresh = db.session.scalar(select(func.count()).select_from(ProgressEntry).join(
        ProgressSnapshot, ProgressSnapshot.assessment_id == ProgressEntry.assessment_id).where(
        ProgressEntry.id.in_(entry_ids), ProgressSnapshot.computed_at >= ProgressEntry.updated_at))
    return run_done and sent == len(message_ids) and fresh == len(entry_ids)


def test_killing_the_worker_and_the_embedded_redis_mid_work_loses_nothing_and_does_nothing_twice(
        database_url, db_session, standin, tmp_path, monkeypatch):
    for key, value in dev_environment(standin.url).items():
        monkeypatch.setenv(key, value)  # the worker processes reach the stand-in too
    standin.configure(any_wecom_user=True)
    instance, log = tmp_path / "instance", tmp_path / "worker.log"
    redis_server = start_embedded_redis(str(instance))
    app = product_app(database_url, redis_server, instance)
    with app.app_context():
        seeded_demo(today=TODAY)
        people = db.session.execute(select(Employee.id, Employee.name).where(Employee.status == "active")
                                    .order_by(Employee.id)).all()
        for person_id, _ in people:
            db.session.add(WeChatIdentity(employee_id=person_id, channel="wecom", external_id=f"u{person_id}"))
        db.session.commit()
        reporters = [person_id for person_id, _ in people if self_reported(person_id)]
        half = len(reporters) // 2
        assert half >= 2, "the demo has designers who report their own figures"
        messages = remind(people[:20], "第一批")
        entries = report(reporters[:half], 3)
        october = db.session.scalar(select(Cycle).where(Cycle.month == 10))
        run_id = chunks.close_cycle(october.id, reason="fault test", chunk_size=1)
        total = len(runs.assessment_ids(october.id))

    worker = start_worker(app, log)
    with app.app_context():
        deadline = time.monotonic() + 120
        while scored(run_id) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_worker(worker)
        assert 5 <= scored(run_id) < total, log.read_text(errors="replace")[-3000:]
        messages += remind(people[20:30], "第二批")  # accepted while no worker runs: queued only in Redis
        entries += report(reporters[half:], 2)
    kill_redis(redis_server)  # the embedded Redis dies with them

    redis_server = start_embedded_redis(str(instance))
    app = product_app(database_url, redis_server, instance)
    worker = start_worker(app, log)
    try:
        with app.app_context():
            deadline = time.monotonic() + 180
            while not finish_from_the_database(run_id, entries, messages) and time.monotonic() < deadline:
                time.sleep(1)
            assert finish_from_the_database(run_id, entries, messages), log.read_text(errors="replace")[-3000:]

            per_assessment = db.session.execute(select(Score.assessment_id, func.count()).where(
                Score.run_id == run_id).group_by(Score.assessment_id)).all()
            assert len(per_assessment) == total and {n for _, n in per_assessment} == {1}
    finally:
        kill_worker(worker)
        redis_server.shutdown()

    sent = [str(r["json"]) for r in standin.requests(WECOM) if r.get("errcode") == 0]
    wanted = [f"{tag}：{name}请提交今日进展" for tag, group in (("第一批", people[:20]), ("第二批", people[20:30]))
              for _, name in group]
    assert [sum(text in body for body in sent) for text in wanted] == [1] * len(wanted)  # each once
