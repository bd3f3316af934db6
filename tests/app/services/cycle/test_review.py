"""The review before publishing (待发布, issue 16.2): a scored month waits for HR, who sees the grade
spread per department, may send a manager's rating back with a note, and publishes (发布); the
appeal windows start at publication; a company setting may publish by itself after N working days."""

from datetime import datetime, timedelta

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.domain.errors import DomainError
from app.errors import ApiError
from app.models import AssessmentItem, AuditLog, Cycle, OutboxMessage, Rating, Report, Score
from app.services import tick
from app.services.authz import actor
from app.services.cycle import completeness
from app.services.feedback import ratings
from app.services.org import company_settings
from tests.support.clock import utc
from tests.support.company import assessment_of, hire, on_target, open_month, rate_all, small_company


def score_november(people, redis_client, clock) -> Cycle:
    """November with every figure and rating in, scored by the clock on Thursday 3 December, 09:00."""
    clock.now = utc(3, 9, month=12)
    november = open_month(2026, 11)
    for person, value in ((people.star, 5), (people.lead, 1), (people.trainee, 1)):
        on_target(person, november) if person is not people.trainee else None
        rate_all(person, november, value)
    completeness.acknowledge(november.id, hr_id=people.hr.id)  # the sources report only the 1st
    assert tick.run_due(clock.now)["closing"] is not None
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)
    return november


def status_of(session, cycle: Cycle) -> str:
    session.rollback()
    return session.scalar(select(Cycle.status).where(Cycle.id == cycle.id))


def messages(session, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def test_a_scored_month_waits_for_hr_and_nothing_reaches_employees_until_published(db_session, redis_client, clock):
    from app.services.cycle import review

    people = small_company()
    november = score_november(people, redis_client, clock)
    assert status_of(db_session, november) == "review"
    assert db_session.scalar(select(func.count()).select_from(Report)) == 0
    tick.run_due(utc(3, 10, month=12))
    assert messages(db_session, "report_published") == []
    [told] = messages(db_session, "month_to_review")
    assert told.recipient_id == people.hr.id and "2026年11月" in told.body and "待发布" in told.body

    spread = review.spread(november.id, hr_id=people.hr.id)
    assert spread == [{"department": "运营部", "count": 3,
                       "grades": {"优秀": 1, "良好": 1, "合格": 0, "不合格": 1}}]

    published_at = utc(7, 10, month=12)  # Monday
    review.publish(november.id, hr_id=people.hr.id, now=published_at)
    assert status_of(db_session, november) == "published"
    reports = db_session.scalars(select(Report)).all()
    assert len(reports) == 3 and {r.published_at for r in reports} == {published_at}
    # 72 working-day hours from Monday 10:00: Thursday 10:00 — counted from 发布, not from scoring
    assert {r.window_closes_at for r in reports} == {utc(10, 10, month=12)}
    assert tick.run_due(published_at + timedelta(minutes=1))["reports"] == 3
    assert len(messages(db_session, "report_published")) == 3


def test_only_a_current_hr_member_reviews_and_a_month_is_published_once(db_session, redis_client, clock):
    from app.services.cycle import review

    people = small_company()
    november = score_november(people, redis_client, clock)
    former = hire("吴前人事", people.hr.department, manager=people.boss, is_hr=True)
    former.status = "left"
    db_session.commit()
    item = db_session.scalar(select(AssessmentItem.id).where(
        AssessmentItem.assessment_id == assessment_of(people.star, november).id, AssessmentItem.rater == "manager"))
    audits = db_session.scalar(select(func.count()).select_from(AuditLog))
    for who in (people.lead.id, people.star.id, former.id):
        for call, args in ((review.spread, (november.id,)), (review.publish, (november.id,)),
                           (review.return_rating, (item, "请复核"))):
            with pytest.raises(ApiError) as refused:
                call(*args, hr_id=who)
            assert refused.value.code == "forbidden"
            db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(AuditLog)) == audits
    assert status_of(db_session, november) == "review"
    review.publish(november.id, hr_id=people.hr.id)
    with pytest.raises(DomainError) as again:
        review.publish(november.id, hr_id=people.hr.id)
    assert again.value.code == "cycle_illegal_transition"


def test_a_rating_sent_back_holds_the_month_until_the_manager_rates_again(db_session, redis_client, clock):
    from app.services.cycle import review

    people = small_company()
    november = score_november(people, redis_client, clock)
    teamwork = db_session.scalar(select(AssessmentItem).where(
        AssessmentItem.assessment_id == assessment_of(people.trainee, november).id,
        AssessmentItem.indicator_code == "ops_teamwork"))
    review.return_rating(teamwork.id, "新人本月带教记录很好，1分偏低，请复核", hr_id=people.hr.id,
                         now=utc(4, 10, month=12))
    [note] = messages(db_session, "rating_returned")
    assert note.recipient_id == people.lead.id
    assert "钱新人" in note.body and "团队协作" in note.body and "1分偏低，请复核" in note.body

    with pytest.raises(ApiError) as held:
        review.publish(november.id, hr_id=people.hr.id)
    assert held.value.code == "ratings_returned"

    ratings.rate_item(teamwork.id, 4, actor(people.lead.id), now=utc(4, 15, month=12))
    db_session.rollback()
    rating = db_session.scalar(select(Rating).where(Rating.assessment_item_id == teamwork.id))
    assert rating.value == 4
    total = db_session.scalar(select(Score.total).where(Score.assessment_id == teamwork.assessment_id)
                              .order_by(Score.id.desc()).limit(1))
    assert total == 30 * 4 / 5 / 2 + 30 * 1 / 5 / 2  # teamwork 4 and innovation still 1, each half of 30
    review.publish(november.id, hr_id=people.hr.id)
    assert status_of(db_session, november) == "published"


def test_a_company_may_publish_by_itself_after_some_working_days(db_session, redis_client, clock):
    people = small_company()
    company_settings.change("publish_after_days", "2", hr_id=people.hr.id)
    november = score_november(people, redis_client, clock)  # scored Thursday 3 December
    assert tick.run_due(utc(4, 23, month=12))["published"] == []  # one working day
    assert status_of(db_session, november) == "review"
    assert tick.run_due(utc(7, 9, month=12))["published"] == [november.id]  # Friday and Monday
    assert status_of(db_session, november) == "published"
    assert db_session.scalar(select(func.count()).select_from(Report)) == 3
    assert {r.published_at for r in db_session.scalars(select(Report))} == {utc(7, 9, month=12)}


def test_publishing_is_refused_while_the_month_is_still_open(db_session, redis_client, clock):
    from app.services.cycle import review

    people = small_company()
    november = open_month(2026, 11)
    with pytest.raises(DomainError) as refused:
        review.publish(november.id, hr_id=people.hr.id, now=datetime(2026, 12, 1))
    assert refused.value.code == "cycle_illegal_transition"
