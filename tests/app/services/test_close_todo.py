"""What HR and the raters hear while last month's close waits (issue 16.1), on the injected clock:
HR a daily 结算待办 naming what blocks the close, who must act and by when; each rater still owing
ratings a reminder every working day until the month is scored."""

from datetime import date
from decimal import Decimal

from rq import Queue, SimpleWorker
from sqlalchemy import delete, select

from app import jobs
from app.domain.workcalendar import month_bounds
from app.models import Cycle, Employee, Observation, OutboxMessage, SyncRun
from app.services import tick
from app.services.calendar import company_calendar
from app.services.cycle import completeness, fx_rates, review
from app.services.observations import sources, sync
from app.services.observations.sync import Incoming
from tests.support.clock import utc
from tests.support.company import department, hire, open_month, rate_all, small_company
from tests.support.people import actor


def messages(session, kind: str) -> list[OutboxMessage]:
    session.rollback()
    return session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()


def todos(session) -> list[OutboxMessage]:
    return messages(session, "close_todo")


def every_source_every_day(session, person: Employee, month: int) -> None:
    """A sale and an ad figure of the person's for each working day of the month: no source misses a day."""
    for day in company_calendar().working_days_list(*month_bounds(2026, month)):
        for code, source in (("ops_sales", "amazon_sp_api"), ("ops_ad_roi", "amazon_ads")):
            session.add(Observation(employee_id=person.id, indicator_code=code, day=day, numerator=Decimal(100),
                                    denominator=Decimal(50) if code == "ops_ad_roi" else None, currency="USD",
                                    source=source, provenance="verified",
                                    external_ref=f"{person.employee_no}/{code}/{day.isoformat()}"))
    session.commit()


def reminders_to(session, employee_id: int) -> list[OutboxMessage]:
    return [m for m in messages(session, "reminder") if m.recipient_id == employee_id]


def test_hr_hears_each_working_day_what_blocks_the_close_naming_each_rater(db_session, redis_client):
    """Every source sent its figures but nobody rated anyone in November: from 1 December 09:00
    every HR member gets one 结算待办 a working day naming the raters and the scoring day, until the
    ratings are in and the month is scored."""
    company = small_company()
    second_hr = hire("周人事", department("hr", "人事行政部"), manager=company.boss, is_hr=True)
    db_session.commit()
    november = open_month(2026, 11)
    every_source_every_day(db_session, company.star, 11)

    tick.run_due(utc(1, 8, 59, month=12))
    assert todos(db_session) == []
    tick.run_due(utc(1, 9, month=12))
    first = todos(db_session)
    assert sorted(m.recipient_id for m in first) == sorted([company.hr.id, second_hr.id])
    body = first[0].body
    assert "王总：2项主管评分" in body and "张组长：4项主管评分" in body  # the lead for the lead's two
    assert "12月3日评分日前" in body and "亚马逊" not in body
    assert "11月" in first[0].summary

    tick.run_due(utc(1, 9, 30, month=12))
    assert len(todos(db_session)) == 2  # once a day
    tick.run_due(utc(4, 9, month=12))  # Friday, past the scoring day: the close is waiting since then
    latest = todos(db_session)[-1]
    assert len(todos(db_session)) == 4 and "自12月3日评分日起" in latest.body
    tick.run_due(utc(5, 9, month=12))  # Saturday
    assert len(todos(db_session)) == 4

    for person in company.assessed:
        rate_all(person, november, 4)
    assert tick.run_due(utc(7, 9, month=12))["closing"] is not None  # nothing blocks: scored, nobody told
    assert len(todos(db_session)) == 4


def test_a_missing_rate_is_hrs_to_enter_even_once_hr_accepted_the_gaps(db_session, redis_client):
    company = small_company()
    november = open_month(2026, 11)
    run = SyncRun(source="amazon_sp_api", kind="sync")
    db_session.add(run)
    db_session.commit()
    sync.record_run(run.id, "verified", [
        Incoming(company.star.id, "ops_sales", date(2026, 11, 27), Decimal("800"), None, "amzn-de/402-1", "EUR")])
    completeness.acknowledge(november.id, hr_id=company.hr.id)

    tick.run_due(utc(3, 9, month=12))
    assert tick.run_due(utc(3, 9, 1, month=12))["closing"] is None  # the rate still blocks the close
    [todo] = todos(db_session)
    assert todo.recipient_id == company.hr.id
    assert "EUR→USD" in todo.body and "李人事" in todo.body and "确认接受数据缺口" in todo.body
    assert "主管评分" not in todo.body  # accepted gaps no longer block: only the rate does

    assert fx_rates.listing(actor(company.hr.id)) == {"rates": [], "missing": ["2026-11 EUR→USD"]}  # the console's
    fx_rates.set_rate("2026-11", "EUR", "USD", "1.08", hr_id=company.hr.id)
    assert fx_rates.listing(actor(company.hr.id)) == {"missing": [], "rates": [
        {"month": "2026-11", "currency": "EUR", "target": "USD", "rate": "1.08", "editable": True}]}
    assert tick.run_due(utc(3, 9, 2, month=12))["closing"] is not None
    assert fx_rates.listing(actor(company.hr.id))["rates"][0]["editable"] is False  # scored on it now


def test_nothing_is_told_to_hr_when_nothing_blocks_the_close(db_session, redis_client):
    """HR accepted the gaps and no rate is missing: the month waits only for its scoring day."""
    company = small_company()
    november = open_month(2026, 11)
    completeness.acknowledge(november.id, hr_id=company.hr.id)
    tick.run_due(utc(1, 9, month=12))
    tick.run_due(utc(2, 9, month=12))
    assert todos(db_session) == []


def test_raters_are_reminded_each_working_day_while_the_month_waits_for_them(db_session, redis_client):
    company = small_company()
    november = open_month(2026, 11)  # nobody rated anyone in November

    assert [tick.run_due(utc(day, 9, month=12))["rating_prompts"] for day in (1, 2, 3, 4, 5, 7)] == [2, 2, 2, 2, 0, 2]
    lead = reminders_to(db_session, company.lead.id)
    assert len(lead) == 5  # each working day, Saturday the 5th excepted
    assert "12月3日评分日前" in lead[1].body  # the 2nd: before the scoring day
    assert "自12月3日评分日起" in lead[3].body  # the 4th: the close has been waiting since the 3rd

    for person in (company.star, company.trainee):
        rate_all(person, november, 4)
    assert tick.run_due(utc(8, 9, month=12))["rating_prompts"] == 1  # only the general manager still owes
    assert len(reminders_to(db_session, company.lead.id)) == 5


def test_a_manager_who_never_rates_is_named_to_hr_each_day_until_the_rating_lets_the_month_close(
        db_session, redis_client):
    """Amazon sales is configured and synced every day, Amazon Ads is not configured (so not
    expected), the lead rates the team and the general manager never rates the lead: HR's daily
    结算待办 names the general manager alone, who is reminded each working day; once they rate, the
    month is scored and waits in review, and nothing reaches the employees until HR publishes."""
    company = small_company()
    november = open_month(2026, 11)
    sources.set_configured("amazon_sp_api", True, hr_id=company.hr.id)
    every_source_every_day(db_session, company.star, 11)
    for person in (company.star, company.trainee):
        rate_all(person, november, 4)

    for day in (1, 2, 3, 4):
        assert tick.run_due(utc(day, 9, month=12))["closing"] is None
    told = todos(db_session)
    assert [m.recipient_id for m in told] == [company.hr.id] * 4
    assert all("王总：2项主管评分" in m.body and "张组长" not in m.body and "亚马逊" not in m.body for m in told)
    assert len(reminders_to(db_session, company.boss.id)) == 4

    rate_all(company.lead, november, 3)
    assert tick.run_due(utc(7, 9, month=12))["closing"] is not None
    assert len(todos(db_session)) == 4 and len(reminders_to(db_session, company.boss.id)) == 4

    # Scored by the workers, the month waits for HR's 发布: nothing reaches the employees until then.
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)
    for hour in (9, 10, 18):
        tick.run_due(utc(7, hour, 5, month=12))
    tick.run_due(utc(8, 9, 5, month=12))
    assert db_session.scalar(select(Cycle.status).where(Cycle.id == november.id)) == "review"
    assert messages(db_session, "report_published") == []
    assert [m.recipient_id for m in messages(db_session, "month_to_review")] == [company.hr.id]
    assert len(todos(db_session)) == 4  # nothing blocks the close any more
    review.publish(november.id, hr_id=company.hr.id, now=utc(8, 10, month=12))
    tick.run_due(utc(8, 10, 1, month=12))
    assert sorted(m.recipient_id for m in messages(db_session, "report_published")) == sorted(
        p.id for p in company.assessed)


def test_a_configured_source_that_sent_nothing_is_named_with_its_days_and_who_acts(db_session, redis_client):
    company = small_company()
    open_month(2026, 11)
    sources.set_configured("amazon_ads", True, hr_id=company.hr.id)
    every_source_every_day(db_session, company.star, 11)
    db_session.execute(delete(Observation).where(Observation.source == "amazon_ads",
                                                 Observation.day >= date(2026, 11, 23)))
    db_session.commit()

    tick.run_due(utc(2, 9, month=12))
    [todo] = todos(db_session)
    assert "亚马逊广告数据（Amazon Ads）：缺11月23日–27日、30日（6个工作日）" in todo.body
    assert "管理员检查数据连接，或人事导入缺失的数据；12月3日评分日前" in todo.body
    assert "亚马逊销售数据" not in todo.body  # not configured: not expected
    assert todo.summary.startswith("11月结算待办：数据缺口1项")
