"""Outcome proposals at the close: each once per qualifying streak, never a role the person already
holds, and HR told once per close in one message listing what was proposed (docs/product.md "The
monthly process", step 6)."""

from datetime import date
from decimal import Decimal

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.models import Cycle, Observation, OutboxMessage, Outcome, Position, Report, ScoringRun, SyncRun
from app.services.authz import actor
from app.services.cycle import lifecycle, outcomes
from app.services.observations import sync
from app.services.observations.sync import Incoming
from tests.support.company import SmallCompany, on_target, open_month, publish, rate_all, small_company


def excellent_months(people: SmallCompany, months: tuple[int, ...]) -> list[Cycle]:
    """Each month published with the star and the lead on target and rated 5 (100 points, 优秀) — the
    lead manages the star and the trainee — and the trainee without figures (不合格); every report
    confirmed so the month can be final."""
    cycles = []
    for month in months:
        cycle = open_month(2026, month)
        for person in (people.star, people.lead):
            on_target(person, cycle)
            rate_all(person, cycle, 5)
        rate_all(people.trainee, cycle, 1)
        publish(cycle)
        cycles.append(cycle)
    return cycles


def finalize_all(db_session, cycles: list[Cycle]) -> None:
    for report in db_session.scalars(select(Report)).all():
        report.response = "confirmed"
    db_session.commit()
    for cycle in cycles:
        assert lifecycle.finalize(cycle.id)


def hr_lines(db_session, people: SmallCompany) -> list[str]:
    messages = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == people.hr.id)
                                  .order_by(OutboxMessage.id)).all()
    return [line for message in messages for line in message.body.splitlines()]


def test_a_streak_of_excellent_months_makes_one_team_lead_proposal_and_one_hr_line(db_session):
    people = small_company()
    cycles = excellent_months(people, (8, 9, 10, 11))
    finalize_all(db_session, cycles)

    month_of = {cycle.id: cycle.month for cycle in cycles}
    leads = db_session.scalars(select(Outcome).where(Outcome.kind == "team_lead_candidate")).all()
    # the star's streak reaches three in October and goes on in November: one proposal; the lead
    # already manages people, so they are never proposed as 组长
    assert [(o.employee_id, month_of[o.cycle_id]) for o in leads] == [(people.star.id, 10)]
    lines = hr_lines(db_session, people)
    assert [line for line in lines if "组长候选" in line] == [
        "赵明星：组长候选——截至2026年10月连续3个月考核优秀，列为组长候选"]
    # one message to HR per close that proposed something (each month proposes the trainee's training)
    messages = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == people.hr.id,
                                                              OutboxMessage.kind == "outcomes_to_decide")).all()
    assert len(messages) == len(cycles)
    assert all(m.data["outcome_ids"] for m in messages)


def test_a_department_head_is_not_proposed_as_team_lead(db_session):
    people = small_company()
    cycles = excellent_months(people, (8, 9, 10))
    # the star became a department head (部门主管) before the months were final
    people.star.position_id = db_session.scalar(select(Position.id).where(Position.code == "dept_head"))
    db_session.commit()
    finalize_all(db_session, cycles)
    assert db_session.scalars(select(Outcome).where(Outcome.kind == "team_lead_candidate")).all() == []


def test_a_re_publication_that_lowers_a_grade_tells_hr_of_the_approved_outcome(db_session, redis_client):
    people = small_company()
    cycles = excellent_months(people, (8, 9, 10))
    finalize_all(db_session, cycles)
    october = cycles[-1]
    rise = db_session.scalar(select(Outcome).where(Outcome.employee_id == people.star.id,
                                                   Outcome.cycle_id == october.id, Outcome.kind == "pay_rise"))
    outcomes.decide(rise.id, actor(people.hr.id), approve=True)
    # Amazon restates the star's October sales to a tenth: the re-published month is no longer 优秀
    sales = db_session.scalar(select(Observation).where(Observation.employee_id == people.star.id,
                                                        Observation.indicator_code == "ops_sales",
                                                        Observation.day == date(2026, 10, 1)))
    run = SyncRun(source="amazon_sp_api", kind="sync")
    db_session.add(run)
    db_session.commit()
    sync.record_run(run.id, "verified", [Incoming(people.star.id, "ops_sales", sales.day, Decimal("10000"), None,
                                                  sales.external_ref, "USD")])
    [restated] = sync.restatement_rows(october.id, hr_id=people.hr.id)  # what the console's month page lists
    assert (restated["name"], restated["indicator"], restated["day"], restated["new"]) == (
        "赵明星", "月度销售额", "2026-10-01", "10,000 USD")
    assert restated["old"] == f"{sales.numerator:,.0f} USD"
    sync.resolve_restatements(october.id, republish=True, hr_id=people.hr.id)
    SimpleWorker([Queue(jobs.SCORING, connection=redis_client)], connection=redis_client).work(burst=True)
    run_id = db_session.scalar(select(func.max(ScoringRun.id)).where(ScoringRun.cycle_id == october.id))
    outcomes.follow_republication(run_id)  # what the clock does after a final month's re-publication

    assert outcomes.month_grades([october.id])[(october.id, people.star.id)][0] != "excellent"
    mine = dict(db_session.execute(select(Outcome.kind, Outcome.status).where(
        Outcome.employee_id == people.star.id, Outcome.cycle_id == october.id)).all())
    # HR decided the raise: it stays approved, and HR is told it no longer follows from the grade;
    # the pending 组长 proposal is withdrawn
    assert mine == {"pay_rise": "approved", "team_lead_candidate": "withdrawn"}
    [told] = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == people.hr.id,
                                                            OutboxMessage.kind == "outcome_stale")).all()
    assert "赵明星" in told.body and "加薪建议" in told.body and told.data["outcome_id"] == rise.id
    listed = {o["id"]: o for o in outcomes.listing(october.id, actor(people.hr.id))}  # the console's listing
    assert listed[rise.id]["stale"] is True and listed[rise.id]["grade_now"] != "优秀"
    assert not any(o["stale"] for o in listed.values() if o["id"] != rise.id)
