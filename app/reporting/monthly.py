"""The month's workbook (月度报表): asked for by HR, built by a worker with its progress on the
page, and kept as numbered versions HR downloads from the console.

A build that gives the latest version's bytes keeps nothing new (the workbook is reproducible, see
app.reporting.workbook); one after an accepted appeal differs and becomes the next version, the
older ones staying downloadable. The clock asks for that build itself (`follow_new_reports`).
"""

import hashlib
import json
from datetime import datetime
from typing import Any

from rq.exceptions import DuplicateJobError
from rq.job import Job as RqJob
from rq.job import JobStatus
from sqlalchemy import func, select

from app import jobs
from app.domain.cycles import CycleStatus
from app.errors import ApiError
from app.extensions import db, redis_store
from app.models import Assessment, Cycle, MonthlyReport, Report
from app.reporting import month_book, workbook
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.blobs import blob_store
from app.services.business_time import clock_now
from app.services.usecase import JsonDict, get_or_404, use_case

PROGRESS = "jixiao:monthly-report:{}"  # the build's state, as the page polls it
PROGRESS_TTL_SECONDS = 86400
REPORTED = (CycleStatus.PUBLISHED, CycleStatus.FINAL)
DONE_WITH = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def request_build(cycle_id: int, who: Actor) -> JsonDict:
    """Queue the month's build (HR's 生成月度报表); a build already waiting or running is not
    queued twice. Returns the progress the page shows."""
    require(who, Action.EXPORT_REPORTS, Subject())
    cycle = get_or_404(Cycle, cycle_id, "考核月份")
    if cycle.status not in REPORTED:
        raise ApiError("not_published", "该月考核结果尚未发布，发布后才能生成月度报表", 409)
    _queue(cycle_id, who.employee_id)
    return progress(cycle_id)


def _queue(cycle_id: int, requested_by: int | None) -> bool:
    """Queue the build unless one is waiting or running; a finished or failed one RQ still holds
    under the month's job id is cleared first, so HR can build again at once. A lock keeps HR's
    click and the clock from clearing each other's job; "queued" is said before the job can start,
    so a quick worker's "building" and "done" come after it."""
    job_id = f"monthly-report-{cycle_id}"
    with redis_store.client.lock(f"jixiao:monthly-report-queue:{cycle_id}", timeout=30, blocking_timeout=10):
        held = RqJob.fetch_many([job_id], connection=redis_store.client)[0]
        if held is not None and held.get_status() in DONE_WITH:
            held.delete()
        before = progress(cycle_id)
        _set_progress(cycle_id, state="queued", done=0, total=0)
        try:
            jobs.enqueue(jobs.MONTHLY_REPORT, cycle_id, requested_by, job_id=job_id, unique=True)
        except DuplicateJobError:
            _set_progress(cycle_id, **before)
            return False
    return True


def progress(cycle_id: int) -> JsonDict:
    """{state: idle | queued | building | done | failed, done, total, version, changed}."""
    raw = redis_store.client.get(PROGRESS.format(cycle_id))
    return json.loads(raw) if raw else {"state": "idle", "done": 0, "total": 0}


def _set_progress(cycle_id: int, **state: Any) -> None:
    redis_store.client.set(PROGRESS.format(cycle_id), json.dumps(state), ex=PROGRESS_TTL_SECONDS)


@use_case
def build(cycle_id: int, requested_by: int | None) -> int:
    """The worker's build: read the month, write the workbook, keep it when it differs from the
    latest version. Returns the version the month's workbook now is."""
    _set_progress(cycle_id, state="building", done=0, total=0)
    try:
        book = month_book.read(cycle_id, now=clock_now())
        data = workbook.build(book, lambda done, total: _set_progress(cycle_id, state="building", done=done,
                                                                      total=total))
        version, changed = _keep(cycle_id, book, data, requested_by)
    except Exception:
        _set_progress(cycle_id, state="failed", done=0, total=0)
        raise
    _set_progress(cycle_id, state="done", done=len(book.people), total=len(book.people), version=version,
                  changed=changed)
    return version


def _keep(cycle_id: int, book: month_book.MonthBook, data: bytes, requested_by: int | None) -> tuple[int, bool]:
    digest = hashlib.sha256(data).hexdigest()
    latest = _latest(cycle_id)
    if latest is not None and latest.sha256 == digest:  # the same bytes read from these reports too
        latest.basis_report_id = max(latest.basis_report_id, book.basis_report_id)
        db.session.commit()
        return latest.version, False
    version = 1 if latest is None else latest.version + 1
    key = f"monthly-reports/{cycle_id}/v{version}-{digest[:16]}.xlsx"
    blob_store().put(key, data, workbook.XLSX_TYPE)
    row = MonthlyReport(cycle_id=cycle_id, version=version, blob_key=key, sha256=digest, size=len(data),
                        employees=len(book.people), basis_report_id=book.basis_report_id, requested_by=requested_by,
                        built_at=clock_now())
    db.session.add(row)
    db.session.flush()
    audit.record("monthly_report.build", "monthly_report", row.id, actor_id=requested_by,
                 source="web" if requested_by else "clock",
                 after={"cycle_id": cycle_id, "version": version, "sha256": digest, "employees": len(book.people)})
    db.session.commit()
    return version, True


def _latest(cycle_id: int) -> MonthlyReport | None:
    return db.session.scalar(select(MonthlyReport).where(MonthlyReport.cycle_id == cycle_id)
                             .order_by(MonthlyReport.version.desc()).limit(1))


def versions(cycle_id: int, who: Actor) -> list[MonthlyReport]:
    """Every kept version of the month's workbook, newest first."""
    require(who, Action.EXPORT_REPORTS, Subject())
    return list(db.session.scalars(select(MonthlyReport).where(MonthlyReport.cycle_id == cycle_id)
                                   .order_by(MonthlyReport.version.desc())))


@use_case
def download(monthly_report_id: int, who: Actor) -> tuple[str, bytes]:
    """(file name, bytes) of one kept version: 2026年10月月度绩效报表-v2.xlsx. Everyone's figures
    leave the system: audited."""
    require(who, Action.EXPORT_REPORTS, Subject())
    row = get_or_404(MonthlyReport, monthly_report_id, "月度报表")
    cycle = db.session.get(Cycle, row.cycle_id)
    assert cycle is not None, "monthly_report.cycle_id is a foreign key to cycle"
    data = blob_store().get(row.blob_key)
    audit.record("monthly_report.download", "monthly_report", row.id, actor_id=who.employee_id,
                 after={"cycle_id": row.cycle_id, "version": row.version})
    db.session.commit()
    return f"{cycle.year}年{cycle.month}月月度绩效报表-v{row.version}.xlsx", data


def follow_new_reports(now: datetime) -> list[int]:
    """The clock's part: a month whose kept workbook predates a report version published since (an
    accepted appeal, a restatement HR re-published) is built again. Returns the months queued."""
    kept = (select(MonthlyReport.cycle_id, func.max(MonthlyReport.basis_report_id).label("basis"))
            .group_by(MonthlyReport.cycle_id).subquery())
    stale = db.session.execute(
        select(kept.c.cycle_id).join(Assessment, Assessment.cycle_id == kept.c.cycle_id)
        .join(Report, Report.assessment_id == Assessment.id)
        .group_by(kept.c.cycle_id, kept.c.basis).having(func.max(Report.id) > kept.c.basis)).scalars().all()
    # a failed build is not tried again every minute: HR's 生成 retries it, or the next tick after a day
    return [cycle_id for cycle_id in stale if progress(cycle_id)["state"] not in ("queued", "building", "failed")
            and _queue(cycle_id, None)]
