"""Synced figures: inserted, updated or left alone by source record; a published month's figure is
never changed silently but recorded for HR, who re-publishes or dismisses it."""

from datetime import date
from decimal import Decimal

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.errors import ApiError
from app.models import (
    Assessment,
    AuditLog,
    Cycle,
    Employee,
    Observation,
    Report,
    Restatement,
    ScoringRun,
    SyncRun,
)
from app.services.observations import sync
from app.services.observations.sync import Incoming
from app.services.scoring import progress
from tests.support.company import open_month, small_company
from tests.support.demo import seeded_demo

TODAY = date(2026, 11, 27)


def scoring_workers(redis_client) -> None:
    """The scoring workers take the re-publication's chunks (HR's request only starts the run)."""
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)


def new_run(session, source="amazon_sp_api") -> SyncRun:
    run = SyncRun(source=source, kind="sync")
    session.add(run)
    session.commit()
    return run


def seeded_sales(session, day: date) -> Observation:
    return session.scalar(select(Observation).where(Observation.indicator_code == "ops_sales", Observation.day == day)
                          .order_by(Observation.id))


def again(obs: Observation, numerator: Decimal) -> Incoming:
    return Incoming(obs.employee_id, obs.indicator_code, obs.day, numerator, obs.denominator, obs.external_ref,
                    obs.currency)


def test_a_run_inserts_updates_and_leaves_alone_with_one_audit_row(db_session, redis_client):
    seeded_demo(today=TODAY, lived=False)
    current = seeded_sales(db_session, date(2026, 11, 20))
    employee = current.employee_id
    run = new_run(db_session)
    fresh = Incoming(employee, "ops_sales", date(2026, 11, 26), Decimal("1234.50"), None, "brand-new", "USD")
    counts = sync.record_run(run.id, "verified", [fresh, again(current, current.numerator + 1), again(
        seeded_sales(db_session, date(2026, 11, 19)), seeded_sales(db_session, date(2026, 11, 19)).numerator)])
    assert counts == {"inserted": 1, "updated": 1, "unchanged": 1}
    db_session.expire_all()
    assert db_session.get(Observation, current.id).run_id == run.id
    assert db_session.scalar(select(Observation.numerator).where(Observation.external_ref == "brand-new")) == \
        Decimal("1234.5")
    audits = db_session.scalars(select(AuditLog).where(AuditLog.entity == "sync_run",
                                                       AuditLog.entity_id == run.id)).all()
    assert len(audits) == 1 and audits[0].after == {"inserted": 1, "updated": 1, "unchanged": 1}
    assert redis_client.scard(progress.PENDING) == 1  # the open month's progress is recomputed


def test_a_published_month_is_restated_not_changed(db_session, redis_client):
    seeded_demo(today=TODAY, lived=False)
    october_sales = seeded_sales(db_session, date(2026, 10, 15))
    old = october_sales.numerator
    counts = sync.record_run(new_run(db_session).id, "verified", [again(october_sales, old + 9000)])
    assert counts == {"restated": 1}
    db_session.expire_all()
    assert db_session.get(Observation, october_sales.id).numerator == old
    [restatement] = sync.open_restatements()
    assert (restatement.old_numerator, restatement.new_numerator) == (old, old + 9000)
    # a second sync of the same figure updates the open restatement rather than adding one
    sync.record_run(new_run(db_session).id, "verified", [again(october_sales, old + 9500)])
    assert [r.new_numerator for r in sync.open_restatements()] == [old + 9500]


def test_hr_republishes_a_restated_month_with_new_report_versions(db_session, redis_client):
    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    sales = seeded_sales(db_session, date(2026, 10, 15))
    sync.record_run(new_run(db_session).id, "verified", [again(sales, sales.numerator + 20000)])
    staff = db_session.scalar(select(Employee).where(Employee.is_hr.is_(False), Employee.is_admin.is_(False))
                              .order_by(Employee.id))
    with pytest.raises(ApiError):
        sync.resolve_restatements(october.id, republish=True, hr_id=staff.id)
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    assert sync.resolve_restatements(october.id, republish=True, hr_id=hr.id) == 1
    scoring_workers(redis_client)
    db_session.expire_all()
    assert db_session.get(Observation, sales.id).numerator == sales.numerator
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.version == 2)) == 1
    assert sync.open_restatements() == []


def test_re_publishing_runs_on_the_chunked_scoring_jobs_not_in_hr_s_request(db_session, redis_client):
    """HR's answer applies the figures and starts a scoring run; the workers score and publish it."""
    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    sales = seeded_sales(db_session, date(2026, 10, 15))
    sync.record_run(new_run(db_session).id, "verified", [again(sales, sales.numerator + 20000)])
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    assert sync.resolve_restatements(october.id, republish=True, hr_id=hr.id) == 1
    db_session.expire_all()
    run = db_session.scalar(select(ScoringRun).where(ScoringRun.cycle_id == october.id).order_by(ScoringRun.id.desc()))
    assert run.status == "running" and run.reason == "数据更正后重新发布"
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.version == 2)) == 0
    assert len(Queue(jobs.SCORING, connection=redis_client)) == run.chunks_total
    scoring_workers(redis_client)
    db_session.expire_all()
    assert db_session.get(ScoringRun, run.id).status == "done"
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.version == 2)) == 1


def test_hr_may_dismiss_a_restatement(db_session, redis_client):
    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    sales = seeded_sales(db_session, date(2026, 10, 15))
    old = sales.numerator
    sync.record_run(new_run(db_session).id, "verified", [again(sales, old + 1)])
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    sync.resolve_restatements(october.id, republish=False, hr_id=hr.id)
    db_session.expire_all()
    assert db_session.get(Observation, sales.id).numerator == old
    assert db_session.scalar(select(Restatement.status)) == "dismissed"
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.version == 2)) == 0


def test_a_record_the_source_adds_late_to_a_published_month_waits_for_hr(db_session, redis_client):
    """Amazon attributes a sale to 15 October after October was published: it is a restatement
    like a changed figure, counted by nothing until HR re-publishes, and synced twice it stays one."""
    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    sales = seeded_sales(db_session, date(2026, 10, 15))
    late = Incoming(sales.employee_id, "ops_sales", sales.day, Decimal("50000"), None, "late-attribution/1",
                    sales.currency)
    assert sync.record_run(new_run(db_session).id, "verified", [late]) == {"restated": 1}
    sync.record_run(new_run(db_session).id, "verified", [late])
    db_session.expire_all()
    assert db_session.scalar(select(Observation.id).where(Observation.external_ref == "late-attribution/1")) is None
    [restatement] = sync.open_restatements()
    assert (restatement.old_numerator, restatement.new_numerator) == (None, Decimal("50000"))

    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    assert sync.resolve_restatements(october.id, republish=True, hr_id=hr.id) == 1
    scoring_workers(redis_client)
    db_session.expire_all()
    added = db_session.scalar(select(Observation).where(Observation.external_ref == "late-attribution/1"))
    assert (added.employee_id, added.day, added.numerator, added.provenance) == (
        sales.employee_id, sales.day, Decimal("50000"), "verified")
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.version == 2)) == 1


def test_a_record_that_moves_to_another_owner_moves_with_both_bars_recomputed(db_session, redis_client):
    """The admin fixes an ASIN's owner from the 10th and the connector re-syncs: the sale changes
    hands (same amount), and in a published month the move waits for HR like any restatement."""
    seeded_demo(today=TODAY, lived=False)
    november = seeded_sales(db_session, date(2026, 11, 20))
    colleague = db_session.scalar(select(Observation.employee_id).where(
        Observation.indicator_code == "ops_sales", Observation.employee_id != november.employee_id))
    before = november.employee_id
    moved = Incoming(colleague, "ops_sales", november.day, november.numerator, november.denominator,
                     november.external_ref, november.currency)
    redis_client.delete(progress.PENDING)
    assert sync.record_run(new_run(db_session).id, "verified", [moved]) == {"updated": 1}
    db_session.expire_all()
    assert db_session.get(Observation, november.id).employee_id == colleague
    pending = {int(raw) for raw in redis_client.smembers(progress.PENDING)}
    owners = set(db_session.scalars(select(Assessment.employee_id).where(Assessment.id.in_(pending))))
    assert owners == {before, colleague}

    october = seeded_sales(db_session, date(2026, 10, 15))
    colleague = db_session.scalar(select(Observation.employee_id).where(
        Observation.indicator_code == "ops_sales", Observation.employee_id != october.employee_id))
    moved = Incoming(colleague, "ops_sales", october.day, october.numerator, october.denominator,
                     october.external_ref, october.currency)
    assert sync.record_run(new_run(db_session).id, "verified", [moved]) == {"restated": 1}
    db_session.expire_all()
    assert db_session.get(Observation, october.id).employee_id != colleague
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    cycle = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    sync.resolve_restatements(cycle.id, republish=True, hr_id=hr.id)
    db_session.expire_all()
    assert db_session.get(Observation, october.id).employee_id == colleague


def test_a_restated_figure_that_cannot_be_scored_changes_nothing(db_session, redis_client):
    """A late EUR record for October, and no EUR rate for October: re-publishing says why, and the
    restatement, the figures and the reports stay as they were."""
    from app.domain.errors import FxRateMissing

    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    sales = seeded_sales(db_session, date(2026, 10, 15))
    late = Incoming(sales.employee_id, "ops_sales", sales.day, Decimal("900"), None, "amzn-de/late-1", "EUR")
    sync.record_run(new_run(db_session).id, "verified", [late])
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    audits = db_session.query(AuditLog).count()

    with pytest.raises(FxRateMissing):
        sync.resolve_restatements(october.id, republish=True, hr_id=hr.id)
    assert [r.status for r in sync.open_restatements()] == ["open"]
    assert db_session.scalar(select(Observation.id).where(Observation.external_ref == "amzn-de/late-1")) is None
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.version == 2)) == 0
    assert db_session.query(AuditLog).count() == audits


def test_a_record_moving_out_of_a_published_month_is_a_restatement_too(db_session, redis_client):
    """Re-dated from 31 October (published) to 2 November (open): October would lose the figure,
    so the move waits for HR."""
    seeded_demo(today=TODAY, lived=False)
    last_of_october = seeded_sales(db_session, date(2026, 10, 30))
    moved = Incoming(last_of_october.employee_id, "ops_sales", date(2026, 11, 2), last_of_october.numerator,
                     None, last_of_october.external_ref, last_of_october.currency)
    assert sync.record_run(new_run(db_session).id, "verified", [moved]) == {"restated": 1}
    db_session.expire_all()
    assert db_session.get(Observation, last_of_october.id).day == date(2026, 10, 30)


def test_a_held_late_record_the_source_moves_into_an_open_month_is_inserted_once(db_session, redis_client):
    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    sales = seeded_sales(db_session, date(2026, 10, 15))
    late = Incoming(sales.employee_id, "ops_sales", sales.day, Decimal("500"), None, "late/7", sales.currency)
    sync.record_run(new_run(db_session).id, "verified", [late])
    redated = Incoming(sales.employee_id, "ops_sales", date(2026, 11, 2), Decimal("500"), None, "late/7",
                       sales.currency)
    assert sync.record_run(new_run(db_session).id, "verified", [redated]) == {"inserted": 1}
    assert sync.open_restatements() == []
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    assert sync.resolve_restatements(october.id, republish=True, hr_id=hr.id) == 0
    assert db_session.scalar(select(func.count()).select_from(Observation)
                             .where(Observation.external_ref == "late/7")) == 1


def test_a_dismissed_record_stays_dismissed_until_the_source_changes_it(db_session, redis_client):
    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    sales = seeded_sales(db_session, date(2026, 10, 15))
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    late = Incoming(sales.employee_id, "ops_sales", sales.day, Decimal("50000"), None, "late-attribution/2",
                    sales.currency)
    changed = again(sales, sales.numerator + 1)
    sync.record_run(new_run(db_session).id, "verified", [late, changed])
    sync.resolve_restatements(october.id, republish=False, hr_id=hr.id)

    sync.record_run(new_run(db_session).id, "verified", [late, changed])  # the source resends both unchanged
    assert sync.open_restatements() == []
    moved = Incoming(late.employee_id, late.indicator_code, late.day, Decimal("52000"), None, late.external_ref,
                     late.currency)
    sync.record_run(new_run(db_session).id, "verified", [moved, again(sales, sales.numerator + 2)])
    assert sorted(r.new_numerator for r in sync.open_restatements()) == sorted(
        [Decimal("52000"), sales.numerator + 2])


def test_a_run_is_stamped_with_the_business_clock_as_the_demo_and_the_submit_page_read_it(clock, db_session):
    people = small_company()
    open_month(2026, 11)
    run = new_run(db_session)
    sync.record_run(run.id, "verified", [Incoming(people.star.id, "ops_sales", date(2026, 11, 11), Decimal(900), None,
                                                  "amzn/11", "USD")])
    db_session.refresh(run)
    recorded = db_session.scalar(select(Observation.recorded_at).where(Observation.external_ref == "amzn/11"))
    assert run.finished_at == clock.now == recorded  # Thursday 12 November, not the wall clock's day
