"""The clock with an injected time: each action happens when due, once, and catches up when late."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    FxRate,
    OutboxMessage,
    Outcome,
    Report,
)
from app.services import tick
from app.services.cycle import completeness
from tests.support.company import SmallCompany, open_month, publish_history, small_company
from tests.support.demo import seeded_demo

TODAY = date(2026, 11, 27)


def utc(local: str) -> datetime:
    """A Shanghai wall-clock time as naive UTC."""
    moment = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return moment.astimezone(UTC).replace(tzinfo=None)


def status(session, month: int) -> str | None:
    session.rollback()
    return session.scalar(select(Cycle.status).where(Cycle.year == 2026, Cycle.month == month))


def small_company_with_a_eur_sale(session) -> SmallCompany:
    """The small company with November open, plus a sale of the star's synced in EUR before HR
    entered November's EUR rate."""
    from app.models import SyncRun
    from app.services.observations import sync
    from app.services.observations.sync import Incoming

    people = small_company()
    open_month(2026, 11)
    run = SyncRun(source="amazon_sp_api", kind="sync")
    session.add(run)
    session.commit()
    sync.record_run(run.id, "verified", [
        Incoming(people.star.id, "ops_sales", date(2026, 11, 27), Decimal("800"), None, "amzn-de/402-1", "EUR")])
    return people


def euro_rate() -> FxRate:
    return FxRate(month="2026-11", currency="EUR", target_currency="USD", rate=Decimal("1.08"))


def test_december_opens_at_nine_on_the_first_and_only_once(db_session, redis_client):
    small_company()
    assert tick.run_due(utc("2026-12-01 08:59"))["opened"] is None
    assert status(db_session, 12) is None
    opened = tick.run_due(utc("2026-12-01 09:00"))["opened"]
    assert status(db_session, 12) == "open"
    assert tick.run_due(utc("2026-12-01 09:01"))["opened"] is None
    # the lead, the star and the trainee; the general manager and HR hold no position
    assert db_session.scalar(select(func.count()).where(Assessment.cycle_id == opened)) == 3


def test_a_tick_two_days_late_still_opens_the_month(db_session, redis_client):
    small_company()
    tick.run_due(utc("2026-12-03 14:00"))
    assert status(db_session, 12) == "open"


def test_november_is_scored_on_the_third_only_once_hr_accepts_the_gaps(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    assert tick.run_due(utc("2026-12-02 23:59"))["closing"] is None
    assert tick.run_due(utc("2026-12-03 09:00"))["closing"] is None  # ratings are missing
    # nobody rated anyone: two manager-rated items for each of the three people assessed
    assert completeness.gaps(november)["ratings"] == {"manager": 2 * 3}
    completeness.acknowledge(november.id, hr_id=people.hr.id)

    run_id = tick.run_due(utc("2026-12-03 09:01"))["closing"]
    assert run_id is not None and status(db_session, 11) == "scoring"
    assert tick.run_due(utc("2026-12-03 09:02"))["closing"] is None  # already scoring
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)
    assert status(db_session, 11) == "review"  # waiting for HR's 发布 (tests/app/services/cycle/test_review.py)


def test_a_settled_month_goes_final_with_outcomes(db_session, redis_client):
    people = small_company()
    months = publish_history(people)
    for report in db_session.scalars(select(Report)).all():
        report.response = "confirmed"
    db_session.commit()
    finalized = tick.run_due(utc("2026-11-27 10:00"))["finalized"]
    assert sorted(finalized) == [cycle.id for cycle in months] and status(db_session, 10) == "final"
    # The star, 优秀 every month: one pay rise in the third quarter (not two), one in October, and
    # after three 优秀 months a team-lead candidacy; the trainee, 不合格 every month: three trainings;
    # the lead, 良好: nothing.
    proposed = db_session.execute(select(Outcome.employee_id, Outcome.kind, func.count())
                                  .group_by(Outcome.employee_id, Outcome.kind)).all()
    assert sorted(proposed) == sorted([(people.star.id, "pay_rise", 2), (people.star.id, "team_lead_candidate", 1),
                                       (people.trainee.id, "training", 3)])
    assert tick.run_due(utc("2026-11-27 10:01"))["finalized"] == []


def test_a_second_tick_while_one_runs_does_nothing(db_session, redis_client):
    lock = redis_client.lock(tick.LOCK, timeout=60)
    assert lock.acquire(blocking=False)
    try:
        assert tick.run_due(utc("2026-12-01 09:00")) == {"skipped": "another tick is running"}
    finally:
        lock.release()


def test_silence_counts_as_confirmed_and_the_month_goes_final_in_the_same_tick(db_session, redis_client):
    publish_history(small_company())
    done = tick.run_due(utc("2026-11-27 10:00"))
    assert done["confirmed"] == 3 * 3  # three reports in each of three months, long past their 3-day windows
    assert status(db_session, 10) == "final" and status(db_session, 8) == "final"
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.response == "pending")) == 0
    assert tick.run_due(utc("2026-11-27 10:01"))["confirmed"] == 0


def test_raters_are_asked_for_missing_ratings_each_working_day_while_the_month_waits(db_session, redis_client):
    small_company()
    open_month(2026, 11)  # nobody rated anyone in November

    assert tick.run_due(utc("2026-12-01 08:00"))["rating_prompts"] == 0
    asked = tick.run_due(utc("2026-12-01 09:00"))["rating_prompts"]
    assert asked == 2  # one reminder each to the general manager (for the lead) and the lead (for two)
    assert tick.run_due(utc("2026-12-01 09:30"))["rating_prompts"] == 0  # once a day
    reminders = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "reminder")
    assert db_session.scalar(reminders) == asked
    assert tick.run_due(utc("2026-12-03 09:00"))["rating_prompts"] == asked  # the scoring day: still waiting
    assert tick.run_due(utc("2026-12-05 09:00"))["rating_prompts"] == 0  # Saturday


def test_an_action_that_fails_neither_stops_the_others_nor_is_forgotten(db_session, redis_client):
    """A sale synced in EUR before HR entered November's EUR rate makes Monday's digest fail. The
    tick still does everything else (the outbox is dispatched, November's silence still counts), and
    once the rate is there the next tick sends the digest it could not send before."""
    small_company_with_a_eur_sale(db_session)

    done = tick.run_due(utc("2026-11-30 09:05"))
    assert "FxRateMissing" in done["digests"]["error"]
    assert "dispatched" in done and "error" not in str(done["dispatched"])
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "digest")) == 0

    db_session.add(euro_rate())
    db_session.commit()
    done = tick.run_due(utc("2026-11-30 09:10"))
    # Monday's digest to each manager: the general manager (HR, the lead and the lead's two) and the lead
    assert done["digests"] == {"weekly": 2}
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "digest")) == 2


def test_a_month_with_a_currency_lacking_its_rate_waits_for_the_rate_not_for_acknowledgement(
        db_session, redis_client):
    """Scoring would fail on every chunk: the close waits, and the completeness check names the rate
    HR has to add (acknowledging gaps cannot stand in for a rate)."""
    people = small_company_with_a_eur_sale(db_session)
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    completeness.acknowledge(november.id, hr_id=people.hr.id)

    assert completeness.gaps(november)["rates"] == ["2026-11 EUR→USD"]
    assert tick.run_due(utc("2026-12-03 09:01"))["closing"] is None
    db_session.add(euro_rate())
    db_session.commit()
    assert tick.run_due(utc("2026-12-03 09:02"))["closing"] is not None


def test_a_foreign_figure_of_an_indicator_nobody_is_assessed_on_needs_no_rate(db_session):
    from app.models import SyncRun
    from app.services.observations import sync
    from app.services.observations.sync import Incoming

    seeded_demo(today=TODAY)
    warehouse_clerk = db_session.scalar(select(Assessment.employee_id).join(Cycle).join(AssessmentItem).where(
        Cycle.month == 11, AssessmentItem.indicator_code == "wh_dispatch_24h_share").limit(1))
    run = SyncRun(source="amazon_sp_api", kind="sync")
    db_session.add(run)
    db_session.commit()
    sync.record_run(run.id, "verified", [
        Incoming(warehouse_clerk, "ops_sales", date(2026, 11, 27), Decimal("800"), None, "amzn-de/9", "EUR")])
    assert completeness.missing_rates(db_session.scalar(select(Cycle).where(Cycle.month == 11))) == []


def test_raters_are_asked_on_working_days_only_when_the_month_starts_with_a_holiday(db_session, redis_client):
    """National Day fills 1–7 October: the first prompt is on Thursday the 8th, one a working day
    after it (the 调休 Saturday the 10th included) — never two the same morning for days 1 and 2."""
    small_company()
    open_month(2026, 9)  # nobody rated anyone in September
    assert tick.run_due(utc("2026-10-01 09:00"))["rating_prompts"] == 0
    assert tick.run_due(utc("2026-10-02 09:00"))["rating_prompts"] == 0
    assert tick.run_due(utc("2026-10-08 09:00"))["rating_prompts"] == 2  # the general manager and the lead
    assert tick.run_due(utc("2026-10-09 09:00"))["rating_prompts"] == 2
    assert tick.run_due(utc("2026-10-10 09:00"))["rating_prompts"] == 2  # the 调休 Saturday is a working day
    assert tick.run_due(utc("2026-10-11 09:00"))["rating_prompts"] == 0  # Sunday
