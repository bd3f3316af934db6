"""HR's 加减分项 and 一票否决, recorded from the CLI: counted within the month's limit, a veto grading
the month 不合格 whatever the total (and reaching the outcomes), audited, told, withdrawable."""

import pytest
from sqlalchemy import func, select

from app.domain.errors import DomainError
from app.domain.evaluation import evaluate
from app.errors import ApiError
from app.models import AuditLog, OutboxMessage, Outcome, Report
from app.services.authz import actor
from app.services.cycle import lifecycle, outcomes
from app.services.feedback import sheet_lines
from app.services.scoring import inputs
from tests.support.company import assessment_of, on_target, open_month, publish, rate_all, small_company


def vetoed_star():
    """November open, the star on target and rated 5 (100 points, 优秀), and HR's veto on their sheet."""
    people = small_company()
    november = open_month(2026, 11)
    on_target(people.star, november)
    rate_all(people.star, november, 5)
    line = sheet_lines.record_veto(assessment_of(people.star, november).id, "重大客诉", "C-1", actor(people.hr.id))
    return people, november, line


def score_of(person, cycle):
    assessment = assessment_of(person, cycle)
    return evaluate(inputs.Context.load(cycle, [assessment.id]).input_for(assessment)).score


def test_adjustments_count_within_the_months_limit_and_are_audited_and_told(db_session, redis_client, runner):
    people = small_company()
    november = open_month(2026, 11)
    on_target(people.lead, november)
    rate_all(people.lead, november, 1)  # 70 + 30 × 1/5 = 76
    hr = people.hr.employee_no
    for points, reason in (("+4", "顶班两天"), ("4", "培训新人"), ("-2", "盘点缺席")):
        result = runner.invoke(args=["kpi", "adjust", people.lead.employee_no, "2026-11", points, reason, "--by", hr])
        assert result.exit_code == 0, result.output

    score = score_of(people.lead, november)
    assert (score.total, score.grade.label_zh) == (79, "良好")  # bonuses 8 counted as 5 (the default limit), −2
    assert (score.adjustments.bonus, score.adjustments.bonus_counted, score.adjustments.penalty) == (8, 5, -2)
    assert db_session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "sheet_line.adjustment")) == 3
    told = db_session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == "sheet_line")).all()
    assert len(told) == 3 and "考核加减分：-2分。理由：盘点缺席（加分上限5分，扣分上限5分）" in told[2]


def test_a_veto_grades_the_month_fail_in_the_report_and_the_outcomes_until_withdrawn(db_session, redis_client, runner):
    people = small_company()
    november = open_month(2026, 11)
    on_target(people.star, november)
    rate_all(people.star, november, 5)  # 100 points, 优秀
    result = runner.invoke(args=["kpi", "veto", people.star.employee_no, "2026-11", "重大客诉",
                                 "--evidence", "投诉单 C-2026-1127：错发货导致差评", "--by", people.hr.employee_no])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["kpi", "veto", people.star.employee_no, "2026-11", "再次客诉", "--evidence", "C-2",
                                "--by", people.hr.employee_no])
    assert again.exit_code == 2 and "已记录一票否决" in again.stderr

    score = score_of(people.star, november)
    assert (score.total, score.grade.label_zh, score.veto.name) == (100, "不合格", "重大客诉")
    publish(november)
    report = db_session.scalar(select(Report).where(Report.assessment_id == assessment_of(people.star, november).id))
    assert report.summary.startswith("运营岗总分100分，不合格（一票否决：重大客诉）")
    assert report.body["veto"]["evidence"] == "投诉单 C-2026-1127：错发货导致差评"
    assert report.body["veto"]["recorded_by"] == people.hr.name
    grades = outcomes.month_grades([november.id])
    assert grades[(november.id, people.star.id)][0] == "fail"


def test_a_withdrawn_veto_no_longer_counts(db_session, redis_client):
    people, november, line = vetoed_star()
    hr = actor(people.hr.id)
    sheet_lines.withdraw_line(line.id, "经核实为仓库责任", hr)
    assert score_of(people.star, november).grade.label_zh == "优秀"
    with pytest.raises(ApiError) as twice:
        sheet_lines.withdraw_line(line.id, "再撤一次", hr)
    assert twice.value.code == "already_withdrawn"
    assert sheet_lines.record_veto(assessment_of(people.star, november).id, "另一客诉", "C-2", hr).id != line.id


def test_bad_lines_and_closed_months_change_nothing(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    december = lifecycle.draft_cycle(2026, 12)
    hr, star = actor(people.hr.id), assessment_of(people.star, november).id
    with pytest.raises(DomainError) as zero:
        sheet_lines.add_adjustment(star, "0", "无", hr)
    assert "分值不能为0" in zero.value.message
    with pytest.raises(ApiError) as no_reason:
        sheet_lines.add_adjustment(star, "3", "  ", hr)
    assert no_reason.value.status == 422
    with pytest.raises(ApiError) as no_evidence:
        sheet_lines.record_veto(star, "重大客诉", "", hr)
    assert no_evidence.value.status == 422
    with pytest.raises(ApiError) as draft:
        sheet_lines.add_adjustment(assessment_of(people.star, december).id, "3", "提前加分", hr)
    assert draft.value.code == "cycle_not_open"
    with pytest.raises(ApiError) as manager:
        sheet_lines.add_adjustment(star, "3", "组长加分", actor(people.lead.id))
    assert manager.value.status == 403
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db_session.scalar(select(func.count()).select_from(Outcome)) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action.like("sheet_line.%"))) == 0


def test_a_veto_found_wrong_after_publication_is_withdrawn_and_the_report_republished(db_session, redis_client):
    people, november, line = vetoed_star()
    hr = actor(people.hr.id)
    publish(november)
    sheet_lines.withdraw_line(line.id, "经核实为仓库责任", hr)

    reports = db_session.scalars(select(Report).where(
        Report.assessment_id == assessment_of(people.star, november).id).order_by(Report.version)).all()
    assert [r.version for r in reports] == [1, 2]
    assert reports[-1].summary.startswith("运营岗总分100分，优秀") and "veto" not in reports[-1].body
