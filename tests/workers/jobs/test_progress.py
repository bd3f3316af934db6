"""Live progress on a real worker: bursts coalesce, and the bar equals a recompute from scratch."""

import time
from decimal import Decimal

from rq import Queue, SimpleWorker
from rq.registry import FinishedJobRegistry
from sqlalchemy import func, select

from app import jobs
from app.demo import seed_demo
from app.models import (
    Assessment,
    Cycle,
    Employee,
    Observation,
    Position,
    ProgressSnapshot,
)
from app.services.business_time import business_today
from app.services.scoring import progress


def test_a_burst_of_observations_costs_at_most_two_recomputes(db_session, redis_client):
    today = business_today()
    seed_demo(today=today)
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
    seed_demo(today=today)
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
    seed_demo(today=today)
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
    seed_demo(today=today)
    batch = db_session.scalars(
        select(Assessment).join(Cycle).join(Position, Position.id == Assessment.position_id)
        .where(Cycle.status == "open", Position.code == "ops").order_by(Assessment.id).limit(3)).all()
    db_session.add(Observation(employee_id=batch[0].employee_id, indicator_code="ops_sales", day=today,
                               numerator=Decimal("800"), source="amazon_sp_api", provenance="verified",
                               external_ref="amzn-de/402-1", currency="EUR"))
    db_session.commit()
    for assessment in batch:
        progress.request_recompute(assessment.id)

    SimpleWorker([Queue(jobs.PROGRESS, connection=redis_client)], connection=redis_client).work(burst=True)

    db_session.rollback()
    stored = set(db_session.scalars(select(ProgressSnapshot.assessment_id)
                                    .where(ProgressSnapshot.assessment_id.in_([a.id for a in batch]))))
    assert stored == {batch[1].id, batch[2].id}
    assert FailedJobRegistry(jobs.PROGRESS, connection=redis_client).count == 0
