"""The clock with an injected time: each action happens when due, once, and catches up when late."""

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.demo import seed_demo
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Employee,
    FxRate,
    OutboxMessage,
    Outcome,
    Report,
)
from app.services import tick
from app.services.cycle import completeness

TODAY = date(2026, 11, 27)


def utc(local: str) -> datetime:
    """A Shanghai wall-clock time as naive UTC."""
    moment = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def status(session, month: int) -> str | None:
    session.rollback()
    return session.scalar(select(Cycle.status).where(Cycle.year == 2026, Cycle.month == month))


def seed_with_a_eur_sale(session) -> None:
    """The demo company, plus a November sale synced in EUR before HR entered November's EUR rate."""
    from app.models import SyncRun
    from app.services.observations import sync
    from app.services.observations.sync import Incoming

    seed_demo(today=TODAY)
    seller = session.scalar(select(Assessment.employee_id).join(Cycle).join(AssessmentItem)
                            .where(Cycle.month == 11, AssessmentItem.indicator_code == "ops_sales").limit(1))
    run = SyncRun(source="amazon_sp_api", kind="sync")
    session.add(run)
    session.commit()
    sync.record_run(run.id, "verified", [
        Incoming(seller, "ops_sales", date(2026, 11, 27), Decimal("800"), None, "amzn-de/402-1", "EUR")])


def euro_rate() -> FxRate:
    return FxRate(month="2026-11", currency="EUR", target_currency="USD", rate=Decimal("1.08"))


def test_december_opens_at_nine_on_the_first_and_only_once(db_session, redis_client):
    seed_demo(today=TODAY)
    assert tick.run_due(utc("2026-12-01 08:59"))["opened"] is None
    assert status(db_session, 12) is None
    opened = tick.run_due(utc("2026-12-01 09:00"))["opened"]
    assert status(db_session, 12) == "open"
    assert tick.run_due(utc("2026-12-01 09:01"))["opened"] is None
    assert db_session.scalar(select(func.count()).where(Assessment.cycle_id == opened)) > 40


def test_a_tick_two_days_late_still_opens_the_month(db_session, redis_client):
    seed_demo(today=TODAY)
    tick.run_due(utc("2026-12-03 14:00"))
    assert status(db_session, 12) == "open"


def test_november_is_scored_on_the_third_only_once_hr_accepts_the_gaps(db_session, redis_client):
    seed_demo(today=TODAY)
    assert tick.run_due(utc("2026-12-02 23:59"))["closing"] is None
    assert tick.run_due(utc("2026-12-03 09:00"))["closing"] is None  # ratings are missing
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    assert completeness.gaps(november)["ratings"]["manager"] > 0
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    completeness.acknowledge(november.id, hr_id=hr.id)

    run_id = tick.run_due(utc("2026-12-03 09:01"))["closing"]
    assert run_id is not None and status(db_session, 11) == "scoring"
    assert tick.run_due(utc("2026-12-03 09:02"))["closing"] is None  # already scoring
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)
    assert status(db_session, 11) == "published"


def test_a_settled_month_goes_final_with_outcomes(db_session, redis_client):
    seed_demo(today=TODAY)
    for report in db_session.scalars(select(Report)).all():
        report.response = "confirmed"
    db_session.commit()
    finalized = tick.run_due(utc("2026-11-27 10:00"))["finalized"]
    assert len(finalized) == 3 and status(db_session, 10) == "final"
    assert db_session.scalar(select(func.count()).select_from(Outcome)) > 0
    assert tick.run_due(utc("2026-11-27 10:01"))["finalized"] == []


def test_a_second_tick_while_one_runs_does_nothing(db_session, redis_client):
    lock = redis_client.lock(tick.LOCK, timeout=60)
    assert lock.acquire(blocking=False)
    try:
        assert tick.run_due(utc("2026-12-01 09:00")) == {"skipped": "another tick is running"}
    finally:
        lock.release()


def test_silence_counts_as_confirmed_and_the_month_goes_final_in_the_same_tick(db_session, redis_client):
    seed_demo(today=TODAY)
    done = tick.run_due(utc("2026-11-27 10:00"))
    assert done["confirmed"] > 0  # the seed's published months are long past their 3-day windows
    assert status(db_session, 10) == "final" and status(db_session, 8) == "final"
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.response == "pending")) == 0
    assert tick.run_due(utc("2026-11-27 10:01"))["confirmed"] == 0


def test_raters_are_asked_for_missing_ratings_on_the_first_days(db_session, redis_client):
    seed_demo(today=TODAY)

    assert tick.run_due(utc("2026-12-01 08:00"))["rating_prompts"] == 0
    asked = tick.run_due(utc("2026-12-01 09:00"))["rating_prompts"]
    assert asked > 0
    assert tick.run_due(utc("2026-12-01 09:30"))["rating_prompts"] == 0  # once a day
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "reminder")) >= asked
    assert tick.run_due(utc("2026-12-03 09:00"))["rating_prompts"] == 0  # not after day 2


def test_an_action_that_fails_neither_stops_the_others_nor_is_forgotten(db_session, redis_client):
    """A sale synced in EUR before HR entered November's EUR rate makes Monday's digest fail. The
    tick still does everything else (the outbox is dispatched, November's silence still counts), and
    once the rate is there the next tick sends the digest it could not send before."""
    seed_with_a_eur_sale(db_session)

    done = tick.run_due(utc("2026-11-30 09:05"))
    assert "FxRateMissing" in done["digests"]["error"]
    assert "dispatched" in done and "error" not in str(done["dispatched"])
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "digest")) == 0

    db_session.add(euro_rate())
    db_session.commit()
    done = tick.run_due(utc("2026-11-30 09:10"))
    assert done["digests"] and "error" not in done["digests"]
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "digest")) > 0


def test_a_month_with_a_currency_lacking_its_rate_waits_for_the_rate_not_for_acknowledgement(
        db_session, redis_client):
    """Scoring would fail on every chunk: the close waits, and the completeness check names the rate
    HR has to add (acknowledging gaps cannot stand in for a rate)."""
    seed_with_a_eur_sale(db_session)
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    completeness.acknowledge(november.id, hr_id=hr.id)

    assert completeness.gaps(november)["rates"] == ["2026-11 EUR→USD"]
    assert tick.run_due(utc("2026-12-03 09:01"))["closing"] is None
    db_session.add(euro_rate())
    db_session.commit()
    assert tick.run_due(utc("2026-12-03 09:02"))["closing"] is not None


def test_a_foreign_figure_of_an_indicator_nobody_is_assessed_on_needs_no_rate(db_session):
    from app.models import SyncRun
    from app.services.observations import sync
    from app.services.observations.sync import Incoming

    seed_demo(today=TODAY)
    warehouse_clerk = db_session.scalar(select(Assessment.employee_id).join(Cycle).join(AssessmentItem).where(
        Cycle.month == 11, AssessmentItem.indicator_code == "wh_dispatch_24h_share").limit(1))
    run = SyncRun(source="amazon_sp_api", kind="sync")
    db_session.add(run)
    db_session.commit()
    sync.record_run(run.id, "verified", [
        Incoming(warehouse_clerk, "ops_sales", date(2026, 11, 27), Decimal("800"), None, "amzn-de/9", "EUR")])
    assert completeness.missing_rates(db_session.scalar(select(Cycle).where(Cycle.month == 11))) == []


def test_raters_are_asked_on_the_first_two_working_days_when_the_month_starts_with_a_holiday(
        db_session, redis_client):
    """National Day fills 1–7 October: one prompt on Thursday the 8th, one on Friday the 9th — not two
    the same morning for days 1 and 2."""
    seed_demo(today=date(2026, 9, 28))
    assert tick.run_due(utc("2026-10-01 09:00"))["rating_prompts"] == 0
    assert tick.run_due(utc("2026-10-02 09:00"))["rating_prompts"] == 0
    assert tick.run_due(utc("2026-10-08 09:00"))["rating_prompts"] > 0
    assert tick.run_due(utc("2026-10-09 09:00"))["rating_prompts"] > 0
    assert tick.run_due(utc("2026-10-10 09:00"))["rating_prompts"] == 0  # the 调休 Saturday is the third
