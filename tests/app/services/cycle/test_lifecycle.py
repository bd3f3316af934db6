"""Cycle life: drafting and opening freeze templates into assessments; final proposes outcomes."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.demo import seed_demo
from app.domain.cycles import IllegalTransition
from app.errors import ApiError
from app.models import (
    Appeal,
    Assessment,
    AssessmentItem,
    Cycle,
    Employee,
    Outcome,
    Report,
    TemplateItem,
)
from app.services.cycle import lifecycle, outcomes

TODAY = date(2026, 11, 27)


def test_opening_december_freezes_the_templates(db_session):
    seed_demo(today=TODAY)
    cycle = lifecycle.open_cycle(2026, 12, now=datetime(2026, 12, 1, 1, 0))
    assert cycle.status == "open"
    active = db_session.scalar(select(func.count()).select_from(Employee).where(Employee.position_id.is_not(None)))
    assert db_session.scalar(select(func.count()).where(Assessment.cycle_id == cycle.id)) == active
    # a later template edit does not change the open assessment
    item = db_session.scalar(select(TemplateItem).order_by(TemplateItem.id))
    frozen_target = item.target
    item.target = frozen_target * 2
    db_session.commit()
    frozen = db_session.scalar(select(AssessmentItem).join(Assessment).where(Assessment.cycle_id == cycle.id)
                               .order_by(AssessmentItem.id))
    assert frozen.target == frozen_target
    assert lifecycle.open_cycle(2026, 12).id == cycle.id  # a second tick changes nothing
    assert db_session.scalar(select(func.count()).where(Assessment.cycle_id == cycle.id)) == active


def test_a_cycle_with_pending_reports_or_open_appeals_is_not_finalised(db_session):
    seed_demo(today=TODAY)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    assert not lifecycle.finalize(october.id)
    reports = db_session.scalars(select(Report).join(Assessment).where(Assessment.cycle_id == october.id)).all()
    for report in reports:
        report.response = "auto_confirmed"
    item = db_session.scalar(select(AssessmentItem).where(AssessmentItem.assessment_id == reports[0].assessment_id))
    db_session.add(Appeal(report_id=reports[0].id, assessment_item_id=item.id, employee_id=1, claimed_value=1, reason="x"))
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
    seed_demo(today=TODAY)
    for cycle in db_session.scalars(select(Cycle).where(Cycle.status == "published")).all():
        for report in db_session.scalars(select(Report).join(Assessment).where(Assessment.cycle_id == cycle.id)):
            report.response = "confirmed"
    db_session.commit()
    for month in (8, 9, 10):
        assert lifecycle.finalize(db_session.scalar(select(Cycle.id).where(Cycle.month == month)))
    rows = db_session.scalars(select(Outcome)).all()
    kinds = {o.kind for o in rows}
    assert "pay_rise" in kinds and "team_lead_candidate" in kinds
    # one raise per person per quarter: nobody has a raise in both August and September (Q3),
    # although some people were 优秀 in both
    aug, sep = (db_session.scalar(select(Cycle.id).where(Cycle.month == m)) for m in (8, 9))
    grades = outcomes.month_grades([aug, sep])
    assert any(grades[(aug, e)][0] == grades[(sep, e)][0] == "excellent" for (c, e) in grades if c == aug and (sep, e) in grades)
    q3 = db_session.scalars(select(Outcome.employee_id).join(Cycle).where(Outcome.kind == "pay_rise", Cycle.month.in_((8, 9)))).all()
    assert len(q3) == len(set(q3))
    # three 优秀 months in a row and only then: candidates appear in October
    leads = db_session.scalars(select(Cycle.month).join(Outcome).where(Outcome.kind == "team_lead_candidate")).all()
    assert set(leads) == {10}
    assert outcomes.derive(db_session.scalar(select(Cycle.id).where(Cycle.month == 10))) == 0  # idempotent

    outcome = rows[0]
    hr = db_session.scalar(select(Employee).where(Employee.is_hr, Employee.id != outcome.employee_id))
    with pytest.raises(ApiError) as not_hr:
        outcomes.decide(outcome.id, approve=True, actor_id=outcome.employee_id)
    assert (not_hr.value.code, not_hr.value.status) == ("forbidden", 403)
    decided = outcomes.decide(outcome.id, approve=True, actor_id=hr.id)
    assert decided.status == "approved"
    with pytest.raises(ApiError) as twice:
        outcomes.decide(outcome.id, approve=False, actor_id=hr.id)
    assert twice.value.code == "already_decided"
