"""Live progress on a real worker: bursts coalesce, the bar equals a recompute from scratch, and a
drain that fails or is killed loses none of its work."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rq import Queue, SimpleWorker
from rq.registry import FinishedJobRegistry
from sqlalchemy import delete, func, select

from app import jobs
from app.models import (
    Assessment,
    Cycle,
    Employee,
    Observation,
    Position,
    ProgressSnapshot,
    SyncRun,
)
from app.services.business_time import business_today
from app.services.observations import sync
from app.services.observations.sync import Incoming
from app.services.scoring import progress
from tests.support.company import assessment_of, open_month, small_company
from tests.support.connections import writer_holding
from tests.support.demo import seeded_demo
from tests.support.workers import burst, kill_worker, retries_due_now, start_worker, unreachable


def test_a_burst_of_observations_costs_at_most_two_recomputes(db_session, redis_client):
    today = business_today()
    seeded_demo(today=today)
    assessment = db_session.scalar(
        select(Assessment).join(Cycle).join(Position, Position.id == Assessment.position_id)
        .where(Cycle.status == "open", Position.code == "ops").order_by(Assessment.id)
    )
    employee = db_session.get(Employee, assessment.employee_id)
    queue = Queue(jobs.PROGRESS, connection=redis_client)
    started = time.monotonic()
    for n in range(100):
        db_session.add(Observation(
            employee_id=employee.id, indicator_code="ops_sales", day=today, numerator=Decimal(100 + n),
            source="amazon_sp_api", provenance="verified", external_ref=f"burst/{n}", currency="USD",
        ))
        db_session.commit()
        progress.request_recompute(assessment.id)
    assert time.monotonic() - started < 5
    assert len(queue) == 1

    SimpleWorker([queue], connection=redis_client).work(burst=True)

    assert FinishedJobRegistry(jobs.PROGRESS, connection=redis_client).count <= 2
    db_session.expire_all()
    snapshot = db_session.scalar(select(ProgressSnapshot).where(ProgressSnapshot.assessment_id == assessment.id))
    live = snapshot.body
    fresh = progress.recompute(assessment.id).body
    assert live == fresh
    sales = next(item for item in live["items"] if item["indicator"] == "ops_sales")
    assert "progress" in sales and sales["basis"] in ("extrapolated", "actual")


def test_data_arriving_during_a_drain_queues_another(db_session, redis_client):
    today = business_today()
    seeded_demo(today=today)
    first, second = db_session.scalars(select(Assessment.id).join(Cycle).where(Cycle.status == "open")
                                       .order_by(Assessment.id).limit(2)).all()
    queue = Queue(jobs.PROGRESS, connection=redis_client)
    assert progress.request_recompute(first) is True
    assert progress.request_recompute(first) is False  # already pending
    assert progress.request_recompute(second) is True
    assert len(queue) == 1  # one drain for both
    assert progress.drain() == 2
    assert progress.request_recompute(first) is True  # new data after the drain took the set
    assert len(queue) == 2


def test_many_assessments_are_recomputed_in_one_batch(db_session, redis_client):
    today = business_today()
    seeded_demo(today=today)
    ids = db_session.scalars(select(Assessment.id).join(Cycle).where(Cycle.status == "open")).all()
    for assessment_id in ids:
        progress.request_recompute(assessment_id)
    queue = Queue(jobs.PROGRESS, connection=redis_client)
    assert len(queue) == 1
    SimpleWorker([queue], connection=redis_client).work(burst=True)
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ProgressSnapshot)) == len(ids)


def test_one_assessment_that_cannot_be_computed_does_not_cost_the_others_their_bars(db_session, redis_client):
    """A sale in EUR arrives before HR entered the month's EUR rate: that person's bar waits for
    the rate, everyone drained with them still gets theirs."""
    from rq.registry import FailedJobRegistry

    today = business_today()
    seeded_demo(today=today)
    yesterday = today - timedelta(days=1)  # inside the bar: the source has covered it
    batch = db_session.scalars(
        select(Assessment).join(Cycle).join(Position, Position.id == Assessment.position_id)
        .where(Cycle.status == "open", Position.code == "ops", Assessment.first_day <= yesterday,
               Assessment.last_day >= yesterday).order_by(Assessment.id).limit(3)).all()
    db_session.add(Observation(employee_id=batch[0].employee_id, indicator_code="ops_sales", day=yesterday,
                               numerator=Decimal("800"), source="amazon_sp_api", provenance="verified",
                               external_ref="amzn-de/402-1", currency="EUR"))
    # any bar from before this drain goes, so only the drain's own count
    db_session.execute(delete(ProgressSnapshot).where(ProgressSnapshot.assessment_id.in_([a.id for a in batch])))
    db_session.commit()
    for assessment in batch:
        progress.request_recompute(assessment.id)

    SimpleWorker([Queue(jobs.PROGRESS, connection=redis_client)], connection=redis_client).work(burst=True)

    db_session.rollback()
    stored = set(db_session.scalars(select(ProgressSnapshot.assessment_id)
                                    .where(ProgressSnapshot.assessment_id.in_([a.id for a in batch]))))
    assert stored == {batch[1].id, batch[2].id}
    assert FailedJobRegistry(jobs.PROGRESS, connection=redis_client).count == 0


def bars(session) -> dict[int, datetime]:
    """Assessment id → when its bar was last computed, as committed."""
    session.rollback()  # MariaDB: see what the workers committed
    return dict(session.execute(select(ProgressSnapshot.assessment_id, ProgressSnapshot.computed_at)).all())


def open_november(session) -> list[int]:
    small_company()
    november = open_month(2026, 11)
    return sorted(session.scalars(select(Assessment.id).where(Assessment.cycle_id == november.id)))


def test_a_drain_that_fails_keeps_its_work_and_its_retry_recomputes_every_bar(app, db_session, redis_client,
                                                                              tmp_path):
    """The database is down while a worker drains: the drain fails, and once the database is back
    RQ's retry of that drain recomputes every bar that was pending."""
    ids = open_november(db_session)
    for assessment_id in ids:
        progress.request_recompute(assessment_id)
    log = tmp_path / "worker.log"

    burst(app, log, database_url=unreachable(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path))

    assert bars(db_session) == {}
    assert "OperationalError" in log.read_text(errors="replace")  # it failed for the reason the test means
    retries_due_now(redis_client, jobs.PROGRESS)
    SimpleWorker([Queue(jobs.PROGRESS, connection=redis_client)], connection=redis_client).work(
        burst=True, with_scheduler=True)
    assert sorted(bars(db_session)) == ids, log.read_text(errors="replace")[-3000:]


def test_a_drain_killed_mid_work_leaves_its_ids_to_the_clock_watch(app, clock, db_session, redis_client, tmp_path):
    """A worker is SIGKILLed while its drain waits for a database lock: nothing it took is lost, and
    once its lease is over the clock's watch job queues a drain that recomputes every bar."""
    ids = open_november(db_session)
    progress.recompute_many(ids)
    before = bars(db_session)
    for assessment_id in ids:
        progress.request_recompute(assessment_id)
    log = tmp_path / "worker.log"
    with writer_holding(ProgressSnapshot.__table__.c.computed_at):  # the drain computes, then waits on its write
        worker = start_worker(app, log)
        deadline = time.monotonic() + 30
        while redis_client.scard(progress.PENDING) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert redis_client.scard(progress.PENDING) == 0, log.read_text(errors="replace")
        time.sleep(1)
        kill_worker(worker)
    assert bars(db_session) == before

    clock.now = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)  # the drain's lease is long over
    queues = [Queue(name, connection=redis_client) for name in (jobs.CLOCK, jobs.PROGRESS)]
    queues[0].enqueue("workers.jobs.watch.watch")
    SimpleWorker(queues, connection=redis_client).work(burst=True)

    after = bars(db_session)
    assert sorted(after) == ids
    assert all(after[i] > before[i] for i in ids), log.read_text(errors="replace")[-3000:]


def test_bars_a_redis_that_lost_its_data_forgot_are_asked_for_again_by_the_watch(db_session, redis_client):
    """The pending set lives in Redis; the watch checks it against the database, the source of truth."""
    today = business_today()
    people = small_company()
    cycle = open_month(today.year, today.month)
    db_session.add(Observation(employee_id=people.star.id, indicator_code="ops_sales", day=today,
                               numerator=Decimal(5000), source="amazon_sp_api", provenance="verified",
                               external_ref="lost/1", currency="USD"))
    db_session.commit()
    progress.request_recompute(assessment_of(people.star, cycle).id)
    redis_client.flushdb()  # Redis restarted without its data: the request is gone (this test's db only)
    time.sleep(1.1)  # the bars computed below are a second newer than the data (MariaDB keeps seconds)

    now = datetime.now(UTC).replace(tzinfo=None)
    assert progress.reconcile(now) == 1
    SimpleWorker([Queue(jobs.PROGRESS, connection=redis_client)], connection=redis_client).work(burst=True)
    db_session.expire_all()
    snapshot = db_session.scalar(select(ProgressSnapshot).where(
        ProgressSnapshot.assessment_id == assessment_of(people.star, cycle).id))
    sales = next(item for item in snapshot.body["items"] if item["indicator"] == "ops_sales")
    assert sales["actual"] == "5000"
    assert progress.reconcile(now) == 0  # the bars are as new as the data now

    run = SyncRun(source="amazon_sp_api", kind="sync")
    db_session.add(run)
    db_session.commit()
    changed = Incoming(people.star.id, "ops_sales", today, Decimal(6000), None, "lost/1", "USD")
    assert sync.record_run(run.id, "verified", [changed])["updated"] == 1
    redis_client.flushdb()  # and the recompute that re-sync asked for is lost as well
    assert progress.reconcile(now) == 1  # a figure changed by a re-sync counts as new data
