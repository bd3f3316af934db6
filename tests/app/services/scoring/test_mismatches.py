"""A self-report beside a synced figure is evidence: more than 5 % apart, the person and their
manager are told once per item and day (数据不一致); an item of a source the company never configured
takes the self-report as its figure of record and reads like one, never 数据未更新 (issue 16.4)."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.models import OutboxMessage, SyncRun
from app.services.authz import actor
from app.services.observations import submissions, sync
from app.services.observations.submissions import SubmittedFigure
from app.services.observations.sync import Incoming
from app.services.scoring import progress
from tests.support.clock import utc
from tests.support.company import assessment_of, configured, open_month, small_company

KINDS = ("data_mismatch", "data_mismatch_team")


def reported(employee, day: int, sales: str) -> None:
    """The person's own sales of November `day`, submitted that evening at 18:00."""
    submissions.submit(employee.id, date(2026, 11, day), {"ops_sales": SubmittedFigure(Decimal(sales))},
                       actor(employee.id), now=utc(day, 18))


def synced_sales(session, employee, figures: dict[int, str]) -> None:
    run = SyncRun(source="amazon_sp_api", kind="sync")
    session.add(run)
    session.commit()
    sync.record_run(run.id, "verified", [
        Incoming(employee.id, "ops_sales", date(2026, 11, day), Decimal(value), None, f"amzn/{employee.id}/{day}",
                 "USD") for day, value in figures.items()])


def told(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind.in_(KINDS))
                                .order_by(OutboxMessage.id)))


def sales_row(snapshot) -> dict:
    return next(item for item in snapshot.body["items"] if item["indicator"] == "ops_sales")


def test_a_self_report_more_than_5_percent_off_the_synced_figure_is_told_once(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    star = assessment_of(people.star, november).id
    reported(people.star, 25, "1000")
    reported(people.star, 26, "1000")
    synced_sales(db_session, people.star, {25: "980", 26: "900"})  # 2 % off on the 25th, 11 % on the 26th

    row = sales_row(progress.recompute(star, date(2026, 11, 27)))
    assert row["actual"] == "1880"  # the synced figures stay the figures of record
    mine, managers = told(db_session)
    assert (mine.recipient_id, mine.kind, managers.recipient_id, managers.kind) == (
        people.star.id, "data_mismatch", people.lead.id, "data_mismatch_team")
    for part in ("你", "11月26日", "「月度销售额」", "1,000 USD", "900 USD"):
        assert part in mine.body
    for part in ("赵明星", "11月26日", "「月度销售额」", "1,000 USD", "900 USD"):
        assert part in managers.body

    progress.recompute(star, date(2026, 11, 27))
    submissions.submit(people.star.id, date(2026, 11, 26), {"ops_sales": SubmittedFigure(Decimal(1200))},
                       actor(people.star.id), now=utc(27, 9))  # still off, changed: the day was told already
    progress.recompute(star, date(2026, 11, 27))
    assert len(told(db_session)) == 2


def test_an_item_of_an_unconfigured_source_takes_the_self_report_and_is_never_stale(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    star = assessment_of(people.star, november).id
    reported(people.star, 20, "3400")

    row = sales_row(progress.recompute(star, date(2026, 11, 20)))
    assert row["actual"] == "3400"
    assert (row["progress"]["through_label"], row["progress"]["stale"]) == ("截至11月20日", False)

    configured("amazon_sp_api")  # connected, but no run has covered a day yet
    row = sales_row(progress.recompute(star, date(2026, 11, 20)))
    assert (row["progress"]["through_label"], row["progress"]["stale_label"]) == (None, "数据未更新")


def test_the_manager_told_is_the_nearest_who_has_not_left(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    people.lead.status = "left"
    db_session.commit()
    reported(people.star, 26, "1000")
    synced_sales(db_session, people.star, {26: "500"})
    progress.recompute(assessment_of(people.star, november).id, date(2026, 11, 27))
    assert [(m.recipient_id, m.kind) for m in told(db_session)] == [
        (people.star.id, "data_mismatch"), (people.boss.id, "data_mismatch_team")]
