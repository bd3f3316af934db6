"""Confirming and appealing a report: the 3-day window, one item per appeal, the manager's 24 h
(reminder at 20 h, HR from 24 h), and an accepted appeal publishing a new report version."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import ApiError
from app.models import (
    Appeal,
    Assessment,
    AssessmentItem,
    AuditLog,
    Cycle,
    Employee,
    ItemOverride,
    OutboxMessage,
    Outcome,
    Rating,
    Report,
    ScoringRun,
)
from app.services.cycle import outcomes
from app.services.feedback import appeals
from app.services.scoring import reports
from tests.support.clock import local
from tests.support.people import IN_OCT_WINDOW, OCT_PUBLISHED, OCT_WINDOW_CLOSES, actor, assessment_of, report_of


def messages(session, recipient: int, kind: str) -> list[OutboxMessage]:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == recipient,
                                                       OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()


def item_row(report: Report, code: str) -> dict:
    return next(row for row in report.body["items"] if row["indicator"] == code)


def test_the_window_is_three_working_days_from_publication(db_session, cast):
    report = report_of(cast.member("ops", 0))
    assert report.published_at == local(3, 10) and report.window_closes_at == OCT_WINDOW_CLOSES
    view = reports.view_report(report.id, actor(cast.member("ops", 0)), now=IN_OCT_WINDOW)
    assert view["can_appeal"] and view["can_confirm"]
    assert not reports.view_report(report.id, actor(cast.member("ops", 0)), now=OCT_WINDOW_CLOSES)["can_appeal"]
    from app.services.scoring.report_window import closes_at

    friday = closes_at([report.assessment_id], local(6, 10))[report.assessment_id]
    assert friday == local(11, 10)  # Friday 10:00 + 72 working-day hours = Wednesday 10:00


def test_an_accepted_appeal_publishes_version_two_with_the_claimed_value(db_session, cast):
    member, lead = cast.member("ops", 1), cast.teams["ops"].lead
    v1 = report_of(member)
    visible_run = db_session.scalar(select(Cycle.visible_run_id).where(Cycle.month == 10))
    appeal = appeals.file_appeal(v1.id, "ops_ad_roi", "3.9", "广告后台归因更新后ROI为3.9", [], actor(member),
                                 now=IN_OCT_WINDOW)
    assert appeal.remind_at == local(5, 8) and appeal.escalate_at == local(5, 12)  # 20 h and 24 h on working days
    assert db_session.get(Report, v1.id).response == "appealed"
    [ask] = messages(db_session, lead, "appeal_to_decide")
    assert "广告ROI" in ask.body and "3.9:1" in ask.body and ask.audience == "manager"

    decided = appeals.decide_appeal(appeal.id, True, "已核对广告后台", actor(lead),
                                    now=IN_OCT_WINDOW + timedelta(hours=2))
    assert decided.status == "accepted" and decided.decider_id == lead
    v2 = report_of(member)
    assert v2.version == 2 and v2.id != v1.id and v2.response == "pending"
    assert item_row(v2, "ops_ad_roi")["actual"] == "3.9" and item_row(v2, "ops_ad_roi")["data"] == {"from": "actuals"}
    assert item_row(db_session.get(Report, v1.id), "ops_ad_roi")["actual"] != "3.9"  # version 1 stays as it was
    assert v2.window_closes_at == local(9, 14)  # its own 72 working-day hours: Wednesday 14:00 → Monday 14:00
    assert db_session.scalar(select(Cycle.visible_run_id).where(Cycle.month == 10)) == visible_run
    assert db_session.get(ScoringRun, v2.run_id).status == "done"
    assert db_session.scalar(select(ItemOverride.value).where(ItemOverride.appeal_id == appeal.id)) == Decimal("3.9")
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "appeal.accepted",
                                                     AuditLog.entity_id == appeal.id))
    assert audit.actor_id == lead and audit.before["report_id"] == v1.id and audit.after["report_id"] == v2.id
    [told] = messages(db_session, member, "appeal_result")
    assert told.dedupe_key == f"report:{v2.id}" and "已通过" in told.body and v2.body["total_display"] in told.body


def test_an_appeal_on_a_rating_applies_the_claimed_rating(db_session, cast):
    member = cast.member("ops", 2)
    appeal = appeals.file_appeal(report_of(member).id, "ops_teamwork", "5", "本月牵头跨部门大促", [], actor(member),
                                 now=IN_OCT_WINDOW)
    appeals.decide_appeal(appeal.id, True, "", actor(cast.boss), now=IN_OCT_WINDOW)  # the lead rated it
    row = item_row(report_of(member), "ops_teamwork")
    assert row["actual"] == "5" and row["achievement"] == "1.0000"


def test_a_rejected_appeal_needs_a_reason_and_leaves_the_report(db_session, cast):
    member, lead = cast.member("ops", 3), cast.teams["ops"].lead
    v1 = report_of(member)
    appeal = appeals.file_appeal(v1.id, "ops_sales", "120000", "有一笔订单漏算", [], actor(member), now=IN_OCT_WINDOW)
    with pytest.raises(ApiError) as no_reason:
        appeals.decide_appeal(appeal.id, False, " ", actor(lead), now=IN_OCT_WINDOW)
    assert no_reason.value.code == "invalid_input" and "reason" in no_reason.value.fields
    assert db_session.get(Appeal, appeal.id).status == "open"
    appeals.decide_appeal(appeal.id, False, "该订单属于11月", actor(lead), now=IN_OCT_WINDOW)
    assert report_of(member).id == v1.id and db_session.scalar(select(func.count()).select_from(ItemOverride)) == 0
    [told] = messages(db_session, member, "appeal_result")
    assert "未通过" in told.body and "该订单属于11月" in told.body
    with pytest.raises(ApiError) as twice:
        appeals.decide_appeal(appeal.id, True, "", actor(lead), now=IN_OCT_WINDOW)
    assert twice.value.code == "already_decided"


@pytest.mark.parametrize("case", ["after_window", "someone_elses", "own_decision", "same_item_twice", "unknown_item",
                                  "bad_value", "not_latest"])
def test_appeals_that_are_refused(db_session, cast, case):
    member, other = cast.member("ops", 4), cast.member("ops", 5)
    report = report_of(member)
    file = lambda who, now=IN_OCT_WINDOW, code="ops_ad_roi", value="3.9": appeals.file_appeal(  # noqa: E731
        report.id, code, value, "理由", [], who, now=now)
    expected = {"after_window": ("appeal_window_closed", 409), "someone_elses": ("forbidden", 403),
                "own_decision": ("forbidden", 403), "same_item_twice": ("already_appealed", 409),
                "unknown_item": ("unknown_item", 422), "bad_value": ("invalid_input", 422),
                "not_latest": ("not_latest", 409)}[case]
    with pytest.raises(ApiError) as refused:
        if case == "after_window":
            file(actor(member), now=OCT_WINDOW_CLOSES)
        elif case == "someone_elses":
            file(actor(other))
        elif case == "own_decision":  # an HR member's own appeal, decided by themselves
            own = cast.teams["ops"].hr_member
            appeal = appeals.file_appeal(report_of(own).id, "ops_ad_roi", "3.9", "理由", [], actor(own),
                                         now=IN_OCT_WINDOW)
            appeals.escalate_due(appeal.escalate_at)
            appeals.decide_appeal(appeal.id, True, "", actor(own), now=appeal.escalate_at)
        elif case == "same_item_twice":
            first = file(actor(member))
            appeals.decide_appeal(first.id, False, "证据不足", actor(cast.teams["ops"].lead), now=IN_OCT_WINDOW)
            file(actor(member))
        elif case == "unknown_item":
            file(actor(member), code="cs_reply_30s_share")
        elif case == "bad_value":
            file(actor(member), code="ops_teamwork", value="6")
        else:
            appeals.decide_appeal(file(actor(member), code="ops_teamwork", value="5").id, True, "", actor(
                cast.boss), now=IN_OCT_WINDOW)  # the lead gave the rating
            appeals.file_appeal(report.id, "ops_sales", "200000", "理由", [], actor(member), now=IN_OCT_WINDOW)
    assert (refused.value.code, refused.value.status) == expected


def test_reminder_at_20_hours_then_hr_decides_from_24_hours(db_session, cast):
    member, lead = cast.member("ops", 6), cast.teams["ops"].lead
    appeal = appeals.file_appeal(report_of(member).id, "ops_sales", "150000", "漏算退款冲回", [], actor(member),
                                 now=IN_OCT_WINDOW)
    assert appeals.appeal_reminders_due(appeal.remind_at - timedelta(minutes=1)) == 0
    assert appeals.appeal_reminders_due(appeal.remind_at) == 1
    assert appeals.appeal_reminders_due(appeal.remind_at + timedelta(minutes=5)) == 0  # once
    assert [m.title for m in messages(db_session, lead, "appeal_to_decide")] == ["待处理申诉", "申诉待处理提醒"]
    assert appeals.escalate_due(appeal.escalate_at - timedelta(minutes=1)) == 0
    assert appeals.escalate_due(appeal.escalate_at) == 1 and appeals.escalate_due(appeal.escalate_at) == 0
    hr_people = db_session.scalars(select(Employee.id).where(Employee.is_hr)).all()
    assert {m.recipient_id for m in db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.dedupe_key.like(f"appeal:{appeal.id}:escalated:%")))} == set(hr_people)
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.action == "appeal.escalate",
                                                       AuditLog.entity_id == appeal.id))
    with pytest.raises(ApiError) as late_manager:
        appeals.decide_appeal(appeal.id, True, "", actor(lead), now=appeal.escalate_at)
    assert late_manager.value.status == 403
    assert [a["appeal_id"] for a in appeals.appeals_to_decide(actor(cast.hr))] == [appeal.id]
    assert appeals.appeals_to_decide(actor(lead)) == []
    appeals.decide_appeal(appeal.id, True, "人事核实", actor(cast.hr), now=appeal.escalate_at)
    assert report_of(member).version == 2


def test_confirming_and_silence_count_as_acceptance(db_session, cast):
    first, second, third = (cast.member("ops", i) for i in (7, 8, 0))
    appeal = appeals.file_appeal(report_of(third).id, "ops_sales", "150000", "理由", [], actor(third),
                                 now=IN_OCT_WINDOW)
    with pytest.raises(ApiError) as open_appeal:
        reports.confirm_report(report_of(third).id, actor(third), now=IN_OCT_WINDOW)
    assert open_appeal.value.code == "appeal_open"
    assert not reports.view_report(report_of(third).id, actor(third), now=IN_OCT_WINDOW)["can_confirm"]
    confirmed = reports.confirm_report(report_of(first).id, actor(first), now=IN_OCT_WINDOW)
    assert confirmed.response == "confirmed"
    with pytest.raises(ApiError) as after_confirm:
        appeals.file_appeal(confirmed.id, "ops_sales", "150000", "理由", [], actor(first), now=IN_OCT_WINDOW)
    assert after_confirm.value.code == "already_answered"
    earlier = reports.auto_confirm_due(OCT_PUBLISHED)  # August and September were settled long ago
    assert reports.auto_confirm_due(OCT_WINDOW_CLOSES - timedelta(seconds=1)) == 0
    done = reports.auto_confirm_due(OCT_WINDOW_CLOSES)
    pending_october = db_session.scalar(select(func.count()).select_from(Report).where(
        Report.response == "pending", Report.window_closes_at <= OCT_WINDOW_CLOSES))
    october = db_session.scalar(select(func.count()).select_from(Report).join(Assessment).join(Cycle)
                                .where(Cycle.month == 10))
    assert done == october - 2 and pending_october == 0  # all of October's but the confirmed and the appealed
    silent = db_session.get(Report, report_of(second).id)
    assert silent.response == "auto_confirmed" and silent.responded_at == OCT_WINDOW_CLOSES
    assert db_session.get(Report, report_of(third).id).response == "appealed"  # the appeal is still open
    runs = db_session.scalars(select(AuditLog).where(AuditLog.action == "report.auto_confirm")).all()
    assert [r.after["count"] for r in runs] == [earlier, done]
    assert reports.auto_confirm_due(OCT_WINDOW_CLOSES + timedelta(hours=1)) == 0
    assert db_session.get(Appeal, appeal.id).status == "open"


def test_in_a_final_cycle_an_accepted_appeal_re_derives_outcomes(db_session, cast):
    """finalize never leaves an appeal open, so the final state is set by hand to pin what happens
    if it ever is: proposals the new grade no longer supports are withdrawn, new ones proposed."""
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    grades = outcomes.month_grades([october.id])
    ops = cast.teams["ops"].members
    def without_sales(employee: int) -> Decimal:  # what the rest of their sheet is worth
        sales = next(i for i in report_of(employee).body["items"] if i["indicator"] == "ops_sales")
        return report_of(employee).total - Decimal(sales["score"])

    member = max((e for e in ops if grades[(october.id, e)][0] == "good"), key=without_sales)
    assert without_sales(member) + 30 * Decimal("1.2") >= 85  # full sales at the cap makes them 优秀
    appeal = appeals.file_appeal(report_of(member).id, "ops_sales", "500000", "大客户订单", [], actor(member),
                                 now=IN_OCT_WINDOW)
    db_session.add(Outcome(employee_id=member, cycle_id=october.id, kind="training", reason="旧的培训安排"))
    db_session.get(Cycle, october.id).status = "final"
    db_session.commit()
    appeals.decide_appeal(appeal.id, True, "", actor(cast.teams["ops"].lead), now=IN_OCT_WINDOW)
    assert report_of(member).grade == "excellent"
    mine = dict(db_session.execute(select(Outcome.kind, Outcome.status).where(
        Outcome.employee_id == member, Outcome.cycle_id == october.id)).all())
    assert (mine["training"], mine["pay_rise"]) == ("withdrawn", "pending")
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.action == "outcome.withdraw"))


def test_without_a_manager_hr_decides_at_once(db_session, cast):
    member = cast.member("ops", 5)
    db_session.get(Employee, member).manager_id = None
    db_session.commit()
    appeal = appeals.file_appeal(report_of(member).id, "ops_sales", "150000", "理由", [], actor(member),
                                 now=IN_OCT_WINDOW)
    assert appeal.escalated_at == IN_OCT_WINDOW
    hr_people = set(db_session.scalars(select(Employee.id).where(Employee.is_hr)))
    assert {m.recipient_id for m in db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "appeal_to_decide"))} == hr_people
    assert appeals.appeal_reminders_due(IN_OCT_WINDOW + timedelta(days=3)) == 0
    appeals.decide_appeal(appeal.id, False, "数据以系统为准", actor(cast.hr), now=IN_OCT_WINDOW)
    assert db_session.get(Appeal, appeal.id).status == "rejected"


def test_a_month_does_not_go_final_while_an_appealing_persons_window_is_open(db_session, cast):
    """Everyone else has answered and the one appeal was rejected on day 1: the person may still
    appeal another item until the window closes, so the month stays published until then."""
    from sqlalchemy import update

    from app.services.cycle import lifecycle

    member, lead = cast.member("ops", 1), cast.teams["ops"].lead
    report = report_of(member)
    db_session.execute(update(Report).where(Report.id != report.id).values(response="confirmed"))
    db_session.commit()
    appeal = appeals.file_appeal(report.id, "ops_ad_roi", "3.9", "广告数据有误", [], actor(member), now=IN_OCT_WINDOW)
    appeals.decide_appeal(appeal.id, False, "数据核对无误", actor(lead), now=IN_OCT_WINDOW + timedelta(hours=1))
    october = db_session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 10))

    assert not lifecycle.finalize(october.id, now=IN_OCT_WINDOW + timedelta(hours=2))
    assert reports.view_report(report.id, actor(member), now=IN_OCT_WINDOW + timedelta(hours=2))["can_appeal"]
    assert lifecycle.finalize(october.id, now=OCT_WINDOW_CLOSES)
    assert db_session.get(Cycle, october.id).status == "final"


def test_the_only_hr_members_appeal_stays_with_their_manager_past_24_hours(db_session, cast):
    """Nobody else in HR could take it, so escalating would leave the appeal with nobody allowed to
    decide it, and the month could never go final."""
    from sqlalchemy import update

    member, lead = cast.teams["ops"].hr_member, cast.teams["ops"].lead
    db_session.execute(update(Employee).where(Employee.id != member).values(is_hr=False))
    db_session.commit()
    appeal = appeals.file_appeal(report_of(member).id, "ops_ad_roi", "3.9", "广告数据有误", [], actor(member),
                                 now=IN_OCT_WINDOW)
    later = IN_OCT_WINDOW + timedelta(days=3)

    assert appeals.escalate_due(later) == 0
    assert [a["appeal_id"] for a in appeals.appeals_to_decide(actor(lead))] == [appeal.id]
    appeals.decide_appeal(appeal.id, False, "数据核对无误", actor(lead), now=later)
    assert db_session.get(Appeal, appeal.id).status == "rejected"


def test_leave_days_do_not_count_in_the_window(db_session, cast):
    """Away Wednesday and Thursday after a Tuesday publication: the 72 working-day hours run
    Tuesday 10:00 → Wednesday 0:00, then Friday and Monday, closing Tuesday 10 November at 10:00."""
    from datetime import date

    from app.models import LeaveRecord
    from app.services.scoring.report_window import closes_at

    away, present = cast.member("ops", 0), cast.member("ops", 1)
    db_session.add(LeaveRecord(employee_id=away, first_day=date(2026, 11, 4), last_day=date(2026, 11, 5)))
    db_session.commit()
    ends = closes_at([assessment_of(away, 10).id, assessment_of(present, 10).id], OCT_PUBLISHED)
    assert ends[assessment_of(present, 10).id] == OCT_WINDOW_CLOSES
    assert ends[assessment_of(away, 10).id] == local(10, 10)


def test_a_long_leave_keeps_the_window_open_until_after_it(db_session, cast):
    """Maternity leave from the day after publication: the window cannot run out while she is away."""
    from datetime import date

    from app.models import LeaveRecord
    from app.services.business_time import to_local
    from app.services.scoring.report_window import closes_at

    away = cast.member("ops", 0)
    db_session.add(LeaveRecord(employee_id=away, first_day=date(2026, 11, 4), last_day=date(2027, 2, 25)))
    db_session.commit()
    end = to_local(closes_at([assessment_of(away, 10).id], OCT_PUBLISHED)[assessment_of(away, 10).id]).date()
    assert date(2027, 2, 26) < end <= date(2027, 3, 8)


def test_an_appeal_against_the_managers_own_rating_goes_to_the_next_manager_up(db_session, cast):
    member, lead = cast.member("ops", 2), cast.teams["ops"].lead
    rated_by = db_session.scalar(select(Rating.rater_id).join(AssessmentItem).where(
        AssessmentItem.assessment_id == report_of(member).assessment_id,
        AssessmentItem.indicator_code == "ops_teamwork", Rating.rater_kind == "manager"))
    assert rated_by == lead  # the lead rated the item the member appeals
    appeal = appeals.file_appeal(report_of(member).id, "ops_teamwork", "5", "本月牵头跨部门大促", [], actor(member),
                                 now=IN_OCT_WINDOW)
    assert messages(db_session, lead, "appeal_to_decide") == []
    assert len(messages(db_session, cast.boss, "appeal_to_decide")) == 1
    assert appeals.appeals_to_decide(actor(lead)) == []
    with pytest.raises(ApiError) as refused:
        appeals.decide_appeal(appeal.id, True, "", actor(lead), now=IN_OCT_WINDOW)
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)
    # the reminder at 20 h goes to the boss too
    assert appeals.appeal_reminders_due(appeal.remind_at) == 1
    assert messages(db_session, lead, "appeal_to_decide") == []
    appeals.decide_appeal(appeal.id, True, "", actor(cast.boss), now=IN_OCT_WINDOW)
    assert db_session.get(Appeal, appeal.id).status == "accepted"


def test_with_nobody_above_the_rating_manager_hr_decides_at_once(db_session, cast):
    member, lead = cast.member("ops", 2), cast.teams["ops"].lead
    db_session.get(Employee, cast.boss).status = "left"
    db_session.commit()
    appeal = appeals.file_appeal(report_of(member).id, "ops_teamwork", "5", "本月牵头跨部门大促", [], actor(member),
                                 now=IN_OCT_WINDOW)
    assert appeal.escalated_at == IN_OCT_WINDOW
    assert messages(db_session, lead, "appeal_to_decide") == []
    with pytest.raises(ApiError):
        appeals.decide_appeal(appeal.id, True, "", actor(lead), now=IN_OCT_WINDOW)
    appeals.decide_appeal(appeal.id, False, "评分有据", actor(cast.hr), now=IN_OCT_WINDOW)
    assert db_session.get(Appeal, appeal.id).status == "rejected"


def test_the_reminder_says_when_hr_takes_over_though_the_clock_runs_late(db_session, cast):
    member, lead = cast.member("ops", 5), cast.teams["ops"].lead
    appeal = appeals.file_appeal(report_of(member).id, "ops_sales", "150000", "漏算退款冲回", [], actor(member),
                                 now=IN_OCT_WINDOW)
    assert appeal.escalate_at == local(5, 12)
    assert appeals.appeal_reminders_due(appeal.remind_at + timedelta(hours=3)) == 1  # the clock came 3 h late
    [remind] = [m for m in messages(db_session, lead, "appeal_to_decide") if m.title == "申诉待处理提醒"]
    assert "还有4小时" not in remind.body
    assert "请在11月5日12:00前处理，逾期将转人事处理。回复“待办”查看编号" in remind.body
