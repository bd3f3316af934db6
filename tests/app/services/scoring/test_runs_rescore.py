"""Re-scoring some assessments of a published month: new report versions only where the result
changed, through the same scoring code, without moving the month's visible run."""

import pytest
from sqlalchemy import func, select

from app.domain.cycles import IllegalTransition
from app.models import AuditLog, Cycle, Report, Score, ScoringRun
from app.services.cycle import review
from app.services.scoring import report_window, runs
from tests.support.people import assessment_of


def test_rescoring_unchanged_data_publishes_nothing_and_keeps_the_visible_run(db_session, cast):
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    visible, reports = october.visible_run_id, db_session.scalar(select(func.count()).select_from(Report))
    assessment_id = assessment_of(cast.member("ops", 0), 10).id
    assert runs.rescore([assessment_id], reason="复核", actor_id=cast.hr) == {}
    run = db_session.scalar(select(ScoringRun).order_by(ScoringRun.id.desc()).limit(1))
    assert run.status == "done" and run.reason == "复核" and run.id != visible
    assert db_session.scalars(select(Score.assessment_id).where(Score.run_id == run.id)).all() == [assessment_id]
    assert db_session.get(Cycle, october.id).visible_run_id == visible
    assert db_session.scalar(select(func.count()).select_from(Report)) == reports
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "cycle.rescore"))
    assert audit.after["assessments"] == [assessment_id]


def test_only_a_published_month_of_one_cycle_is_rescored(db_session, cast):
    member = cast.member("ops", 0)
    with pytest.raises(IllegalTransition):
        runs.rescore([assessment_of(member, 11).id], reason="x")
    with pytest.raises(ValueError):
        runs.rescore([assessment_of(member, 10).id, assessment_of(member, 9).id], reason="x")


def test_a_months_close_stores_each_reports_window(db_session, cast):
    november = db_session.scalar(select(Cycle.id).where(Cycle.month == 11))
    runs.score_cycle(november, reason="11月评分")
    review.publish(november, hr_id=cast.hr)
    report = db_session.scalar(select(Report).where(
        Report.assessment_id == assessment_of(cast.member("warehouse", 0), 11).id))
    expected = report_window.closes_at([report.assessment_id], report.published_at)[report.assessment_id]
    assert report.window_closes_at == expected and report.window_closes_at > report.published_at
