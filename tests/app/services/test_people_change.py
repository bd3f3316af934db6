"""People change (docs/product.md "People change"): a transfer reads one month result, a leaver still
answers their own last report and acts for nobody else, and the ratings a leaver or a missing
manager owed go to someone who can give them."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.errors import ApiError
from app.models import Assessment, Cycle, Employee, OutboxMessage, PeerRater, Report, WeChatIdentity
from app.services.cycle import outcomes
from app.services.feedback import appeals, peers, rating_prompts, ratings
from app.services.news import announcements
from app.services.notify import outbox, quota
from app.services.notify.kinds import KINDS
from app.services.org import retention
from app.services.scoring import reports
from tests.support.outbox import SUBSCRIBE, reminder, tick
from tests.support.people import (
    IN_OCT_WINDOW,
    NOV_NOW,
    OCT_WINDOW_CLOSES,
    actor,
    assessment_of,
    item_of,
    report_of,
)


def october(session) -> Cycle:
    return session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 10))


def november(session) -> Cycle:
    return session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 11))


def transfer(session) -> tuple[int, list[Report]]:
    """The demo's transfer: the person with two assessments in October, and their reports in order."""
    cycle = october(session)
    employee_id = session.scalar(select(Assessment.employee_id).where(Assessment.cycle_id == cycle.id)
                                 .group_by(Assessment.employee_id).having(func.count() > 1))
    parts = session.scalars(select(Report).join(Assessment).where(
        Assessment.cycle_id == cycle.id, Assessment.employee_id == employee_id).order_by(Assessment.first_day)).all()
    return employee_id, list(parts)


def leave(session, employee_id: int, day: date) -> None:
    person = session.get(Employee, employee_id)
    person.status, person.left_on = "left", day
    session.commit()


# -- a transfer: one month result ----------------------------------------------------------------

def test_a_transfer_reads_the_month_result_first_and_both_parts_under_it(db_session, cast):
    employee_id, parts = transfer(db_session)
    assert len(parts) == 2 and parts[0].body["position"] != parts[1].body["position"]
    view = reports.view_report(parts[1].id, actor(employee_id), now=IN_OCT_WINDOW)
    month = view["month"]
    graded = outcomes.month_grades([october(db_session).id])[(october(db_session).id, employee_id)]
    assert month["grade_code"] == graded[0]  # the grade that drives outcomes
    days = [p.body["period"]["working_days"] for p in parts]
    expected = sum(float(p.body["total"]) * d for p, d in zip(parts, days, strict=True)) / sum(days)
    assert abs(float(month["total"]) - expected) < 0.051
    assert [p["report_id"] for p in month["parts"]] == [p.id for p in parts]
    assert [p["grade"] for p in month["parts"]] == [p.body["grade"] for p in parts]
    assert [p["working_days"] for p in month["parts"]] == days
    assert view["report_id"] == parts[1].id and view["can_appeal"]  # each part is still answered on its own
    single = reports.view_report(report_of(cast.member("ops", 0)).id, actor(cast.member("ops", 0)),
                                 now=IN_OCT_WINDOW)["month"]
    assert len(single["parts"]) == 1 and single["total"] == report_of(cast.member("ops", 0)).body["total_display"]


def test_the_published_report_message_gives_a_transfer_one_month_result(db_session, cast):
    employee_id, parts = transfer(db_session)
    announcements.push_reports(parts[0].run_id, IN_OCT_WINDOW)
    sent = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == employee_id,
                                                          OutboxMessage.kind == "report_published")).all()
    assert len(sent) == 1
    month = reports.view_report(parts[0].id, actor(employee_id), now=IN_OCT_WINDOW)["month"]
    body = sent[0].body
    assert body.index(f"{month['total']}分，{month['grade']}") < body.index(parts[0].summary)
    assert parts[1].summary in body and "两段考核按工作日加权" in body
    assert (sent[0].data["total"], sent[0].data["grade"]) == (month["total"], month["grade"])
    assert sent[0].data["report_ids"] == [p.id for p in parts]


# -- a leaver: their own last report, nothing else ---------------------------------------------------

def test_a_leaver_still_views_confirms_and_appeals_their_own_report(db_session, cast):
    first, second = cast.member("ops", 0), cast.member("ops", 1)
    for someone in (first, second):
        leave(db_session, someone, date(2026, 10, 31))
    view = reports.view_report(report_of(first).id, actor(first), now=IN_OCT_WINDOW)
    assert view["can_confirm"] and view["can_appeal"]
    assert reports.confirm_report(report_of(first).id, actor(first), now=IN_OCT_WINDOW).response == "confirmed"
    appeal = appeals.file_appeal(report_of(second).id, "ops_ad_roi", "3.6", "广告归因延迟", [], actor(second),
                                 now=IN_OCT_WINDOW)
    assert appeal.status == "open"
    with pytest.raises(ApiError) as late:
        appeals.file_appeal(report_of(first).id, "ops_ad_roi", "3.6", "晚了", [], actor(first),
                            now=OCT_WINDOW_CLOSES + timedelta(hours=1))
    assert late.value.status == 409


def test_a_leaver_acts_for_nobody_else(db_session, cast):
    lead = cast.teams["ops"].lead
    leave(db_session, lead, date(2026, 11, 20))
    leave(db_session, cast.hr, date(2026, 11, 20))
    member = cast.member("ops", 2)
    with pytest.raises(ApiError) as rating:
        ratings.rate_item(item_of(assessment_of(member, 11), "ops_teamwork").id, "4", actor(lead), now=NOV_NOW)
    assert (rating.value.status, rating.value.code) == (403, "forbidden")
    with pytest.raises(ApiError) as viewing:
        reports.view_report(report_of(member).id, actor(cast.hr), now=IN_OCT_WINDOW)
    assert (viewing.value.status, viewing.value.code) == (403, "forbidden")


def test_a_leaver_keeps_the_mini_program_until_their_last_window_closes(db_session, cast, clock):
    someone = cast.member("ops", 3)
    for channel in ("mp", "wecom", "oa"):
        db_session.add(WeChatIdentity(employee_id=someone, channel=channel, external_id=f"{channel}-{someone}"))
    db_session.commit()
    leave(db_session, someone, date(2026, 10, 31))

    def channels() -> list[str]:
        return sorted(db_session.scalars(select(WeChatIdentity.channel).where(WeChatIdentity.employee_id == someone)))

    clock.now = IN_OCT_WINDOW  # the daily purge reads the clock
    retention.purge_due(clock.now.date())
    assert channels() == ["mp"]
    clock.now = OCT_WINDOW_CLOSES + timedelta(minutes=1)
    retention.purge_due(clock.now.date())
    assert channels() == []


# -- a missing rater ---------------------------------------------------------------------------------

def test_hr_rates_a_manager_item_when_every_manager_above_has_left(db_session, cast):
    member = cast.member("ops", 4)
    leave(db_session, cast.teams["ops"].lead, date(2026, 11, 20))
    leave(db_session, cast.boss, date(2026, 11, 20))
    item_id = item_of(assessment_of(member, 11), "ops_teamwork").id
    rating = ratings.rate_item(item_id, "4", actor(cast.hr), "代主管评分", now=NOV_NOW)
    assert rating.rater_id == cast.hr


def test_missing_manager_ratings_go_to_the_next_manager_up_then_hr(db_session, cast):
    lead, member = cast.teams["ops"].lead, cast.member("ops", 5)
    nov = november(db_session).id
    leave(db_session, lead, date(2026, 11, 20))
    owed = {t.rater_id for t in rating_prompts.rating_tasks(nov)
            if t.employee_id == member and t.rater_kind == "manager"}
    assert owed == {cast.boss}
    leave(db_session, cast.boss, date(2026, 11, 20))
    owed = {t.rater_id for t in rating_prompts.rating_tasks(nov)
            if t.employee_id == member and t.rater_kind == "manager"}
    hr_members = set(db_session.scalars(select(Employee.id).where(Employee.is_hr.is_(True),
                                                                   Employee.status == "active")))
    assert owed == hr_members and lead not in owed
    prompted = set(db_session.scalars(select(OutboxMessage.recipient_id).where(OutboxMessage.kind == "reminder")))
    assert not prompted
    rating_prompts.prompt_missing_ratings(nov, NOV_NOW)
    prompted = set(db_session.scalars(select(OutboxMessage.recipient_id).where(OutboxMessage.kind == "reminder")))
    assert lead not in prompted and cast.boss not in prompted and cast.hr in prompted


def test_a_peer_rater_who_left_is_replaced_by_the_default_pick(db_session, cast):
    nov = november(db_session).id
    peers.assign_default_peers(nov, now=NOV_NOW)
    member = cast.member("warehouse", 0)
    assessment_id = assessment_of(member, 11).id
    before = set(db_session.scalars(select(PeerRater.rater_id).where(PeerRater.assessment_id == assessment_id)))
    gone = min(before)
    leave(db_session, gone, date(2026, 11, 20))
    rating_prompts.prompt_missing_ratings(nov, NOV_NOW)
    after = set(db_session.scalars(select(PeerRater.rater_id).where(PeerRater.assessment_id == assessment_id)))
    assert gone not in after and len(after) == len(before) and before - {gone} <= after
    assert all(db_session.get(Employee, rater).status == "active" for rater in after)
    assert gone not in {t.rater_id for t in rating_prompts.rating_tasks(nov)}
    prompted = set(db_session.scalars(select(OutboxMessage.recipient_id).where(OutboxMessage.kind == "reminder")))
    assert gone not in prompted


def test_a_leaver_still_hears_about_their_report_on_the_mini_program_only(clock, db_session, redis_client, standin,
                                                                          zhang):
    report_tpl = KINDS["report_published"].mp_template
    standin.grant("o-zhang", report_tpl, 1)
    quota.grant_quota(zhang.id, report_tpl, 1, now=clock.now)
    db_session.add(WeChatIdentity(employee_id=zhang.id, channel="oa", external_id="oa-zhang"))
    zhang.status, zhang.left_on = "left", date(2026, 10, 31)
    db_session.commit()
    news = outbox.enqueue(zhang.id, "report_published", title="2026年10月考核结果", summary="运营岗总分88分，优秀",
                          body="【2026年10月考核结果】\n运营岗总分88分，优秀", dedupe_key="report:leaver",
                          now=clock.now, data={"report_id": 1, "total": "88", "grade": "优秀"})
    nudge = reminder(db_session, zhang, "reminder:leaver", clock.now)
    tick(clock, redis_client)
    db_session.refresh(news)
    db_session.refresh(nudge)
    assert (news.status, news.channel) == ("sent", "mp")
    assert (nudge.status, nudge.last_error) == ("unreachable", "已离职")
    assert len(standin.requests(SUBSCRIBE)) == 1


def test_an_appeal_goes_to_the_next_manager_up_then_hr_when_the_manager_left(db_session, cast):
    lead, member, other = cast.teams["ops"].lead, cast.member("ops", 6), cast.member("ops", 7)
    leave(db_session, lead, date(2026, 11, 2))
    first = appeals.file_appeal(report_of(member).id, "ops_ad_roi", "3.6", "广告归因延迟", [], actor(member),
                                now=IN_OCT_WINDOW)
    asked = set(db_session.scalars(select(OutboxMessage.recipient_id).where(
        OutboxMessage.kind == "appeal_to_decide", OutboxMessage.dedupe_key.like(f"appeal:{first.id}:%"))))
    assert asked == {cast.boss} and first.escalated_at is None
    leave(db_session, cast.boss, date(2026, 11, 2))
    second = appeals.file_appeal(report_of(other).id, "ops_ad_roi", "3.6", "广告归因延迟", [], actor(other),
                                 now=IN_OCT_WINDOW)
    asked = set(db_session.scalars(select(OutboxMessage.recipient_id).where(
        OutboxMessage.kind == "appeal_to_decide", OutboxMessage.dedupe_key.like(f"appeal:{second.id}:%"))))
    assert lead not in asked and cast.boss not in asked and cast.hr in asked
    assert second.escalated_at is not None  # HR has it at once
    decided = appeals.decide_appeal(second.id, False, "证据不足", actor(cast.hr),
                                    now=IN_OCT_WINDOW + timedelta(hours=1))
    assert decided.status == "rejected"
