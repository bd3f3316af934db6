"""Cycle life: drafting and opening freeze templates into assessments; final proposes outcomes."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.domain.cycles import IllegalTransition
from app.errors import ApiError
from app.models import (
    Appeal,
    Assessment,
    AssessmentItem,
    Cycle,
    Employee,
    Outcome,
    Position,
    Report,
    TemplateItem,
)
from app.services.authz import actor
from app.services.cycle import lifecycle, outcomes
from tests.support.company import publish_history, small_company
from tests.support.demo import seeded_demo

TODAY = date(2026, 11, 27)


def test_opening_december_freezes_the_templates(db_session):
    seeded_demo(today=TODAY)
    cycle = lifecycle.open_cycle(2026, 12, now=datetime(2026, 12, 1, 1, 0))
    assert cycle.status == "open"
    active = db_session.scalar(select(func.count()).select_from(Employee).where(
        Employee.position_id.is_not(None), Employee.status == "active"))  # the agent who left in August is not
    assert db_session.scalar(select(func.count()).where(Assessment.cycle_id == cycle.id)) == active
    # a later template edit does not change the open assessment
    item = db_session.scalar(select(TemplateItem).order_by(TemplateItem.id))
    frozen_target = item.target
    item.target = frozen_target * 2
    db_session.commit()
    frozen = db_session.scalar(select(AssessmentItem).join(Assessment).where(
        Assessment.cycle_id == cycle.id, AssessmentItem.indicator_code == item.indicator.code,
    ).order_by(AssessmentItem.id))
    assert frozen.target == frozen_target
    assert lifecycle.open_cycle(2026, 12).id == cycle.id  # a second tick changes nothing
    assert db_session.scalar(select(func.count()).where(Assessment.cycle_id == cycle.id)) == active


def test_a_cycle_with_pending_reports_or_open_appeals_is_not_finalised(db_session):
    seeded_demo(today=TODAY, lived=False)  # October published, its reports still to be answered
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    assert not lifecycle.finalize(october.id)
    reports = db_session.scalars(select(Report).join(Assessment).where(Assessment.cycle_id == october.id)).all()
    for report in reports:
        report.response = "auto_confirmed"
    item = db_session.scalar(select(AssessmentItem).where(AssessmentItem.assessment_id == reports[0].assessment_id))
    db_session.add(Appeal(report_id=reports[0].id, assessment_item_id=item.id, employee_id=1, claimed_value=1,
                          reason="x"))
    db_session.commit()
    assert not lifecycle.finalize(october.id)
    db_session.scalar(select(Appeal)).status = "rejected"
    db_session.commit()
    assert lifecycle.finalize(october.id)
    assert db_session.get(Cycle, october.id).status == "final"
    with pytest.raises(IllegalTransition):
        from app.domain.cycles import advance
        advance("final", "published")


def test_final_proposes_outcomes_once_and_hr_decides(db_session):
    people = small_company()
    months = publish_history(people)  # the star 优秀, the lead 良好 and the trainee 不合格 in each month
    for report in db_session.scalars(select(Report)).all():
        report.response = "confirmed"
    db_session.commit()
    for cycle in months:
        assert lifecycle.finalize(cycle.id)
    rows = db_session.scalars(select(Outcome).order_by(Outcome.id)).all()
    month_of = {cycle.id: cycle.month for cycle in months}
    # one raise per person per quarter: the star was 优秀 in August and September (Q3) but has one
    # raise there, then one in October (Q4); three 优秀 months in a row, and only then, make them a
    # candidate for team lead; the trainee, 不合格 each month, is proposed training each month
    assert sorted((o.employee_id, month_of[o.cycle_id], o.kind) for o in rows) == sorted([
        (people.star.id, 8, "pay_rise"), (people.star.id, 10, "pay_rise"), (people.star.id, 10, "team_lead_candidate"),
        (people.trainee.id, 8, "training"), (people.trainee.id, 9, "training"), (people.trainee.id, 10, "training")])
    aug, sep = months[0].id, months[1].id
    grades = outcomes.month_grades([aug, sep])
    assert grades[(aug, people.star.id)][0] == grades[(sep, people.star.id)][0] == "excellent"
    assert outcomes.derive(months[-1].id) == 0  # idempotent

    outcome = rows[0]
    hr = people.hr
    with pytest.raises(ApiError) as not_hr:
        outcomes.decide(outcome.id, actor(outcome.employee_id), approve=True)
    assert (not_hr.value.code, not_hr.value.status) == ("forbidden", 403)
    decided = outcomes.decide(outcome.id, actor(hr.id), approve=True)
    assert decided.status == "approved"
    with pytest.raises(ApiError) as twice:
        outcomes.decide(outcome.id, actor(hr.id), approve=False)
    assert twice.value.code == "already_decided"


def test_opening_follows_who_left_or_moved_since_the_draft(db_session):
    people = small_company()
    december = lifecycle.draft_cycle(2026, 12)
    star_item = db_session.scalar(select(AssessmentItem).join(Assessment).where(
        Assessment.cycle_id == december.id, Assessment.employee_id == people.star.id,
        AssessmentItem.indicator_code == "ops_sales"))
    star_item.target = 120000  # HR's drafted adjustment: it must survive
    people.star.left_on = date(2026, 12, 15)  # handed in notice: leaves mid-December
    people.trainee.status, people.trainee.left_on = "left", date(2026, 11, 30)  # gone before December
    cs = db_session.scalar(select(Position.id).where(Position.code == "cs"))
    people.lead.position_id = cs  # moved to customer service
    db_session.commit()
    lifecycle.open_cycle(2026, 12, now=datetime(2026, 12, 1, 1, 0))

    held = {a.employee_id: a for a in db_session.scalars(select(Assessment).where(Assessment.cycle_id == december.id))}
    assert set(held) == {people.star.id, people.lead.id}
    assert held[people.star.id].last_day == date(2026, 12, 15)
    assert next(i.target for i in held[people.star.id].items if i.indicator_code == "ops_sales") == 120000
    assert held[people.lead.id].position_id == cs
    assert {i.indicator_code for i in held[people.lead.id].items} >= {"cs_reply_30s_share"}
