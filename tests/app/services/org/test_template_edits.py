"""HR sets an item's scoring method from the CLI: checked with its template, audited, taken by the
month still in draft and every month drafted later, never by a month already open."""

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.domain.builtin import load_builtin
from app.domain.codec import method_json
from app.domain.evaluation import evaluate
from app.extensions import db
from app.models import AssessmentItem, AuditLog, Cycle, Indicator, KpiTemplate, Observation, Position, TemplateItem
from app.services.cycle import lifecycle
from app.services.scoring import inputs
from tests.support.company import assessment_of, open_month, small_company

DEDUCTION = json.dumps({"kind": "deduction", "step": "1000", "points": "2"})


def sales_points(people, cycle: Cycle, sales: str) -> str:
    """The star's 月度销售额 points with `sales` USD sold in the month (target 100,000 USD, weight 30)."""
    day = date(cycle.year, cycle.month, 2)
    db.session.add(Observation(employee_id=people.star.id, indicator_code="ops_sales", day=day,
                                  numerator=Decimal(sales), currency="USD", source="amazon_sp_api",
                                  provenance="verified", external_ref=f"star/{day}"))
    db.session.commit()
    assessment = assessment_of(people.star, cycle)
    result = evaluate(inputs.Context.load(cycle, [assessment.id]).input_for(assessment))
    return str(next(item.score for item in result.score.items if item.code == "ops_sales"))


def test_a_deduction_set_from_the_cli_scores_the_draft_and_later_months_not_the_open_one(db_session, runner):
    people = small_company()
    november = open_month(2026, 11)
    december = lifecycle.draft_cycle(2026, 12)

    result = runner.invoke(args=["kpi", "method", "ops", "ops_sales", DEDUCTION, "--by", people.hr.employee_no])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "月度销售额：扣分制：每低于目标1,000 USD扣2分，不足1,000 USD按1,000 USD计，扣完为止"

    assert sales_points(people, november, "90000") == "27"  # opened with the ratio: 30 × 0.9
    lifecycle.open_cycle(2026, 12)
    assert sales_points(people, december, "90000") == "10"  # 10 steps short: 30 − 10 × 2
    january = lifecycle.draft_cycle(2027, 1)
    stored = db_session.scalar(select(AssessmentItem.method).where(
        AssessmentItem.assessment_id == assessment_of(people.star, january).id,
        AssessmentItem.indicator_code == "ops_sales"))
    assert stored == {"kind": "deduction", "step": "1000", "points": "2"}
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "template.method"))
    assert audit.actor_id == people.hr.id and audit.before == {"method": None}
    assert audit.after["draft_items"] == 3  # December's lead, star and trainee, still a draft then


def test_ratio_puts_the_default_back(db_session, runner):
    people = small_company()
    hr = people.hr.employee_no
    assert runner.invoke(args=["kpi", "method", "ops", "ops_sales", '{"kind": "pass_fail"}', "--by", hr]).exit_code == 0
    back = runner.invoke(args=["kpi", "method", "ops", "ops_sales", "ratio", "--by", hr])
    assert back.exit_code == 0 and back.stdout.strip() == "月度销售额：比例计分：按完成率计分"
    assert not _changed_methods(db_session)


def test_a_method_that_breaks_the_template_or_comes_from_staff_changes_nothing(db_session, runner):
    people = small_company()
    gaps = json.dumps({"kind": "bands", "bands": [{"max": "50000", "points": "0"}, {"min": "60000", "points": "30"}]})
    cases = [
        (gaps, people.hr.employee_no, "区间"),
        ('{"kind": "deduction", "step": "0", "points": "2"}', people.hr.employee_no, "扣分"),
        ("{kind: deduction", people.hr.employee_no, "计分方式应为 JSON"),
        ('{"kind": "pass_fail"}', people.star.employee_no, "只有人事可以修改考核模板"),
    ]
    for method, by, message in cases:
        result = runner.invoke(args=["kpi", "method", "ops", "ops_sales", method, "--by", by])
        assert result.exit_code == 2 and message in result.stderr, (method, result.stderr)
    unknown = runner.invoke(args=["kpi", "method", "ops", "cs_reply_time", '{"kind": "pass_fail"}',
                                  "--by", people.hr.employee_no])
    assert unknown.exit_code == 2 and "模板中没有指标" in unknown.stderr
    assert not _changed_methods(db_session)
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.action == "template.method")) is None


def test_hr_does_not_set_the_rules_of_their_own_position(db_session, runner):
    people = small_company()
    hr_position = db_session.scalar(select(Position.id).where(Position.code == "hr_admin"))
    people.hr.position_id = hr_position
    db_session.commit()
    result = runner.invoke(args=["kpi", "method", "hr_admin", "hr_payroll_accuracy", '{"kind": "pass_fail"}',
                                 "--by", people.hr.employee_no])
    assert result.exit_code == 2 and "不能处理与自己有关的事项" in result.stderr
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.action == "template.method")) is None


def _changed_methods(session) -> list:
    """Items whose method differs from the built-in template's (采购 ships with bands and a deduction)."""
    catalog = load_builtin()
    builtin = {(p, i.indicator_code): method_json(i.method) for p in catalog.positions
               for i in catalog.template(p).items}
    return [(code, item, method) for code, item, method in session.execute(
        select(Position.code, Indicator.code, TemplateItem.method).select_from(TemplateItem)
        .join(KpiTemplate).join(Position).join(Indicator)) if builtin[(code, item)] != method]
