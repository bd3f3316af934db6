"""Live bars run to the last day their figures cover: a synced source to its last successful run
(数据未更新 when it failed yesterday, the pace held on the last covered day); the clock refreshes
every open bar once a day so the marker moves without new data."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.models import Observation, ProgressSnapshot, SyncRun
from app.services import tick
from app.services.authz import actor
from app.services.observations import submissions, sync
from app.services.observations.submissions import SubmittedFigure
from app.services.observations.sync import Incoming
from app.services.scoring import progress
from tests.support.clock import utc
from tests.support.company import assessment_of, configured, department, hire, open_month, small_company


def sales_bar(snapshot) -> dict:
    return next(item for item in snapshot.body["items"] if item["indicator"] == "ops_sales")["progress"]


def synced(session, source: str, rows: list[Incoming], *, failed: bool = False, covered: date | None = None) -> None:
    run = SyncRun(source=source, kind="sync")
    session.add(run)
    session.commit()
    if failed:
        run.status, run.error = "failed", "HTTP 503"
        session.commit()
        return
    sync.record_run(run.id, "verified", rows, covered_through=covered)


def test_a_source_that_failed_yesterday_says_so_and_holds_its_pace(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    configured("amazon_sp_api")
    star = assessment_of(people.star, november)
    rows = [Incoming(people.star.id, "ops_sales", date(2026, 11, day), Decimal(3400), None,
                     f"amzn/{day}", "USD") for day in range(1, 18)]
    synced(db_session, "amazon_sp_api", rows)  # covered through the 17th: its last row
    synced(db_session, "amazon_sp_api", [], covered=date(2026, 11, 18))  # the 18th: no sales, still covered
    synced(db_session, "amazon_sp_api", [], failed=True)  # the 19th's run failed

    bar = sales_bar(progress.recompute(star.id, date(2026, 11, 20)))
    assert (bar["through_label"], bar["stale"], bar["stale_label"]) == ("截至11月18日", True, "数据未更新")
    assert bar["pace_label"] == "进度应达60%"  # 18 of 30 calendar days, not 19 or 20
    assert bar["state_label"] == "正常"  # 57,800 USD ≥ 95 % of 60,000

    synced(db_session, "amazon_sp_api", [Incoming(people.star.id, "ops_sales", date(2026, 11, 19), Decimal(3400),
                                                  None, "amzn/19", "USD")])
    bar = sales_bar(progress.recompute(star.id, date(2026, 11, 20)))
    assert (bar["through_label"], bar["stale"], bar["pace_label"]) == ("截至11月19日", False, "进度应达63%")


def test_a_self_reported_item_runs_through_yesterday_until_today_is_submitted(db_session, redis_client):
    small_company()
    designer = hire("孙美工", department("design", "设计部"), position="designer")
    db_session.commit()
    november = open_month(2026, 11)
    assessment = assessment_of(designer, november)

    def on_time_bar(as_of: date) -> dict:
        snapshot = progress.recompute(assessment.id, as_of)
        return next(i for i in snapshot.body["items"] if i["indicator"] == "design_on_time_share")["progress"]

    assert on_time_bar(date(2026, 11, 20))["through_label"] == "截至11月19日"
    submissions.submit(designer.id, date(2026, 11, 20), {"design_on_time_share": SubmittedFigure(
        Decimal(4), Decimal(4))}, actor(designer.id), now=utc(20, 18))
    assert on_time_bar(date(2026, 11, 20))["through_label"] == "截至11月20日"


def test_the_clock_refreshes_every_open_bar_once_a_day(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    assert tick.run_due(utc(20, 0, 30))["refreshed"] == len(people.assessed)
    assert tick.run_due(utc(20, 9))["refreshed"] == 0  # once a day
    assert tick.run_due(utc(21, 0, 30))["refreshed"] == len(people.assessed)
    progress.drain(date(2026, 11, 21))
    as_of = set(db_session.scalars(select(ProgressSnapshot.as_of).where(
        ProgressSnapshot.assessment_id.in_([assessment_of(p, november).id for p in people.assessed]))))
    assert as_of == {date(2026, 11, 21)}
    assert db_session.scalar(select(Observation.id)) is None  # no new data was needed


def test_a_run_that_covers_a_new_day_without_rows_refreshes_every_bar_of_its_source(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    configured("amazon_sp_api")
    synced(db_session, "amazon_sp_api", [], covered=date(2026, 11, 18))
    progress.drain(date(2026, 11, 20))
    star = assessment_of(people.star, november)
    assert sales_bar(db_session.scalar(select(ProgressSnapshot).where(
        ProgressSnapshot.assessment_id == star.id)))["stale"] is True

    synced(db_session, "amazon_sp_api", [], covered=date(2026, 11, 19))  # nobody sold anything: no rows
    assert progress.drain(date(2026, 11, 20)) == len(people.assessed)
    db_session.expire_all()
    bar = sales_bar(db_session.scalar(select(ProgressSnapshot).where(ProgressSnapshot.assessment_id == star.id)))
    assert (bar["stale"], bar["through_label"]) == (False, "截至11月19日")
