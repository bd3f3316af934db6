"""月度报表 (a month's workbook, its versions and build progress), the payroll hand-off (薪资数据)
and each person's report PDF — HR's downloads of a published month — with HR's 数据看板 and the
操作记录 (audit log) HR and admins read."""

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for

from app.console import bp, page
from app.console.posted import day
from app.domain.errors import DomainError
from app.errors import ApiError
from app.models import Cycle
from app.reporting import audit_view, dashboard, month_book, monthly, payroll, pdf
from app.services.business_time import clock_now, to_local
from app.services.usecase import get_or_404


@bp.app_template_filter("local_time")
def local_time(moment: datetime) -> str:
    """A stored moment (naive UTC) as the company's wall clock reads it."""
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


@bp.route("/months/<int:cycle_id>/reports")
@page("hr")
def month_reports(cycle_id: int) -> Any:
    """The month's workbook versions and build, the payroll export with what changed since, and a
    PDF link per person."""
    cycle = get_or_404(Cycle, cycle_id, "考核月份")
    who = g.console_actor
    book = month_book.read(cycle_id, now=clock_now())  # read once: the PDF list and the changes since the export
    last_export, changes = payroll.changes(book, who)
    return render_template("console/reports.html", cycle=cycle, versions=monthly.versions(cycle_id, who),
                           progress=monthly.progress(cycle_id), last_export=last_export, changes=changes,
                           cutoff=payroll.default_cutoff(cycle), people=book.people,
                           published=cycle.status in monthly.REPORTED)


@bp.route("/months/<int:cycle_id>/reports/build", methods=["POST"])
@page("hr")
def build_month_report(cycle_id: int) -> Any:
    try:
        monthly.request_build(cycle_id, g.console_actor)
    except DomainError as refusal:
        flash("未生成：" + refusal.message, "error")
    else:
        flash("已开始生成月度报表，完成后可在下方下载", "ok")
    return redirect(url_for("console.month_reports", cycle_id=cycle_id))


@bp.route("/months/<int:cycle_id>/reports/progress")
@page("hr")
def month_report_progress(cycle_id: int) -> Any:
    get_or_404(Cycle, cycle_id, "考核月份")
    return jsonify(monthly.progress(cycle_id))


@bp.route("/monthly-reports/<int:monthly_report_id>")
@page("hr")
def download_month_report(monthly_report_id: int) -> Any:
    name, data = monthly.download(monthly_report_id, g.console_actor)
    return _attachment(data, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/months/<int:cycle_id>/payroll", methods=["POST"])
@page("hr")
def export_payroll(cycle_id: int) -> Any:
    try:
        cutoff = day("cutoff", "薪资数据截止日")
        name, data = payroll.export(cycle_id, cutoff, g.console_actor, now=clock_now())
    except DomainError as refusal:
        flash("未导出：" + refusal.message, "error")
        return redirect(url_for("console.month_reports", cycle_id=cycle_id))
    return _attachment(data, name, "text/csv; charset=utf-8")


@bp.route("/months/<int:cycle_id>/people/<int:employee_id>/report.pdf")
@page("hr")
def person_report_pdf(cycle_id: int, employee_id: int) -> Any:
    name, data = pdf.person_pdf(cycle_id, employee_id, g.console_actor, now=clock_now(),
                                chromium=current_app.config["CHROMIUM"])
    return _attachment(data, name, "application/pdf")


def _attachment(data: bytes, name: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = _disposition(name)
    return response


def _disposition(name: str) -> str:
    """An attachment with a Chinese file name (RFC 5987), and an ASCII fallback for old clients."""
    fallback = name.encode("ascii", "ignore").decode() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"



@bp.route("/dashboard")
@page("hr")
def dashboard_page() -> Any:
    """数据看板: the month in progress, the last published month, trends and the success measures."""
    board = dashboard.dashboard(g.console_actor, clock_now())
    charts = {
        "completion": [(d.department, d.completion) for d in board["progress"]],
        "grades": [(d.department, d.grades) for d in board["progress"]],
        "grade_keys": list(board["progress"][0].grades) if board["progress"] else [],
        "missing": [(department, len(names)) for department, names in board["missing"].items()],
    }
    return render_template("console/dashboard.html", board=board, charts=charts)


@bp.route("/audit")
@page("staff")
def audit_page() -> Any:
    """操作记录: the audit log, filtered by person, object and date."""
    args = request.args
    try:
        wanted = audit_view.AuditFilter(
            person=args.get("person", "").strip(), entity=args.get("entity", ""),
            entity_id=args.get("entity_id", type=int), first=_day_arg("first"), last=_day_arg("last"))
        page_no = max(args.get("page", 1, type=int), 1)
        rows, total = audit_view.entries(g.console_actor, wanted, page_no)
    except DomainError as refusal:
        flash(refusal.message, "error")
        wanted, page_no, rows, total = audit_view.AuditFilter(), 1, [], 0
    return render_template("console/audit.html", rows=rows, total=total, wanted=wanted, page_no=page_no,
                           pages=max(1, -(-total // audit_view.PAGE_SIZE)), kinds=audit_view.entity_kinds(),
                           query={k: v for k, v in args.items() if k != "page" and v})


def _day_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError("invalid_date", f"日期格式应为 年-月-日：{raw}", 422, {name: "不是有效日期"}) from None
