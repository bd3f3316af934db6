"""December 2026 from draft to final on the injected clock while people change (issue "People
change"): a joiner on the 10th, a transfer on the 15th, a leaver on the 20th and a manager who leaves
on the 25th. Each gets the right assessments, pro-rated targets in their messages, one month result,
ratings from the right rater, and the leaver can still appeal their last report after leaving."""

from datetime import date
from decimal import Decimal

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app import jobs
from app.errors import ApiError
from app.models import Assessment, AssessmentItem, Cycle, Employee, Observation, Report, WeChatIdentity
from app.services import tick
from app.services.authz import actor
from app.services.cycle import completeness, outcomes, review
from app.services.feedback import appeals, ratings
from app.services.org import people as moves
from tests.support.clock import utc
from tests.support.company import assessment_of, open_month, small_company
from tests.support.outbox import WECOM, run_worker


def bound(session, standin) -> dict[int, str]:
    """Everyone on WeCom with a userid the stand-in knows; employee id → userid."""
    users = {}
    for person in session.scalars(select(Employee)).all():
        if not session.scalar(select(WeChatIdentity.id).where(WeChatIdentity.employee_id == person.id)):
            session.add(WeChatIdentity(employee_id=person.id, channel="wecom", external_id=f"u{person.id}"))
            standin.add_user(f"u{person.id}", person.name)
        users[person.id] = f"u{person.id}"
    session.commit()
    return users


def texts_to(standin, userid: str) -> list[str]:
    return [r["json"]["text"]["content"] for r in standin.requests(WECOM)
            if r.get("errcode") == 0 and r["json"].get("msgtype") == "text" and r["json"]["touser"] == userid]


def sales(session, person: Employee, days: range, month: int = 12) -> None:
    for day in days:
        session.add(Observation(employee_id=person.id, indicator_code="ops_sales", day=date(2026, month, day),
                                numerator=Decimal(3300), currency="USD", source="amazon_sp_api",
                                provenance="verified", external_ref=f"{person.employee_no}/sales/{day}"))
    session.commit()


def test_a_month_of_people_changing_runs_from_draft_to_final(app, db_session, redis_client, standin, clock):
    company = small_company()
    open_month(2026, 11)
    hr = actor(company.hr.id)

    def at(moment):
        clock.now = moment
        done = tick.run_due(moment)
        run_worker(redis_client)
        return done

    at(utc(25, 10))  # December drafted
    users = bound(db_session, standin)
    at(utc(1, 9, month=12))  # December opens; targets go out
    december = db_session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 12))

    clock.now = utc(9, 10, month=12)
    joiner = moves.join_company("S901", "孙新人", "ops", date(2026, 12, 10), hr, position="ops",
                                manager_no=company.lead.employee_no)
    users.update(bound(db_session, standin))
    at(utc(9, 11, month=12))
    # 22 of December's 31 days: 100,000 USD × 22 / 31 = 70,967.74 USD, the figure scoring will use
    assert any("70,967.74 USD" in text for text in texts_to(standin, users[joiner.id]))

    clock.now = utc(14, 10, month=12)
    moves.transfer(company.star.id, date(2026, 12, 15), hr, position="cs", department="cs")
    clock.now = utc(18, 10, month=12)
    moves.leave_company(company.trainee.id, date(2026, 12, 20), hr)
    clock.now = utc(24, 10, month=12)
    moves.leave_company(company.lead.id, date(2026, 12, 25), hr)
    at(utc(26, 10, month=12))  # the leavers are marked left the day after their last day

    held = {}
    for a in db_session.scalars(select(Assessment).where(Assessment.cycle_id == december.id)):
        held.setdefault(a.employee_id, []).append((a.first_day.day, a.last_day.day))
    assert held == {company.lead.id: [(1, 25)], company.star.id: [(1, 14), (15, 31)],
                    company.trainee.id: [(1, 20)], joiner.id: [(10, 31)]}

    sales(db_session, company.star, range(1, 15))
    sales(db_session, joiner, range(10, 32))
    # The lead has left: their people's manager-rated items are the boss's to rate now.
    for person in (company.trainee, joiner):
        for item in db_session.scalars(select(AssessmentItem).join(Assessment).where(
                Assessment.cycle_id == december.id, Assessment.employee_id == person.id,
                AssessmentItem.rater == "manager")).all():
            with pytest.raises(ApiError):
                ratings.rate_item(item.id, "5", actor(company.lead.id), now=utc(28, 10, month=12))
            ratings.rate_item(item.id, "4", actor(company.boss.id), now=utc(28, 10, month=12))

    completeness.acknowledge(december.id, hr_id=company.hr.id)
    at(utc(3, 9, month=1).replace(year=2027))
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)
    at(utc(3, 9, 5, month=1).replace(year=2027))
    assert db_session.scalar(select(Cycle.status).where(Cycle.id == december.id)) == "review"
    review.publish(december.id, hr_id=company.hr.id, now=utc(3, 9, 6, month=1).replace(year=2027))
    at(utc(3, 9, 7, month=1).replace(year=2027))
    at(utc(4, 9, month=1).replace(year=2027))  # Sunday the 3rd held the messages until Monday morning

    month = outcomes.month_grades([december.id])
    assert {employee for _, employee in month} == {company.lead.id, company.star.id, company.trainee.id, joiner.id}
    star_news = [t for t in texts_to(standin, users[company.star.id]) if "2026年12月考核结果" in t]
    assert len(star_news) == 1 and star_news[0].split("\n")[1].startswith("本月结果：")  # one month result leads
    assert "1. 12月1日–12月14日" in star_news[0] and "2. 12月15日–12月31日" in star_news[0]  # both parts under it

    trainee_report = db_session.scalar(select(Report).where(
        Report.assessment_id == assessment_of(company.trainee, december).id))
    appeal = appeals.file_appeal(trainee_report.id, "ops_teamwork", "5", "离职前的协作有记录", [],
                                 actor(company.trainee.id), now=utc(4, 10, month=1).replace(year=2027))
    assert appeal.employee_id == company.trainee.id
