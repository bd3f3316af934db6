"""Scoring runs: compute a cycle's scores through the domain, then finish and publish them.

`score_cycle` runs the stages in one process; the workers split `score_chunk` over many jobs
later — there is no second way of writing scores. Scores are written against their run and stay
invisible until a publication points the cycle at the run, in the same transaction that writes
the reports: HR's 发布 of a month in review (`publish_reviewed`), or at once for a re-scored
published month (`finish_run`).
"""

from datetime import datetime

from sqlalchemy import Table, delete, func, select

from app.domain.cycles import CycleStatus, IllegalTransition, advance
from app.domain.evaluation import evaluate
from app.domain.rendering import render_assessment
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    ItemScore,
    Report,
    Score,
    ScoringRun,
)
from app.models.base import Base
from app.services import audit
from app.services.business_time import clock_now
from app.services.scoring import report_window
from app.services.scoring.inputs import Context
from app.services.usecase import JsonDict, use_case


@use_case
def score_cycle(cycle_id: int, *, reason: str, actor_id: int | None = None, now: datetime | None = None) -> int:
    """Score every assessment of a cycle in one process and finish the run (a first run leaves the
    month in review); returns the run's id."""
    run_id = start_run(cycle_id, reason=reason, now=now)
    score_chunk(run_id, assessment_ids(cycle_id))
    finish_run(run_id, actor_id=actor_id, now=now)
    return run_id


def assessment_ids(cycle_id: int) -> list[int]:
    return list(db.session.scalars(
        select(Assessment.id).where(Assessment.cycle_id == cycle_id).order_by(Assessment.id)))


@use_case
def start_run(cycle_id: int, *, reason: str, chunks_total: int = 1, now: datetime | None = None) -> int:
    """Open a run; an open cycle moves to scoring, a published or final one may be re-scored
    (after restated figures): its status stays, its reports get new versions where they change."""
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None, "runs are started for a cycle the caller has just read"
    if cycle.status == CycleStatus.OPEN:
        cycle.status = advance(cycle.status, CycleStatus.SCORING)
        cycle.scoring_at = now or clock_now()
    elif cycle.status not in (CycleStatus.SCORING, CycleStatus.REVIEW, CycleStatus.PUBLISHED, CycleStatus.FINAL):
        raise IllegalTransition(CycleStatus(cycle.status), CycleStatus.SCORING)
    run = ScoringRun(cycle_id=cycle_id, reason=reason, chunks_total=chunks_total, started_at=now or clock_now())
    db.session.add(run)
    db.session.commit()
    return run.id


def check_scorable(cycle_id: int, employee_ids: set[int]) -> None:
    """Evaluate these people's assessments of the cycle with the session's (unsaved) figures and
    write nothing: raises the domain's error (a currency without a rate, a bad figure) first."""
    if not employee_ids:
        return
    ids = db.session.scalars(select(Assessment.id).where(
        Assessment.cycle_id == cycle_id, Assessment.employee_id.in_(list(employee_ids)))).all()
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None, "the cycle has these people's assessments, so it exists (foreign key)"
    context = Context.load(cycle, list(ids))
    for assessment in context.assessments:
        evaluate(context.input_for(assessment))


@use_case
def score_chunk(run_id: int, ids: list[int]) -> int:
    """Compute and store the scores of some assessments for a run; safe to run twice."""
    count = _score_rows(run_id, ids)
    db.session.commit()
    return count


def rescore_in_review(run_id: int, ids: list[int]) -> int:
    """Replace some assessments' scores in the run HR is reviewing (a rating sent back and given
    again): the month is not published yet, so nothing else changes. In the caller's transaction."""
    return _score_rows(run_id, ids)


def _score_rows(run_id: int, ids: list[int]) -> int:
    """Compute the scores of some assessments for a run and write them in the caller's transaction."""
    run = db.session.get(ScoringRun, run_id)
    assert run is not None, "chunks are scored for a run that was started (and committed) first"
    cycle = db.session.get(Cycle, run.cycle_id)
    assert cycle is not None, "run.cycle_id is a foreign key to cycle"
    context = Context.load(cycle, ids)
    scores: list[JsonDict] = []
    item_scores: list[JsonDict] = []
    for assessment in context.assessments:
        body = render_assessment(evaluate(context.input_for(assessment)))
        scores.append({"run_id": run_id, "assessment_id": assessment.id, "total": body["total"],
                       "grade": body["grade_code"], "summary": body["summary"], "body": body})
        items = {item.indicator_code: item.id for item in assessment.items}
        for row in body["items"]:
            item_scores.append({
                "run_id": run_id, "assessment_item_id": items[row["indicator"]], "actual": row["actual"],
                "achievement": row["achievement"], "score": row["score"], "met": row["met"],
            })
    _replace_rows(run_id, ids, scores, item_scores)
    return len(scores)


def _replace_rows(run_id: int, ids: list[int], scores: list[JsonDict], item_scores: list[JsonDict]) -> None:
    """Replace what a previous attempt of this chunk wrote. Rows are found with a plain read and
    deleted by primary key: a range DELETE would take gap locks that deadlock concurrent chunks."""
    old_scores = db.session.scalars(
        select(Score.id).where(Score.run_id == run_id, Score.assessment_id.in_(ids))).all()
    if old_scores:
        item_ids = select(AssessmentItem.id).where(AssessmentItem.assessment_id.in_(ids))
        old_items = db.session.scalars(select(ItemScore.id).where(
            ItemScore.run_id == run_id, ItemScore.assessment_item_id.in_(item_ids))).all()
        db.session.execute(delete(ItemScore).where(ItemScore.id.in_(old_items)))
        db.session.execute(delete(Score).where(Score.id.in_(old_scores)))
    if scores:
        db.session.execute(_table(Score).insert(), scores)
        db.session.execute(_table(ItemScore).insert(), item_scores)


@use_case
def finish_run(run_id: int, *, actor_id: int | None = None, now: datetime | None = None) -> int:
    """A complete run: a month's first run sends it to review (待发布), where it waits for HR's 发布;
    a run of a month in review becomes the one HR reviews; a run of a published month (restated
    figures) publishes the reports it changed at once. The run's row is locked, so two finishers
    cannot both write report versions. Returns how many reports it published."""
    run = db.session.get(ScoringRun, run_id, with_for_update=True)
    assert run is not None, "runs are finished by whoever started them"
    if run.status == "done":
        db.session.rollback()
        return 0
    cycle = db.session.get(Cycle, run.cycle_id)
    assert cycle is not None, "run.cycle_id is a foreign key to cycle"
    scored = _require_complete(run, cycle)
    now = now or clock_now()
    run.status, run.finished_at, run.chunks_done = "done", now, run.chunks_total
    published = 0
    if cycle.status == CycleStatus.SCORING:
        cycle.status = advance(cycle.status, CycleStatus.REVIEW)
        cycle.review_at = now
    elif cycle.status in (CycleStatus.PUBLISHED, CycleStatus.FINAL):
        published = _publish_reports(run_id, now)
        cycle.visible_run_id = run_id
    audit.record("cycle.scored", "cycle", cycle.id, actor_id=actor_id, source="scoring",
                 after={"run_id": run_id, "assessments": scored, "status": cycle.status,
                        "reports_published": published})
    db.session.commit()
    return published


def _require_complete(run: ScoringRun, cycle: Cycle) -> int:
    expected = db.session.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.cycle_id == cycle.id))
    scored = db.session.scalar(select(func.count()).select_from(Score).where(Score.run_id == run.id)) or 0
    if scored != expected:
        raise RuntimeError(f"run {run.id} scored {scored} of {expected} assessments; not finishing")
    return scored


def review_run(cycle_id: int) -> int | None:
    """The run HR reviews: the month's latest finished run (None before scoring finished)."""
    return db.session.scalar(select(ScoringRun.id).where(ScoringRun.cycle_id == cycle_id, ScoringRun.status == "done")
                             .order_by(ScoringRun.id.desc()).limit(1))


def publish_reviewed(cycle: Cycle, *, actor_id: int | None, now: datetime) -> int:
    """发布: the reviewed run's reports are written — their appeal windows start now — and the run
    becomes the one everyone's scores come from. In the caller's transaction; returns the reports."""
    cycle.status = advance(cycle.status, CycleStatus.PUBLISHED)
    run_id = review_run(cycle.id)
    assert run_id is not None, "a month in review has a finished run"
    cycle.published_at, cycle.visible_run_id = now, run_id
    published = _publish_reports(run_id, now)
    audit.record("cycle.publish", "cycle", cycle.id, actor_id=actor_id, source="web" if actor_id else "clock",
                 after={"run_id": run_id, "reports_published": published})
    return published


@use_case
def rescore(assessment_ids: list[int], *, reason: str, actor_id: int | None = None, now: datetime | None = None,
            commit: bool = True) -> dict[int, int]:
    """Re-score some assessments of a published cycle and publish a new report version for each
    whose result changed (an accepted appeal). The partial run is written and published by the same
    code as a month's close, but `cycle.visible_run_id` stays: the month's run remains the one
    everyone's scores come from, and the reports carry the new versions. The assessments' rows are
    locked, so two re-scores of one assessment queue rather than both claim the next version.
    Returns assessment id → the new report's id. With `commit=False` it joins the caller's transaction."""
    ids = sorted(set(assessment_ids))
    cycle_ids = set(db.session.scalars(select(Assessment.cycle_id).where(Assessment.id.in_(ids)).with_for_update()))
    if len(cycle_ids) != 1:
        raise ValueError(f"re-score one cycle's assessments at a time, got cycles {sorted(cycle_ids)}")
    cycle = db.session.get(Cycle, cycle_ids.pop())
    assert cycle is not None, "assessment.cycle_id is a foreign key to cycle"
    if cycle.status not in (CycleStatus.PUBLISHED, CycleStatus.FINAL):
        raise IllegalTransition(CycleStatus(cycle.status), CycleStatus.PUBLISHED)
    now = now or clock_now()
    run = ScoringRun(cycle_id=cycle.id, reason=reason[:200], started_at=now, chunks_total=1)
    db.session.add(run)
    db.session.flush()
    _score_rows(run.id, ids)
    published = _publish_reports(run.id, now)
    run.status, run.finished_at, run.chunks_done = "done", now, 1
    audit.record("cycle.rescore", "cycle", cycle.id, actor_id=actor_id, source="scoring",
                 after={"run_id": run.id, "assessments": ids, "reports_published": published, "reason": reason})
    reports = dict(db.session.execute(select(Report.assessment_id, Report.id).where(Report.run_id == run.id)).all())
    if commit:
        db.session.commit()
    return reports


def _publish_reports(run_id: int, now: datetime) -> int:
    """A new report version for each assessment whose result differs from its latest report."""
    latest = dict(db.session.execute(
        select(Report.assessment_id, func.max(Report.version)).join(Score, Score.assessment_id == Report.assessment_id)
        .where(Score.run_id == run_id).group_by(Report.assessment_id)
    ).all())
    bodies: dict[int, JsonDict] = {}
    if latest:
        rows = db.session.execute(select(Report.assessment_id, Report.version, Report.body).where(
            Report.assessment_id.in_(list(latest))))
        bodies = {a: body for a, version, body in rows if version == latest[a]}
    reports: list[JsonDict] = []
    for score in db.session.scalars(select(Score).where(Score.run_id == run_id)):
        if bodies.get(score.assessment_id) == score.body:
            continue
        reports.append({"assessment_id": score.assessment_id, "version": latest.get(score.assessment_id, 0) + 1,
                        "run_id": run_id, "total": score.total, "grade": score.grade, "summary": score.summary,
                        "body": score.body, "published_at": now})
    windows = report_window.closes_at([r["assessment_id"] for r in reports], now)
    for report in reports:
        report["window_closes_at"] = windows[report["assessment_id"]]
    if reports:
        db.session.execute(_table(Report).insert(), reports)
    return len(reports)


def _table(model: type[Base]) -> Table:
    """The model's Core table, for plain multi-row INSERTs (declarative types `__table__` as a FromClause)."""
    table = model.__table__
    assert isinstance(table, Table), "declarative models map a Table"
    return table
