"""The scoring service: scores are written against a run and become visible in one step."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.cycles import IllegalTransition
from app.models import Assessment, AuditLog, Cycle, Observation, Report, Score
from app.services.scoring import progress, reading, runs
from tests.support.company import assessment_of, on_target, open_month, publish, rate_all, small_company
from tests.support.demo import seeded_demo
from tests.support.people import actor

TODAY = date(2026, 11, 27)


def reports_of(session, cycle_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Report).join(Assessment)
                          .where(Assessment.cycle_id == cycle_id))


def test_chunked_scores_stay_invisible_until_published(db_session):
    seeded_demo(today=TODAY, lived=False)
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    ids = runs.assessment_ids(november.id)
    run_id = runs.start_run(november.id, reason="test close", chunks_total=2)
    runs.score_chunk(run_id, ids[: len(ids) // 2])

    db_session.expire_all()
    assert db_session.get(Cycle, november.id).status == "scoring"
    assert db_session.get(Cycle, november.id).visible_run_id is None
    assert reports_of(db_session, november.id) == 0
    with pytest.raises(RuntimeError, match="not finishing"):
        runs.finish_run(run_id)

    runs.score_chunk(run_id, ids[len(ids) // 2:])
    runs.score_chunk(run_id, ids[len(ids) // 2:])  # a retried chunk writes the same rows once
    assert db_session.scalar(select(func.count()).select_from(Score).where(Score.run_id == run_id)) == len(ids)
    runs.finish_run(run_id)

    db_session.expire_all()
    cycle = db_session.get(Cycle, november.id)
    assert (cycle.status, cycle.visible_run_id) == ("review", None)  # HR sees it; nobody else yet
    assert reports_of(db_session, november.id) == 0
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "cycle.scored",
                                                     AuditLog.entity_id == cycle.id))
    assert audit.after["assessments"] == len(ids)
    runs.publish_reviewed(cycle, actor_id=None, now=datetime(2026, 12, 3, 2))
    db_session.commit()
    assert (cycle.status, cycle.visible_run_id) == ("published", run_id)
    assert reports_of(db_session, november.id) == len(ids)


def test_rescoring_publishes_a_new_version_only_where_the_result_changed(db_session):
    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    first_run = october.visible_run_id
    sales = db_session.scalar(select(Observation).where(Observation.indicator_code == "ops_sales",
                                                       Observation.day == date(2026, 10, 15)).order_by(Observation.id))
    sales.numerator += Decimal("5000")
    db_session.commit()

    run_id = runs.score_cycle(october.id, reason="restated sales")

    db_session.expire_all()
    assert db_session.get(Cycle, october.id).visible_run_id == run_id != first_run
    changed = db_session.execute(select(Report).where(Report.version == 2)).scalars().all()
    assert len(changed) == 1
    v1 = db_session.scalar(select(Report).where(Report.assessment_id == changed[0].assessment_id, Report.version == 1))
    assert changed[0].total > v1.total
    assert changed[0].body["items"][0]["actual"] != v1.body["items"][0]["actual"]


def test_a_draft_cycle_cannot_be_scored(db_session):
    cycle = Cycle(year=2026, month=12, status="draft")
    db_session.add(cycle)
    db_session.commit()
    with pytest.raises(IllegalTransition) as refused:
        runs.start_run(cycle.id, reason="too early")
    assert refused.value.code == "cycle_illegal_transition"
    assert "草稿" in refused.value.message


def test_ratings_read_as_ratings_in_the_live_bars_and_the_published_report(db_session):
    people = small_company()
    cycle = open_month(2026, 10)
    on_target(people.star, cycle)
    rate_all(people.star, cycle, 4)  # 团队协作 and 创新建议, 15 points each
    assessment = assessment_of(people.star, cycle)

    progress.recompute(assessment.id, date(2026, 10, 15))
    live = reading.view_progress(assessment.id, actor(people.star.id))["body"]
    bars = {row["indicator"]: row["progress"] for row in live["items"]}
    assert {(bars[c]["label"], bars[c]["state"]) for c in ("ops_teamwork", "ops_innovation")} == {("4/5分", "rated")}

    publish(cycle)
    report = db_session.scalar(select(Report).where(Report.assessment_id == assessment.id))
    rows = {row["indicator"]: row for row in report.body["items"]}
    assert {(rows[c]["status"], rows[c]["status_label"], rows[c]["score"])
            for c in ("ops_teamwork", "ops_innovation")} == {("rated", "4/5分", "12.00")}
    assert (report.body["total"], report.summary) == ("94.0", "运营岗总分94分，优秀；各项均达标")
