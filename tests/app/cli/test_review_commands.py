"""`flask kpi review | return-rating | publish`: HR's review of a scored month from the command line."""

from sqlalchemy import func, select

from app.models import Cycle, RatingReturn, Report
from app.services.scoring import runs
from tests.support.company import on_target, open_month, rate_all, small_company


def scored_november(people):
    november = open_month(2026, 11)
    on_target(people.star, november)
    on_target(people.lead, november)
    for person, value in ((people.star, 5), (people.lead, 1), (people.trainee, 1)):
        rate_all(person, november, value)
    runs.score_cycle(november.id, reason="月度评分")
    return november


def test_hr_reads_the_spread_sends_a_rating_back_and_publishes(db_session, redis_client, runner):
    people = small_company()
    scored_november(people)
    by = ["--by", people.hr.employee_no]

    spread = runner.invoke(args=["kpi", "review", "2026-11", *by])
    assert spread.exit_code == 0, spread.output
    assert spread.stdout.strip() == "运营部（3人）：优秀1人、良好1人、合格0人、不合格1人"

    returned = runner.invoke(args=["kpi", "return-rating", people.trainee.employee_no, "2026-11", "ops_teamwork",
                                   "请复核", *by])
    assert returned.exit_code == 0, returned.output
    assert db_session.scalar(select(func.count()).select_from(RatingReturn)) == 1
    held = runner.invoke(args=["kpi", "publish", "2026-11", *by])
    assert (held.exit_code, held.stderr.strip()) == (2, "还有1项退回的评分未重新评分，暂不能发布")

    db_session.execute(RatingReturn.__table__.update().values(answered_at=func.now()))
    db_session.commit()
    published = runner.invoke(args=["kpi", "publish", "2026-11", *by])
    assert published.exit_code == 0, published.output
    assert published.stdout.strip() == "已发布2026-11考核结果：3份报告"
    db_session.rollback()
    assert db_session.scalar(select(Cycle.status).where(Cycle.month == 11)) == "published"
    assert db_session.scalar(select(func.count()).select_from(Report)) == 3


def test_staff_and_unknown_items_are_refused(db_session, redis_client, runner):
    people = small_company()
    scored_november(people)
    staff = runner.invoke(args=["kpi", "publish", "2026-11", "--by", people.star.employee_no])
    assert staff.exit_code == 2 and "人事" in staff.stderr
    unknown = runner.invoke(args=["kpi", "return-rating", people.trainee.employee_no, "2026-11", "ops_colour",
                                  "请复核", "--by", people.hr.employee_no])
    assert (unknown.exit_code, unknown.stderr.strip()) == (
        2, f"{people.trainee.employee_no}2026-11的考核表中没有「ops_colour」")
    assert db_session.scalar(select(Cycle.status).where(Cycle.month == 11)) == "review"
