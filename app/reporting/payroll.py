"""The payroll hand-off (薪资交接): a CSV keyed by 工号 with each person's 绩效系数 and outcomes, as
the month stood at the cutoff HR picks (by default the company's 薪资数据截止日 of the next month).

A person whose report may still be confirmed or appealed at the cutoff, or whose appeal is still
being decided, is marked 暂定 (provisional). Every export is kept with the coefficients it gave;
when a report version published later changes someone's 绩效系数, HR is told what changed, once
per change (the clock's `tell_changes`), and the month's page lists it.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.domain.exact import plain
from app.domain.workcalendar import next_month
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, Cycle, PayrollExport, Report
from app.reporting import month_book
from app.reporting.monthly import REPORTED
from app.services import audit, settings
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import to_local, to_utc
from app.services.lookup import hr_members
from app.services.notify import outbox
from app.services.usecase import get_or_404, use_case

COLUMNS = ("工号", "姓名", "部门", "考核月份", "总分", "等级", "绩效系数", "结果运用", "状态", "备注")
PROVISIONAL_NOTE = "申诉期未结束或申诉处理中，结果可能调整"


def default_cutoff(cycle: Cycle) -> date:
    """The 薪资数据截止日 of the month after the cycle's."""
    year, month = next_month(cycle.year, cycle.month)
    return date(year, month, settings.current().payroll_cutoff_day)


@use_case
def export(cycle_id: int, cutoff: date, who: Actor, *, now: datetime) -> tuple[str, bytes]:
    """(file name, CSV bytes) of the month as it stood at the end of `cutoff` (or now, if that is
    earlier); kept, with each coefficient, so later changes can be told, and audited."""
    require(who, Action.EXPORT_REPORTS, Subject())
    cycle = get_or_404(Cycle, cycle_id, "考核月份")
    if cycle.status not in REPORTED:
        raise ApiError("not_published", "该月考核结果尚未发布，发布后才能导出薪资数据", 409)
    as_of = min(now, to_utc(datetime.combine(cutoff + timedelta(days=1), time())))
    book = month_book.read(cycle_id, now=as_of, published_by=as_of)
    if not book.people:
        raise ApiError("nothing_by_cutoff", f"截至{cutoff:%Y年%m月%d日}该月还没有发布的考核结果，"
                       "请选择更晚的截止日", 422, {"cutoff": "早于考核结果发布"})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for person in sorted(book.people, key=lambda p: p.employee_no):
        writer.writerow([person.employee_no, person.name, person.department, book.label, plain(person.total),
                         person.grade, plain(person.coefficient), "；".join(person.outcomes),
                         "暂定" if person.window_open else "正式", PROVISIONAL_NOTE if person.window_open else ""])
    provisional = sum(1 for p in book.people if p.window_open)
    row = PayrollExport(cycle_id=cycle_id, cutoff=cutoff, exported_by=who.employee_id, exported_at=now,
                        provisional=provisional, told={}, checked_report_id=book.basis_report_id,
                        coefficients={p.employee_no: plain(p.coefficient) for p in book.people})
    db.session.add(row)
    db.session.flush()
    audit.record("payroll.export", "payroll_export", row.id, actor_id=who.employee_id,
                 after={"cycle_id": cycle_id, "cutoff": cutoff.isoformat(), "people": len(book.people),
                        "provisional": provisional})
    db.session.commit()
    name = f"{cycle.year}年{cycle.month}月绩效系数-截至{cutoff:%Y%m%d}.csv"
    return name, ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM tells Excel it is UTF-8


@dataclass(frozen=True)
class Change:
    employee_no: str
    name: str
    exported: str  # the coefficient the export gave ("" when the person was not in it)
    now: str
    grade: str


def changes(book: month_book.MonthBook, who: Actor) -> tuple[PayrollExport | None, list[Change]]:
    """The month's latest export and whose 绩效系数 in `book` (the month as read now) differs from it."""
    require(who, Action.EXPORT_REPORTS, Subject())
    latest = _latest_export(book.cycle_id)
    return latest, ([] if latest is None else _changes(latest, book))


def _latest_export(cycle_id: int) -> PayrollExport | None:
    return db.session.scalar(select(PayrollExport).where(PayrollExport.cycle_id == cycle_id)
                             .order_by(PayrollExport.id.desc()).limit(1))


def _changes(export_row: PayrollExport, book: month_book.MonthBook) -> list[Change]:
    return [Change(p.employee_no, p.name, export_row.coefficients.get(p.employee_no, ""), plain(p.coefficient),
                   p.grade)
            for p in book.people if export_row.coefficients.get(p.employee_no) != plain(p.coefficient)]


@use_case
def tell_changes(now: datetime) -> int:
    """The clock's part: for each month's latest export, once a report newer than the export read is
    out, tell every HR member of each changed 绩效系数 not told yet. Returns how many were told."""
    told = 0
    latest = select(func.max(PayrollExport.id)).group_by(PayrollExport.cycle_id)
    for export_row in db.session.scalars(select(PayrollExport).where(PayrollExport.id.in_(latest))).all():
        newest = db.session.scalar(select(func.max(Report.id)).join(Assessment)
                                   .where(Assessment.cycle_id == export_row.cycle_id)) or 0
        if newest <= export_row.checked_report_id:
            continue
        export_row.checked_report_id = newest
        book = month_book.read(export_row.cycle_id, now=now)
        fresh = [c for c in _changes(export_row, book) if export_row.told.get(c.employee_no) != c.now]
        if not fresh:
            continue
        cycle = db.session.get(Cycle, export_row.cycle_id)
        assert cycle is not None, "payroll_export.cycle_id is a foreign key to cycle"
        _tell(cycle, export_row, fresh, now)
        export_row.told = {**export_row.told, **{c.employee_no: c.now for c in fresh}}
        audit.record("payroll.change_told", "payroll_export", export_row.id, source="clock",
                     after={c.employee_no: {"exported": c.exported, "now": c.now} for c in fresh})
        told += len(fresh)
    db.session.commit()
    return told


def _tell(cycle: Cycle, export_row: PayrollExport, fresh: list[Change], now: datetime) -> None:
    month = f"{cycle.year}年{cycle.month}月"
    lines = [f"{c.name}（{c.employee_no}）绩效系数 {c.exported or '无'} → {c.now}（{c.grade}）" for c in fresh]
    exported = to_local(export_row.exported_at)
    body = (f"【薪资数据有变化】{month}的绩效系数在{exported:%m月%d日}导出给薪资后，有{len(fresh)}人发生变化：\n"
            + "\n".join(lines) + "\n请在后台“月度报表”页重新导出并通知薪资核算。")
    digest = hashlib.sha256(",".join(f"{c.employee_no}={c.now}" for c in fresh).encode()).hexdigest()[:16]
    for hr_id in hr_members():
        outbox.enqueue(hr_id, "payroll_changed", title="薪资数据有变化", summary=f"{month}·{len(fresh)}人",
                       body=body, dedupe_key=f"payroll_changed:{export_row.id}:{digest}:{hr_id}", now=now)
