"""The clock's messages end to end: targets, reminders and reports reach WeChat exactly once,
whether the tick runs twice at once, twice in a row, or two days late."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.errors import ApiError
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Employee,
    Indicator,
    OutboxMessage,
    ProgressEntry,
    WeChatIdentity,
)
from app.services import tick
from app.services.cycle import completeness, review, targets
from app.services.lookup import format_figure, indicator
from tests.support.clock import utc
from tests.support.company import assessment_of, configured, department, hire, open_month, small_company
from tests.support.demo import seeded_demo
from tests.support.outbox import WECOM, run_worker
from tests.support.people import actor

TODAY = date(2026, 11, 27)


def everyone_on_wecom(session, standin) -> dict[str, int]:
    """Bind every employee to a WeCom userid the stand-in knows."""
    ids = {}
    for employee in session.scalars(select(Employee)).all():
        userid = f"u{employee.id}"
        session.add(WeChatIdentity(employee_id=employee.id, channel="wecom", external_id=userid))
        standin.add_user(userid, employee.name)
        ids[userid] = employee.id
    session.commit()
    return ids


def sent_texts(standin) -> list[tuple[str, str]]:
    """(userid, text) of every WeCom message the stand-in accepted."""
    return [(r["json"]["touser"], r["json"]["text"]["content"]) for r in standin.requests(WECOM)
            if r.get("errcode") == 0 and r["json"].get("msgtype") == "text"]


def messages(session, kind: str) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind))


def test_targets_go_out_once_though_ticks_run_together_and_late(app, db_session, redis_client, standin, clock):
    small_company()
    everyone_on_wecom(db_session, standin)
    clock.now = utc(1, 9, month=12)

    def tick_now():
        with app.app_context():
            tick.run_due(clock.now)

    threads = [threading.Thread(target=tick_now) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tick.run_due(clock.now)
    clock.now = utc(3, 14, month=12)
    tick.run_due(clock.now)
    run_worker(redis_client)

    december = db_session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 12))
    assessed = set(db_session.scalars(select(Assessment.employee_id).where(Assessment.cycle_id == december.id)))
    targets = [user for user, text in sent_texts(standin) if "2026年12月考核目标" in text]
    assert len(targets) == len(assessed) == 3  # the lead, the star and the trainee
    assert len(set(targets)) == len(targets)


def self_reporting():
    """Assessments with a self-reported quantitative item: something for the person to submit."""
    return (select(AssessmentItem.id).join(Indicator, Indicator.code == AssessmentItem.indicator_code)
            .where(AssessmentItem.assessment_id == Assessment.id, Indicator.kind == "quantitative",
                   Indicator.source == "self_report").exists())


def test_evening_reminders_skip_those_who_submitted_rest_days_and_leave(app, db_session, redis_client, standin, clock):
    seeded_demo(today=TODAY)
    everyone_on_wecom(db_session, standin)
    submitted = db_session.scalar(select(Assessment.employee_id).join(Cycle).where(Cycle.month == 11, self_reporting())
                                  .order_by(Assessment.id))
    db_session.add(ProgressEntry(employee_id=submitted, assessment_id=db_session.scalar(
        select(Assessment.id).join(Cycle).where(Cycle.month == 11, Assessment.employee_id == submitted)), day=TODAY))
    db_session.commit()

    assert tick.run_due(utc(27, 17, 59))["reminders"] == 0
    friday = tick.run_due(utc(27, 18, 0))["reminders"]
    assert tick.run_due(utc(27, 18, 1))["reminders"] == 0  # once a day
    working = db_session.scalar(select(func.count()).select_from(Assessment).join(Cycle).where(
        Cycle.month == 11, Assessment.first_day <= TODAY, self_reporting()))
    assert 0 < friday == working - 1  # operations, service and the warehouse have every figure synced
    saturday = tick.run_due(utc(28, 18, 0))["reminders"]
    # only the warehouse works Saturdays: its packers' figures all come from the ERP, its head reports theirs
    assert saturday == 1

    clock.now = utc(28, 18, 1)
    run_worker(redis_client)
    reminded = [user for user, text in sent_texts(standin) if "工作进展还没有提交" in text]
    assert f"u{submitted}" not in reminded
    assert len(reminded) == friday + saturday


def test_published_reports_are_pushed_once(app, db_session, redis_client, standin, clock):
    seeded_demo(today=TODAY)
    everyone_on_wecom(db_session, standin)
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    completeness.acknowledge(november.id, hr_id=hr.id)
    clock.now = utc(3, 9, month=12)
    tick.run_due(clock.now)
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)
    assert tick.run_due(utc(3, 9, 4, month=12))["reports"] == 0  # scored, waiting for HR's 发布
    review.publish(november.id, hr_id=hr.id, now=utc(3, 9, 4, month=12))
    pushed = tick.run_due(utc(3, 9, 5, month=12))["reports"]
    assert pushed == db_session.scalar(select(func.count()).where(Assessment.cycle_id == november.id))
    assert tick.run_due(utc(3, 9, 6, month=12))["reports"] == 0
    clock.now = utc(3, 9, 6, month=12)
    run_worker(redis_client)
    reports = [user for user, text in sent_texts(standin) if "2026年11月考核结果" in text]
    assert len(reports) == pushed and len(set(reports)) == pushed


def test_december_is_drafted_on_the_25th_adjusted_on_the_28th_and_pushed_only_on_the_first(
        app, db_session, redis_client, standin, clock):
    people = small_company()
    open_month(2026, 11)
    users = {employee_id: userid for userid, employee_id in everyone_on_wecom(db_session, standin).items()}

    def tick_at(moment):
        clock.now = moment
        return tick.run_due(moment)

    def december_pushes() -> int:
        db_session.rollback()
        return db_session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "target_push", OutboxMessage.title == "2026年12月考核目标"))

    assert tick_at(utc(24, 10))["drafted"] is None  # before the draft day
    drafted = tick_at(utc(25, 10))["drafted"]
    december = db_session.get(Cycle, drafted)
    assert (december.year, december.month, december.status) == (2026, 12, "draft")
    star = assessment_of(people.star, december)
    sales = next(item for item in star.items if item.indicator_code == "ops_sales")
    old, new = format_figure(indicator("ops_sales"), sales.target, "USD"), format_figure(
        indicator("ops_sales"), Decimal(120000), "USD")

    # HR adjusts the star's target on the 28th; their manager already sees it, the draft changes in place.
    assert targets.amend_target(sales.id, "120000", "旺季备货，目标上调", actor(people.hr.id),
                                now=utc(28, 15)) is None
    seen = targets.targets_view(star.id, actor(people.lead.id))
    assert next(i for i in seen["items"] if i["indicator"] == "ops_sales")["target_display"] == new
    with pytest.raises(ApiError) as not_yet:
        targets.targets_view(star.id, actor(people.star.id))
    assert not_yet.value.code == "targets_not_issued"  # the employee hears of it when the month opens

    for day, hour in ((28, 18), (30, 23)):
        tick_at(utc(day, hour))
    tick_at(utc(1, 8, 59, month=12))
    run_worker(redis_client)
    assert december_pushes() == 0 and not [t for _, t in sent_texts(standin) if "2026年12月考核目标" in t]
    assert status_of(db_session, december.id) == "draft"

    assert tick_at(utc(1, 9, month=12))["opened"] == december.id
    run_worker(redis_client)
    pushed = {user: text for user, text in sent_texts(standin) if "2026年12月考核目标" in text}
    assert december_pushes() == len(pushed) == 3
    assert new in pushed[users[people.star.id]] and old not in pushed[users[people.star.id]]
    assert old in pushed[users[people.trainee.id]]  # nobody else's target moved


def status_of(session, cycle_id: int) -> str:
    session.rollback()
    return session.get(Cycle, cycle_id).status


def test_a_half_month_joiner_is_told_the_pro_rated_target_scoring_will_use(app, db_session, redis_client, standin,
                                                                             clock):
    people = small_company()
    joiner = hire("孙新到", people.lead.department, position="ops", manager=people.lead, joined_on=date(2026, 12, 15))
    db_session.commit()
    users = {employee_id: userid for userid, employee_id in everyone_on_wecom(db_session, standin).items()}
    clock.now = utc(1, 9, month=12)
    tick.run_due(clock.now)  # drafts December (the joiner's first day is in it), opens it, pushes targets
    run_worker(redis_client)

    pushed = {user: text for user, text in sent_texts(standin) if "2026年12月考核目标" in text}
    # 月度销售额 accrues on calendar days: 15–31 December is 17 of 31, so 100,000 × 17/31 = 54,838.71 USD.
    assert "月度销售额：54,838.71 USD" in pushed[users[joiner.id]]
    assert "新品转化率：5%" in pushed[users[joiner.id]]  # a rate target is not pro-rated
    assert "月度销售额：100,000 USD" in pushed[users[people.star.id]]  # a whole month keeps its target


def test_each_rated_item_names_who_rates_it(app, db_session, redis_client, standin, clock):
    people = small_company()
    agent = hire("周客服", department("cs", "客服部"), position="cs", manager=people.boss)
    packer = hire("吴仓管", department("warehouse", "仓储部"), position="warehouse", manager=people.boss)
    db_session.commit()
    users = {employee_id: userid for userid, employee_id in everyone_on_wecom(db_session, standin).items()}
    clock.now = utc(1, 9, month=12)
    tick.run_due(clock.now)
    run_worker(redis_client)

    pushed = {user: text for user, text in sent_texts(standin) if "2026年12月考核目标" in text}
    assert "团队协作：主管评分（权重15%）" in pushed[users[people.star.id]]
    assert "服务态度：客户评分（权重10%）" in pushed[users[agent.id]]
    assert "团队配合：同事评分（权重5%）" in pushed[users[packer.id]]
    assert all("主管/同事/客户" not in text for text in pushed.values())


def test_the_evening_reminder_says_ni_and_skips_people_whose_figures_are_all_synced(app, db_session, redis_client,
                                                                                    standin, clock):
    people = small_company()  # operations: every figure comes from Amazon, connected
    configured("amazon_sp_api", "amazon_ads")
    designer = hire("孙美工", department("design", "设计部"), position="designer", manager=people.boss)
    db_session.commit()
    users = {employee_id: userid for userid, employee_id in everyone_on_wecom(db_session, standin).items()}
    tick.run_due(utc(1, 9, month=12))  # December opens
    assert tick.run_due(utc(1, 18, month=12))["reminders"] == 1
    clock.now = utc(1, 18, 1, month=12)
    run_worker(redis_client)

    reminded = {user: text for user, text in sent_texts(standin) if "工作进展还没有提交" in text}
    assert list(reminded) == [users[designer.id]]
    assert reminded[users[designer.id]].startswith("你12月1日的工作进展还没有提交")


def test_the_evening_reminder_asks_for_the_items_of_a_source_nobody_configured(app, db_session, redis_client,
                                                                                standin, clock):
    people = small_company()  # Amazon never connected: operations report their sales and conversion themselves
    configured("amazon_ads")
    tick.run_due(utc(1, 9, month=12))
    assert tick.run_due(utc(1, 18, month=12))["reminders"] == len(people.assessed)
