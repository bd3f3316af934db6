"""HR sets an item's scoring method from the CLI: checked with its template, audited, taken by the
month still in draft and every month drafted later, never by a month already open."""

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.builtin import load_builtin
from app.domain.codec import method_json
from app.domain.errors import TemplateInvalid
from app.domain.evaluation import evaluate
from app.errors import ApiError
from app.extensions import db
from app.models import AssessmentItem, AuditLog, Cycle, Indicator, KpiTemplate, Observation, Position, TemplateItem
from app.services.cycle import lifecycle
from app.services.org import template_edits
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


OPS = {"currency": "USD", "items": [
    {"indicator": "ops_sales", "weight": "35", "target": "120000"},
    {"indicator": "ops_new_conversion", "weight": "20", "target": "0.05"},
    {"indicator": "ops_ad_roi", "weight": "15", "target": "3.0", "cap": "1.5"},
    {"indicator": "ops_teamwork", "weight": "15", "rater": "manager"},
    {"indicator": "ops_innovation", "weight": "15", "rater": "manager"}]}


def terms(assessment) -> dict[str, tuple[str, str]]:
    return {i.indicator_code: (str(i.weight), str(i.target)) for i in assessment.items}


def test_a_template_whose_weights_total_95_is_refused_whole_and_nothing_changes(db_session):
    people = small_company()
    before, audits = sorted((i.indicator_id, str(i.weight)) for i in db_session.scalars(select(TemplateItem))), \
        db_session.query(AuditLog).count()
    short = {**OPS, "items": [{**OPS["items"][0], "weight": "30"}, *OPS["items"][1:]]}
    with pytest.raises(TemplateInvalid) as refused:
        template_edits.save_template("ops", short, hr_id=people.hr.id)
    assert refused.value.fields["weights"] == "各考核项权重合计必须等于100，当前合计为95"
    db_session.rollback()
    assert sorted((i.indicator_id, str(i.weight)) for i in db_session.scalars(select(TemplateItem))) == before
    assert db_session.query(AuditLog).count() == audits


def test_a_saved_template_is_followed_by_the_draft_keeping_a_persons_own_target_not_by_the_open_month(db_session):
    people = small_company()
    november = open_month(2026, 11)
    december = lifecycle.draft_cycle(2026, 12)
    star_sales = next(i for i in assessment_of(people.star, december).items if i.indicator_code == "ops_sales")
    star_sales.target = Decimal("90000")  # HR's target for the star alone, set while drafting
    db_session.commit()
    without_roi = {**OPS, "items": [{**OPS["items"][0], "weight": "50"}, *OPS["items"][1:2], *OPS["items"][3:]]}

    assert template_edits.save_template("ops", without_roi, hr_id=people.hr.id) == 3

    db_session.expire_all()
    assert terms(assessment_of(people.trainee, december)) == {
        "ops_sales": ("50", "120000"), "ops_new_conversion": ("20", "0.05"), "ops_teamwork": ("15", "5"),
        "ops_innovation": ("15", "5")}
    assert terms(assessment_of(people.star, december))["ops_sales"] == ("50", "90000")
    assert terms(assessment_of(people.star, november))["ops_ad_roi"] == ("20", "3")  # opened: untouched
    assert [i.indicator.code for i in db_session.scalar(select(KpiTemplate).join(Position).where(
        Position.code == "ops")).items] == ["ops_sales", "ops_new_conversion", "ops_teamwork", "ops_innovation"]
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "template.save"))
    assert audit.actor_id == people.hr.id and audit.after["draft_assessments"] == 3
    assert [i["indicator"] for i in audit.before["items"]][2] == "ops_ad_roi"
    assert len(audit.after["items"]) == 4


def test_nobody_edits_the_template_they_are_assessed_by(db_session):
    people = small_company()
    people.lead.is_hr = True
    db_session.commit()
    with pytest.raises(ApiError) as refused:
        template_edits.save_template("ops", OPS, hr_id=people.lead.id)
    assert refused.value.status == 403


def test_the_preview_scores_a_figure_by_the_rule_being_edited(db_session):
    small_company()
    deduction = {"indicator": "wh_stock_accuracy", "weight": "30", "target": "0.995",
                 "method": {"kind": "deduction", "step": "0.001", "points": "6"}}
    shown = template_edits.preview("warehouse", deduction, "0.992", "CNY")
    assert shown == {"points": "12.00", "weight": "30", "met": False, "figure": "99.2%",
                     "rule": "扣分制：每低于目标0.1%扣6分，不足0.1%按0.1%计，扣完为止"}
    assert template_edits.preview("warehouse", {**deduction, "method": None}, "0.995", "CNY")["points"] == "30.00"
    with pytest.raises(TemplateInvalid):
        template_edits.preview("warehouse", {**deduction, "weight": "三十"}, "0.992", "CNY")
