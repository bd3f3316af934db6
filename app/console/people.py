"""人员: the directory, a person's page and its changes (调岗, 请假, 离职, bind code, peer raters,
targets), joiners and new departments."""

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from app.console import bp, page, posted
from app.domain.errors import DomainError
from app.errors import ApiError
from app.services.cycle import targets
from app.services.feedback import peers
from app.services.org import binding, directory, structure
from app.services.org import people as people_changes
from app.services.org.people import LEAVE_KINDS


@bp.route("/people")
@page("hr")
def people() -> Any:
    department = request.args.get("department") or None
    search = request.args.get("q", "")
    with_leavers = request.args.get("leavers") == "1"
    rows = directory.people(g.console_actor, department=department, search=search, with_leavers=with_leavers)
    return render_template("console/people.html", rows=rows, departments=directory.departments(g.console_actor),
                           department=department, search=search, with_leavers=with_leavers)


@bp.route("/people/<int:employee_id>")
@page("hr")
def person(employee_id: int, issued: dict[str, Any] | None = None) -> Any:
    """A person: their facts, their assessments of months not yet scored with each item's target
    (pro-rated for a partial month) and a form to amend it, their leave, the forms for 调岗, 请假,
    离职 and a WeChat bind code, and what was recorded about them."""
    found = directory.person(g.console_actor, employee_id)
    sheets = [{**a, **targets.targets_view(a["id"], g.console_actor), **_peers(a["id"])} for a in found["assessments"]]
    return render_template("console/person.html", **found, sheets=sheets, issued=issued,
                           departments=directory.departments(g.console_actor),
                           positions=directory.positions(g.console_actor), leave_kinds=LEAVE_KINDS)


def _peers(assessment_id: int) -> dict[str, Any]:
    """The sheet's peer raters and whom HR may choose instead (none when it has no peer item)."""
    raters = peers.peer_raters(assessment_id, g.console_actor)
    try:
        candidates = peers.peer_candidates(assessment_id, g.console_actor)
    except DomainError:
        candidates = []
    return {"peer_raters": raters, "peer_candidates": candidates}


@bp.route("/assessments/<int:assessment_id>/peers", methods=["POST"])
@page("hr")
def choose_peers(assessment_id: int) -> Any:
    """同事评分人: HR's own choice (at least two), or back to the default pick."""
    chosen = None if request.form.get("action") == "default" else request.form.getlist("rater_id", type=int)
    employee_id = request.form.get("employee_id", type=int)
    try:
        raters = peers.choose_peers(assessment_id, g.console_actor, chosen)
    except DomainError as refusal:
        flash("未保存：" + refusal.message, "error")
    else:
        flash(f"同事评分人已更新（{len(raters)}人）", "ok")
    return redirect(url_for("console.person", employee_id=employee_id) if employee_id else url_for("console.people"))


def _people_change(employee_id: int, change: Callable[[], str]) -> Any:
    """Run one of the person page's changes: its message, or the service's refusal, then back."""
    try:
        flash(change(), "ok")
    except DomainError as refusal:
        flash("未保存：" + refusal.message, "error")
    return redirect(url_for("console.person", employee_id=employee_id))


@bp.route("/people/<int:employee_id>/transfer", methods=["POST"])
@page("hr")
def person_transfer(employee_id: int) -> Any:
    form = request.form

    def change() -> str:
        moved = people_changes.transfer(employee_id, posted.day("effective_day", "调岗生效日"), g.console_actor,
                                        position=form.get("position") or None,
                                        department=form.get("department") or None,
                                        manager_no=form.get("manager_no", "").strip() or None)
        return f"已调岗：{moved.name}，{form.get('effective_day')}起生效"
    return _people_change(employee_id, change)


@bp.route("/people/<int:employee_id>/leave-days", methods=["POST"])
@page("hr")
def person_leave_days(employee_id: int) -> Any:
    def change() -> str:
        record = people_changes.record_leave(employee_id, posted.day("first_day", "请假开始日期"),
                                             posted.day("last_day", "请假结束日期"), request.form.get("kind", ""),
                                             request.form.get("note", ""), g.console_actor)
        return f"已登记请假：{record.first_day.isoformat()}至{record.last_day.isoformat()}，考核目标按在岗天数折算"
    return _people_change(employee_id, change)


@bp.route("/people/<int:employee_id>/depart", methods=["POST"])
@page("hr")
def person_depart(employee_id: int) -> Any:
    def change() -> str:
        gone = people_changes.leave_company(employee_id, posted.day("last_day", "最后工作日"), g.console_actor)
        return f"已办理离职：{gone.name}，最后工作日{gone.left_on.isoformat() if gone.left_on else ''}"
    return _people_change(employee_id, change)


@bp.route("/people/<int:employee_id>/bind-code", methods=["POST"])
@page("hr")
def person_bind_code(employee_id: int) -> Any:
    """A one-time code the person types in the mini-program or sends the bot to bind their WeChat;
    shown once, in this response only."""
    employee_no = directory.person(g.console_actor, employee_id)["person"].employee_no
    try:
        code, expires_at = binding.issue_code(employee_no, g.console_actor)
    except DomainError as refusal:
        flash("未发放：" + refusal.message, "error")
        return redirect(url_for("console.person", employee_id=employee_id))
    return person(employee_id, issued={"code": code, "expires_at": expires_at})


@bp.route("/people/join", methods=["GET", "POST"])
@page("hr")
def join() -> Any:
    """入职: the joiner is assessed from their first day in an open month (targets pro-rated)."""
    form, error = request.form, None
    if request.method == "POST":
        try:
            joined_on = date.fromisoformat(form.get("joined_on", ""))
        except ValueError:
            error = "请填写入职日期（年-月-日）"
        else:
            try:
                joiner = people_changes.join_company(
                    form.get("employee_no", ""), form.get("name", ""), form.get("department", ""), joined_on,
                    g.console_actor, position=form.get("position") or None,
                    manager_no=form.get("manager_no") or None)
            except ApiError as refusal:
                error = refusal.message
            else:
                flash(f"已办理入职：{joiner.name}", "ok")
                return redirect(url_for("console.person", employee_id=joiner.id))
    return render_template("console/join.html", form=form, error=error,
                           departments=directory.departments(g.console_actor),
                           positions=directory.positions(g.console_actor)), 422 if error else 200


@bp.route("/items/<int:item_id>/target", methods=["POST"])
@page("hr")
def amend_target(item_id: int) -> Any:
    employee_id = request.form.get("employee_id", type=int)
    try:
        targets.amend_target(item_id, request.form.get("target", ""), request.form.get("reason", ""),
                             g.console_actor)
    except ApiError as refusal:
        flash(refusal.message, "error")
    else:
        flash("目标已调整，员工会收到通知并确认", "ok")
    if employee_id is None:
        return redirect(url_for("console.people"))
    return redirect(url_for("console.person", employee_id=employee_id))


@bp.route("/departments/new", methods=["POST"])
@page("hr")
def add_department() -> Any:
    def add() -> str:
        row = structure.add_department({**posted.fields("code", "name"),
                                        "rest_weekdays": request.form.getlist("rest_weekdays", type=int)},
                                       hr_id=g.console_actor.employee_id)
        flash(f"已新建部门：{row.name}", "ok")
        return url_for("console.people", department=row.code)
    return posted.added(add, url_for("console.people"))
