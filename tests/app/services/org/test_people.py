"""People change through services (docs/product.md "People change"): HR records joiners, leavers,
transfers and leave; each is checked, audited once, effective-dated, and moves the assessments of
the months it touches. The small company's November is open (tests/support/company.py)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.domain.authz import OWN_CASE
from app.domain.evaluation import evaluate
from app.errors import ApiError
from app.models import Assessment, AuditLog, Cycle, Employee, LeaveRecord, OutboxMessage, WeChatIdentity
from app.services import tick
from app.services.cycle import lifecycle
from app.services.org import people, retention
from app.services.scoring import inputs
from app.services.scoring.progress import PENDING
from tests.support.checksums import table_checksums
from tests.support.clock import utc
from tests.support.company import assessment_of, open_month, small_company
from tests.support.outbox import WECOM, run_worker
from tests.support.people import actor

NOV_18 = utc(18, 10)  # Wednesday 18 November 2026, 10:00 in Shanghai


@pytest.fixture
def november(db_session):
    company = small_company()
    return company, open_month(2026, 11)


def everything(session) -> dict[str, str]:
    """Every table's checksum, as committed."""
    session.rollback()
    return table_checksums(session)


def audits(session, action: str) -> list[AuditLog]:
    return session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()


def assessments(session, employee: Employee, cycle: Cycle) -> list[Assessment]:
    return session.scalars(select(Assessment).where(Assessment.employee_id == employee.id,
                                                    Assessment.cycle_id == cycle.id)
                           .order_by(Assessment.first_day)).all()


def target_message(session, employee_id: int) -> str:
    return session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient_id == employee_id,
                                                            OutboxMessage.kind == "target_push")
                           .order_by(OutboxMessage.id)).all()[-1]


# -- joiners ---------------------------------------------------------------------------------------

def test_a_joiner_after_the_month_opened_gets_an_assessment_from_their_first_day_and_pro_rated_targets(
        db_session, redis_client, november):
    company, cycle = november
    joiner = people.join_company("S100", "孙新到", "ops", date(2026, 11, 16), actor(company.hr.id),
                                 position="ops", manager_no=company.lead.employee_no, now=NOV_18)

    [assessment] = assessments(db_session, joiner, cycle)
    assert (assessment.first_day, assessment.last_day) == (date(2026, 11, 16), date(2026, 11, 30))
    body = target_message(db_session, joiner.id)
    # 月度销售额 accrues on calendar days: 16–30 November is 15 of 30, half of 100,000 USD.
    assert "月度销售额：50,000 USD" in body and "新品转化率：5%" in body
    assert redis_client.sismember(PENDING, assessment.id)
    [row] = audits(db_session, "people.join")
    assert row.actor_id == company.hr.id and row.before is None
    assert row.after["employee_no"] == "S100" and row.after["assessments_added"] == [assessment.id]


def test_the_joiners_pro_rated_targets_reach_wechat_with_the_next_tick(db_session, redis_client, standin, clock):
    company = small_company()
    open_month(2026, 11)
    clock.now = NOV_18
    joiner = people.join_company("S100", "孙新到", "ops", date(2026, 11, 16), actor(company.hr.id), position="ops",
                                 manager_no=company.lead.employee_no)
    db_session.add(WeChatIdentity(employee_id=joiner.id, channel="wecom", external_id="u-joiner"))
    standin.add_user("u-joiner", joiner.name)
    db_session.commit()
    tick.run_due(clock.now)
    run_worker(redis_client)
    [text] = [r["json"]["text"]["content"] for r in standin.requests(WECOM)
              if r.get("errcode") == 0 and r["json"]["touser"] == "u-joiner"]
    assert text.startswith("【2026年11月考核目标】\n月度销售额：50,000 USD（权重30%）")


def test_a_joiner_whose_first_day_is_in_a_drafted_month_is_taken_in_by_the_draft(db_session, november):
    company, _ = november
    december = lifecycle.draft_cycle(2026, 12)
    joiner = people.join_company("S100", "孙新到", "ops", date(2026, 12, 15), actor(company.hr.id), position="ops",
                                 now=utc(27, 10))
    assert db_session.scalar(select(func.count()).select_from(Assessment)
                             .where(Assessment.employee_id == joiner.id)) == 0
    lifecycle.draft_cycle(2026, 12)  # the clock's daily draft
    [drafted] = assessments(db_session, joiner, december)
    assert (drafted.first_day, drafted.last_day) == (date(2026, 12, 15), date(2026, 12, 31))


@pytest.mark.parametrize(("fields", "code", "status"), [
    ({"employee_no": "S003"}, "employee_no_taken", 409),
    ({"department": "nowhere"}, "unknown_department", 422),
    ({"position": "astronaut"}, "unknown_position", 422),
    ({"manager_no": "X999"}, "unknown_manager", 422),
    ({"name": "  "}, "invalid_input", 422),
])
def test_a_joiner_with_bad_details_is_refused_with_nothing_written(db_session, november, fields, code, status):
    company, _ = november
    given = {"employee_no": "S100", "name": "孙新到", "department": "ops", "position": "ops", "manager_no": None,
             **fields}
    before = everything(db_session)
    with pytest.raises(ApiError) as refused:
        people.join_company(given["employee_no"], given["name"], given["department"], date(2026, 11, 16),
                            actor(company.hr.id), position=given["position"], manager_no=given["manager_no"],
                            now=NOV_18)
    assert (refused.value.code, refused.value.status) == (code, status)
    assert everything(db_session) == before


def test_nothing_is_dated_in_a_month_already_being_scored(db_session, november):
    company, cycle = november
    cycle.status = "scoring"
    db_session.commit()
    with pytest.raises(ApiError) as refused:
        people.leave_company(company.star.id, date(2026, 11, 20), actor(company.hr.id), now=utc(3, 10, month=12))
    assert refused.value.code == "month_closed" and "2026年11月考核已进入评分" in refused.value.message


# -- leavers ---------------------------------------------------------------------------------------

def test_a_leaver_is_scored_on_the_days_worked_and_marked_left_by_the_clock_the_day_after(
        db_session, redis_client, november):
    company, cycle = november
    star = company.star.id
    people.leave_company(star, date(2026, 11, 20), actor(company.hr.id), now=NOV_18)

    [assessment] = assessments(db_session, company.star, cycle)
    assert assessment.last_day == date(2026, 11, 20)
    assert db_session.get(Employee, star).status == "active"  # still working until Friday
    [row] = audits(db_session, "people.leave")
    assert row.before == {"left_on": None, "status": "active"}
    assert row.after["left_on"] == "2026-11-20" and row.after["assessments_ended"] == [assessment.id]

    assert tick.run_due(utc(20, 23))["leavers"] == []  # the last day itself
    assert tick.run_due(utc(21, 0, 5))["leavers"] == [star]
    assert tick.run_due(utc(21, 0, 6))["leavers"] == []
    db_session.rollback()
    assert db_session.get(Employee, star).status == "left"
    assert [a.after["status"] for a in audits(db_session, "people.left")] == ["left"]
    december = lifecycle.draft_cycle(2026, 12)
    assert assessments(db_session, company.star, december) == []
    # Retention counts from the leaving date: 24 months later the person's data goes.
    assert retention.purge_due(date(2028, 11, 21)) == [star]


def test_a_leavers_cumulative_target_is_scored_for_the_days_worked(db_session, november):
    company, cycle = november
    people.leave_company(company.star.id, date(2026, 11, 20), actor(company.hr.id), now=NOV_18)
    assessment = assessment_of(company.star, cycle)
    result = evaluate(inputs.Context.load(cycle, [assessment.id]).input_for(assessment))
    targets = {item.code: item.target for item in result.items}
    # 1–20 November is 20 of 30 calendar days: 100,000 × 2/3, half-up to the cent.
    assert str(targets["ops_sales"]) == "66666.67" and str(targets["ops_new_conversion"]) == "0.05"


def test_a_leaving_date_already_past_marks_the_person_left_at_once(db_session, november):
    company, _ = november
    people.leave_company(company.trainee.id, date(2026, 11, 17), actor(company.hr.id), now=NOV_18)
    assert db_session.get(Employee, company.trainee.id).status == "left"
    with pytest.raises(ApiError) as again:
        people.leave_company(company.trainee.id, date(2026, 11, 18), actor(company.hr.id), now=NOV_18)
    assert again.value.code == "already_left"


def test_a_leaver_recorded_after_the_next_month_opened_loses_that_months_assessment(db_session, november):
    company, cycle = november
    december = open_month(2026, 12)
    people.leave_company(company.trainee.id, date(2026, 11, 30), actor(company.hr.id), now=utc(2, 10, month=12))
    assert assessments(db_session, company.trainee, december) == []
    assert [a.last_day for a in assessments(db_session, company.trainee, cycle)] == [date(2026, 11, 30)]
    assert audits(db_session, "people.leave")[0].after["assessments_removed"] != []


def test_hr_may_not_record_their_own_leaving_nor_may_staff(db_session, november):
    company, _ = november
    with pytest.raises(ApiError) as own:
        people.leave_company(company.hr.id, date(2026, 11, 20), actor(company.hr.id), now=NOV_18)
    assert own.value.status == 403 and own.value.message == OWN_CASE
    with pytest.raises(ApiError) as staff:
        people.leave_company(company.star.id, date(2026, 11, 20), actor(company.lead.id), now=NOV_18)
    assert staff.value.status == 403 and "只有人事" in staff.value.message


# -- transfers -------------------------------------------------------------------------------------

def test_a_transfer_ends_the_assessment_the_day_before_and_starts_the_new_positions_on_the_day(
        db_session, redis_client, november):
    company, cycle = november
    people.transfer(company.star.id, date(2026, 11, 16), actor(company.hr.id), position="designer",
                    department="design", manager_no=company.boss.employee_no, now=NOV_18)

    old, new = assessments(db_session, company.star, cycle)
    assert (old.first_day, old.last_day) == (date(2026, 11, 1), date(2026, 11, 15))
    assert (new.first_day, new.last_day) == (date(2026, 11, 16), date(2026, 11, 30))
    assert {i.indicator_code for i in new.items} >= {"design_on_time_share", "design_quality"}
    assert "素材按时交付率" in target_message(db_session, company.star.id)
    star = db_session.get(Employee, company.star.id)
    assert (star.manager_id, star.department.code) == (company.boss.id, "design")
    [row] = audits(db_session, "people.transfer")
    assert row.before["manager_id"] == company.lead.id and row.after["manager_id"] == company.boss.id
    assert row.after["assessments_ended"] == [old.id] and row.after["assessments_started"] == [new.id]
    assert redis_client.sismember(PENDING, old.id) and redis_client.sismember(PENDING, new.id)


def test_a_transfer_from_the_first_day_of_the_assessment_replaces_it(db_session, november):
    company, cycle = november
    people.transfer(company.trainee.id, date(2026, 11, 1), actor(company.hr.id), position="designer", now=NOV_18)
    [only] = assessments(db_session, company.trainee, cycle)
    assert (only.first_day, only.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert {i.indicator_code for i in only.items} >= {"design_on_time_share"}
    assert "素材按时交付率" in target_message(db_session, company.trainee.id)


def test_a_new_manager_alone_keeps_the_assessment(db_session, november):
    company, cycle = november
    people.transfer(company.trainee.id, date(2026, 11, 16), actor(company.hr.id),
                    manager_no=company.boss.employee_no, now=NOV_18)
    [same] = assessments(db_session, company.trainee, cycle)
    assert (same.first_day, same.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert db_session.get(Employee, company.trainee.id).manager_id == company.boss.id


@pytest.mark.parametrize(("day", "fields", "code"), [
    (date(2026, 11, 16), {}, "nothing_to_change"),
    (date(2026, 11, 16), {"manager_no": "S004"}, "manager_loop"),  # the star reports to the lead
    (date(2026, 12, 1), {"position": "designer"}, "not_in_open_month"),
    (date(2024, 11, 16), {"position": "designer"}, "not_employed"),
])
def test_a_transfer_that_makes_no_sense_is_refused_with_nothing_written(db_session, november, day, fields, code):
    company, _ = november
    before = everything(db_session)
    who = company.lead.id if code == "manager_loop" else company.star.id
    with pytest.raises(ApiError) as refused:
        people.transfer(who, day, actor(company.hr.id), now=NOV_18, **fields)
    assert refused.value.code == code
    assert everything(db_session) == before


# -- leave (请假) ------------------------------------------------------------------------------------

def test_leave_is_recorded_once_inside_the_employment_and_moves_the_bars(db_session, redis_client, november):
    company, cycle = november
    hr = actor(company.hr.id)
    record = people.record_leave(company.star.id, date(2026, 11, 23), date(2026, 11, 24), "sick", "发烧", hr,
                                 now=NOV_18)
    assert db_session.get(LeaveRecord, record.id).kind == "sick"
    assert redis_client.sismember(PENDING, assessment_of(company.star, cycle).id)
    [row] = audits(db_session, "people.leave_days")
    assert row.after == {"employee_id": company.star.id, "first_day": "2026-11-23", "last_day": "2026-11-24",
                         "kind": "sick", "note": "发烧"}

    for first, last, kind, code in ((date(2026, 11, 24), date(2026, 11, 25), "personal", "leave_overlaps"),
                                    (date(2024, 12, 30), date(2025, 1, 2), "personal", "not_employed"),
                                    (date(2026, 11, 26), date(2026, 11, 25), "personal", "invalid_period"),
                                    (date(2026, 11, 26), date(2026, 11, 26), "holiday", "unknown_leave_kind")):
        before = everything(db_session)
        with pytest.raises(ApiError) as refused:
            people.record_leave(company.star.id, first, last, kind, "", hr, now=NOV_18)
        assert refused.value.code == code
        assert everything(db_session) == before
