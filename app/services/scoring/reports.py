"""Reading a report (考核报告), confirming it (认可), and silence counting as 认可.

A report version is answered once: confirmed, appealed, or — when its window closes in silence —
auto-confirmed by the clock. Only the latest version of an assessment's report is answered; an
accepted appeal publishes a new version with its own window (app.services.scoring.report_window).
"""

from datetime import datetime

from sqlalchemy import Subquery, func, select, update

from app.domain.cycles import CycleStatus
from app.errors import ApiError
from app.extensions import db
from app.models import Appeal, Assessment, Cycle, Report
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.scoring import month_result, report_window
from app.services.usecase import (
    JsonDict,
    changed_rows,
    claim,
    fresh_transaction,
    get_or_404,
    now_or_clock,
    use_case,
)

ANSWERABLE = ("pending", "appealed")


def latest_of_cycle(cycle_id: int) -> Subquery:
    """A subquery of (assessment_id, version) naming the latest version of each of a month's reports."""
    return (select(Report.assessment_id, func.max(Report.version).label("version"))
            .join(Assessment).where(Assessment.cycle_id == cycle_id).group_by(Report.assessment_id).subquery())


def latest_version(assessment_id: int) -> int:
    return db.session.scalar(select(func.max(Report.version)).where(Report.assessment_id == assessment_id)) or 0


def view_report(report_id: int, who: Actor, *, now: datetime | None = None) -> JsonDict:
    """A report as its reader sees it: the rendered result, its answer and what can still be done, and
    the month's result it is part of (`month`: total and grade, each part's report under it)."""
    now = now_or_clock(now)
    report = get_or_404(Report, report_id, "考核报告")
    assessment = db.session.get(Assessment, report.assessment_id)
    assert assessment is not None, "report.assessment_id is a foreign key to assessment"
    require(who, Action.VIEW_REPORT, Subject(assessment.employee_id))
    latest = report.version == latest_version(report.assessment_id)
    open_window = latest and report.window_closes_at is not None and now < report.window_closes_at
    appeals = db.session.scalars(select(Appeal).where(Appeal.report_id == report.id).order_by(Appeal.id)).all()
    mine = who.employee_id == assessment.employee_id
    answerable = mine and latest and report.response in ANSWERABLE
    return {
        "report_id": report.id, "assessment_id": assessment.id, "version": report.version, "latest": latest,
        "total": report.body["total_display"], "grade": report.body["grade"], "summary": report.summary,
        "body": report.body, "published_at": report.published_at.isoformat(),
        # The month's result leads: a transfer's two reports combine into the one grade outcomes follow.
        "month": month_result.month_result(assessment.cycle_id, assessment.employee_id),
        "window_closes_at": report.window_closes_at.isoformat() if report.window_closes_at else None,
        "response": report.response, "responded_at": report.responded_at.isoformat() if report.responded_at else None,
        "can_confirm": answerable and not _appeal_open(assessment.id),
        "can_appeal": answerable and open_window,
        "appeals": [{"id": a.id, "assessment_item_id": a.assessment_item_id, "claimed_value": str(a.claimed_value),
                     "status": a.status, "decision_reason": a.decision_reason} for a in appeals],
    }


@use_case
def confirm_report(report_id: int, who: Actor, *, now: datetime | None = None) -> Report:
    """The employee confirms (认可) the latest version; not while an appeal on it is open."""
    now = now_or_clock(now)
    fresh_transaction()
    report = get_or_404(Report, report_id, "考核报告", lock=True)
    assessment = db.session.get(Assessment, report.assessment_id)
    assert assessment is not None, "report.assessment_id is a foreign key to assessment"
    require(who, Action.CONFIRM_REPORT, Subject(assessment.employee_id))
    before = {"response": report.response}
    # The answer is taken first (another answer at the same moment waits, then loses); what may
    # still forbid it — a newer version, an open appeal — is read after, as committed by then.
    claim(update(Report).where(Report.id == report.id, Report.response.in_(ANSWERABLE))
          .values(response="confirmed", responded_at=now), ApiError("already_answered", "该报告已确认", 409))
    if report.version != latest_version(report.assessment_id):
        raise ApiError("not_latest", "该报告已有新版本，请查看最新版本", 409)
    if _appeal_open(report.assessment_id):
        raise ApiError("appeal_open", "申诉处理中，处理完成后再确认", 409)
    audit.record("report.confirm", "report", report.id, actor_id=who.employee_id, before=before,
                 after={"response": "confirmed"})
    db.session.commit()
    return report


def _appeal_open(assessment_id: int) -> bool:
    """An appeal on any version of the assessment's report is still being decided."""
    return db.session.scalar(select(Appeal.id).join(Report).where(Report.assessment_id == assessment_id,
                                                                  Appeal.status == "open").limit(1)) is not None


@use_case
def auto_confirm_due(now: datetime) -> int:
    """Count silence as 认可: every latest version still pending whose window closed by `now`
    becomes auto-confirmed (at its window's end). One audit row per run, with the count. The clock
    calls it every tick; a second call finds nothing."""
    _fill_missing_windows()
    latest = (select(Report.assessment_id, func.max(Report.version).label("version"))
              .group_by(Report.assessment_id).subquery())
    due = db.session.scalars(
        select(Report.id)
        .join(latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
        .where(Report.response == "pending", Report.window_closes_at <= now)).all()
    if not due:
        db.session.commit()
        return 0
    done = changed_rows(update(Report).where(Report.id.in_(due), Report.response == "pending")
                        .values(response="auto_confirmed", responded_at=Report.window_closes_at))
    audit.record("report.auto_confirm", "report", None, source="clock",
                 after={"count": done, "as_of": now.isoformat()})
    db.session.commit()
    return done


def _fill_missing_windows() -> None:
    """Reports published before windows were stored get theirs worked out once, from publication."""
    rows = db.session.execute(select(Report.id, Report.assessment_id, Report.published_at)
                              .where(Report.response == "pending", Report.window_closes_at.is_(None))).all()
    for report_id, assessment_id, published_at in rows:
        closes = report_window.closes_at([assessment_id], published_at)[assessment_id]
        db.session.execute(update(Report).where(Report.id == report_id).values(window_closes_at=closes))


def months_of(employee_id: int, who: Actor) -> list[JsonDict]:
    """The person's published months, newest first: each month's result (total and grade, which
    pay, promotion and training follow) and every report version under it — the 报告 page's list
    and the grade history in one."""
    require(who, Action.VIEW_REPORT, Subject(employee_id))
    cycles = db.session.scalars(select(Cycle).join(Assessment, Assessment.cycle_id == Cycle.id)
                                .where(Assessment.employee_id == employee_id,
                                       Cycle.status.in_((CycleStatus.PUBLISHED, CycleStatus.FINAL)))
                                .distinct().order_by(Cycle.year.desc(), Cycle.month.desc())).all()
    versions = db.session.scalars(
        select(Report).join(Assessment).where(Assessment.employee_id == employee_id)
        .order_by(Report.version.desc())).all()
    months = []
    for cycle in cycles:
        result = month_result.month_result(cycle.id, employee_id)
        if result is None:
            continue
        parts = [{**part, "versions": [_version(v) for v in versions if v.assessment_id == part["assessment_id"]]}
                 for part in result["parts"]]
        months.append({"label": f"{cycle.year}年{cycle.month}月", "year": cycle.year, "month": cycle.month,
                       "status": CycleStatus(cycle.status).label_zh, "total": result["total"],
                       "grade": result["grade"], "grade_code": result["grade_code"], "parts": parts})
    return months


def _version(report: Report) -> JsonDict:
    return {"report_id": report.id, "version": report.version, "response": report.response,
            "published_at": report.published_at.isoformat(), "total": report.body["total_display"],
            "grade": report.body["grade"]}
