"""The console's pages. Thin: each reads or acts through a service and renders what it returns."""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, g, jsonify, redirect, render_template, request, session, url_for

from app import jobs
from app.console import bp, page, template_form
from app.domain.errors import DomainError
from app.errors import ApiError
from app.services.business_time import business_today, clock_now, to_local
from app.services.cycle import completeness, fx_rates, outcomes, overview, review, targets
from app.services.feedback import peers
from app.services.notify import job_failures, wechat_status
from app.services.notify.wechat_status import CHANNEL_NAMES
from app.services.observations import sync
from app.services.org import (
    binding,
    calendar_years,
    company_settings,
    directory,
    job_descriptions,
    logins,
    structure,
    template_edits,
)
from app.services.org import people as people_changes
from app.services.org.people import LEAVE_KINDS


@bp.app_template_filter("local")
def local_time(moment: Any) -> str:
    """A stored (naive UTC) time as Shanghai wall-clock text; empty for None."""
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@bp.app_template_filter("epoch")
def epoch_time(seconds: float | None) -> str:
    """A Unix time (as Redis keeps it) as Shanghai wall-clock text; empty for None."""
    if seconds is None:
        return ""
    return local_time(datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None))


FACT_NAMES = {"target": "目标", "reason": "原因", "employee_no": "工号", "name": "姓名", "joined_on": "入职日期",
              "left_on": "离职日期", "last_day": "最后工作日", "first_day": "开始", "kind": "类型", "note": "备注",
              "is_hr": "人事", "minutes": "锁定分钟", "status": "状态", "channel": "渠道", "expires_at": "有效期至",
              "effective_day": "生效日", "position": "岗位", "department": "部门", "manager": "主管"}


VALUE_NAMES = {**LEAVE_KINDS, "active": "在职", "left": "已离职", **CHANNEL_NAMES}


@bp.app_template_filter("facts")
def facts_text(values: Any) -> str:
    """An audit row's before/after in words HR reads (ids and internal keys left out); "—" if none."""
    if not values:
        return "—"
    shown = []
    for key, value in values.items():
        if key not in FACT_NAMES or value in (None, "", [], {}):
            continue
        if isinstance(value, bool):
            value = "是" if value else "否"
        shown.append(f"{FACT_NAMES[key]}：{VALUE_NAMES.get(value, value) if isinstance(value, str) else value}")
    return "；".join(shown) or "—"


@bp.route("/login", methods=["GET", "POST"])
@page("public")
def sign_in() -> Any:
    error, employee_no = None, request.form.get("employee_no", "")
    if request.method == "POST":
        try:
            signed = logins.sign_in(employee_no, request.form.get("password", ""))
        except ApiError as refusal:
            error = refusal.message
        else:
            session.clear()
            session.permanent = True
            session.update(employee_id=signed.employee_id, version=signed.session_version,
                           must_change=signed.must_change)
            return redirect(url_for("console.password") if signed.must_change else _next_page())
    return render_template("console/sign_in.html", error=error, employee_no=employee_no), 401 if error else 200


def _next_page() -> str:
    """Where the sign-in page was asked to return to: a console path only (never another site)."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/console/") and not parts.netloc and not parts.scheme:
        return target
    return url_for("console.home")


@bp.route("/logout", methods=["POST"])
@page("staff")
def sign_out() -> Any:
    logins.sign_out_everywhere(g.console_actor.employee_id)
    session.clear()
    return redirect(url_for("console.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@page("staff")
def password() -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        new, again = request.form.get("new", ""), request.form.get("again", "")
        if new != again:
            errors["again"] = "两次输入的新密码不一致"
        else:
            try:
                version = logins.change_password(g.console_actor.employee_id, request.form.get("current", ""), new)
            except ApiError as refusal:
                errors = {k: str(v) for k, v in refusal.fields.items()} or {"new": refusal.message}
            else:
                session.update(version=version, must_change=False)
                flash("密码已修改", "ok")
                return redirect(url_for("console.home"))
    return render_template("console/password.html", errors=errors, forced=g.must_change), 422 if errors else 200


@bp.route("/")
@page("staff")
def home() -> Any:
    return render_template("console/home.html", months=overview.months(g.console_actor, clock_now()))


@bp.route("/people")
@page("hr")
def people() -> Any:
    department = request.args.get("department") or None
    search = request.args.get("q", "")
    with_leavers = request.args.get("leavers") == "1"
    rows = directory.people(g.console_actor, department=department, search=search, with_leavers=with_leavers)
    return render_template("console/people.html", rows=rows, departments=directory.departments(g.console_actor),
                           department=department, search=search, with_leavers=with_leavers)


@bp.route("/admin/logins")
@page("admin")
def admin_logins() -> Any:
    return render_template("console/admin_logins.html", rows=directory.console_logins(g.console_actor), issued=None)


@bp.route("/admin/logins/reset", methods=["POST"])
@page("admin")
def admin_reset_password() -> Any:
    """The new password is shown once, in this response only (never stored readable, never logged)."""
    employee_no = request.form.get("employee_no", "")
    issued = {"employee_no": employee_no, "password": logins.reset_password(employee_no, g.console_actor)}
    return render_template("console/admin_logins.html", rows=directory.console_logins(g.console_actor), issued=issued)


@bp.route("/admin/logins/<int:employee_id>/unlock", methods=["POST"])
@page("admin")
def admin_unlock(employee_id: int) -> Any:
    logins.unlock(employee_id, g.console_actor)
    flash("已解锁", "ok")
    return redirect(url_for("console.admin_logins"))


@bp.route("/months/<int:cycle_id>")
@page("hr")
def month(cycle_id: int) -> Any:
    """One month as HR closes it: its 结算待办 while open, the grade spread and 发布 in review, and its
    outcome proposals once final."""
    line = overview.month(g.console_actor, cycle_id, clock_now())
    hr_id = g.console_actor.employee_id
    gaps = completeness.gaps_of(cycle_id, hr_id=hr_id) if line.status == "open" else None
    in_review = line.status == "review"
    spread = review.spread(cycle_id, hr_id=hr_id) if in_review else None
    ratings = review.manager_ratings(cycle_id, hr_id=hr_id) if in_review else None
    return render_template("console/month.html", month=line, gaps=gaps, spread=spread, ratings=ratings,
                           restatements=sync.restatement_rows(cycle_id, hr_id=hr_id),
                           outcomes=outcomes.listing(cycle_id, g.console_actor))


@bp.route("/months/<int:cycle_id>/acknowledge", methods=["POST"])
@page("hr")
def acknowledge_gaps(cycle_id: int) -> Any:
    completeness.acknowledge(cycle_id, hr_id=g.console_actor.employee_id)
    flash("已确认数据缺口：下一次时钟运行时按现有数据评分", "ok")
    return redirect(url_for("console.month", cycle_id=cycle_id))


@bp.route("/items/<int:item_id>/return", methods=["POST"])
@page("hr")
def return_rating(item_id: int) -> Any:
    """退回评分: the manager is asked to rate again; the month waits for it before 发布."""
    cycle_id = request.form.get("cycle_id", type=int)
    try:
        review.return_rating(item_id, request.form.get("note", ""), hr_id=g.console_actor.employee_id)
    except DomainError as refusal:
        flash("未退回：" + refusal.message, "error")
    else:
        flash("已退回，主管会在微信收到重新评分的请求；重新评分前本月不能发布", "ok")
    return redirect(url_for("console.month", cycle_id=cycle_id) + "#ratings" if cycle_id else url_for("console.home"))


@bp.route("/months/<int:cycle_id>/restatements", methods=["POST"])
@page("hr")
def resolve_restatements(cycle_id: int) -> Any:
    """数据更正: apply the restated figures and re-publish, or keep the published ones."""
    republish = request.form.get("decision") == "republish"
    count = sync.resolve_restatements(cycle_id, republish=republish, hr_id=g.console_actor.employee_id)
    flash(f"已处理{count}项数据更正：" + ("按新数据重新评分，结果变化的员工会收到新版报告" if republish
                                     else "保持已发布的结果"), "ok")
    return redirect(url_for("console.month", cycle_id=cycle_id))


@bp.route("/months/<int:cycle_id>/publish", methods=["POST"])
@page("hr")
def publish(cycle_id: int) -> Any:
    count = review.publish(cycle_id, hr_id=g.console_actor.employee_id)
    flash(f"已发布{count}份考核报告，员工将在微信收到通知", "ok")
    return redirect(url_for("console.month", cycle_id=cycle_id))


@bp.route("/outcomes/<int:outcome_id>/decide", methods=["POST"])
@page("hr")
def decide_outcome(outcome_id: int) -> Any:
    approve = request.form.get("decision") == "approve"
    decided = outcomes.decide(outcome_id, g.console_actor, approve=approve)
    flash("已批准" if approve else "已驳回", "ok")
    return redirect(url_for("console.month", cycle_id=decided.cycle_id) + "#outcomes")


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


def _day(field: str, label: str) -> date:
    """A date field of a people form, or a refusal naming it."""
    try:
        return date.fromisoformat(request.form.get(field, ""))
    except ValueError:
        raise ApiError("invalid_date", f"请填写{label}（年-月-日）", 422, {field: "不是有效日期"}) from None


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
        moved = people_changes.transfer(employee_id, _day("effective_day", "调岗生效日"), g.console_actor,
                                        position=form.get("position") or None,
                                        department=form.get("department") or None,
                                        manager_no=form.get("manager_no", "").strip() or None)
        return f"已调岗：{moved.name}，{form.get('effective_day')}起生效"
    return _people_change(employee_id, change)


@bp.route("/people/<int:employee_id>/leave-days", methods=["POST"])
@page("hr")
def person_leave_days(employee_id: int) -> Any:
    def change() -> str:
        record = people_changes.record_leave(employee_id, _day("first_day", "请假开始日期"),
                                             _day("last_day", "请假结束日期"), request.form.get("kind", ""),
                                             request.form.get("note", ""), g.console_actor)
        return f"已登记请假：{record.first_day.isoformat()}至{record.last_day.isoformat()}，考核目标按在岗天数折算"
    return _people_change(employee_id, change)


@bp.route("/people/<int:employee_id>/depart", methods=["POST"])
@page("hr")
def person_depart(employee_id: int) -> Any:
    def change() -> str:
        gone = people_changes.leave_company(employee_id, _day("last_day", "最后工作日"), g.console_actor)
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


@bp.route("/templates")
@page("hr")
def templates() -> Any:
    return render_template("console/templates.html", rows=template_edits.templates(g.console_actor),
                           departments=directory.departments(g.console_actor))


@bp.route("/indicators")
@page("hr")
def indicators() -> Any:
    return render_template("console/indicators.html", rows=template_edits.indicators(g.console_actor))


@bp.route("/templates/<code>", methods=["GET", "POST"])
@page("hr")
def template(code: str) -> Any:
    """The template editor: every item's terms and scoring method, the weights' total checked as HR
    types and by the service on 保存 (refused whole, each problem named beside its row)."""
    view = template_edits.template_view(g.console_actor, code)
    rows, currency, refusal = template_form.rows_of(view), view["currency"], None
    if request.method == "POST":
        rows, currency = template_form.posted_rows(request.form), request.form.get("currency", "")
        try:
            followed = template_edits.save_template(code, template_form.document_of(rows, currency),
                                                    hr_id=g.console_actor.employee_id)
        except DomainError as error:
            refusal = error
        else:
            synced = f"，草拟中的{followed}份考核表已同步" if followed else "，从下一个考核月起生效"
            flash("模板已保存" + synced, "ok")
            return redirect(url_for("console.template", code=code))
    blanks = [dict.fromkeys(template_form.FIELDS, "") for _ in range(2)]
    jd = template_form.jd_text(job_descriptions.view(g.console_actor, code))
    return render_template("console/template.html", view=view, rows=rows + blanks, currency=currency,
                           refusal=refusal, jd=jd, jd_error=None), 422 if refusal else 200


@bp.route("/templates/<code>/job-description", methods=["POST"])
@page("hr")
def job_description(code: str) -> Any:
    """岗位说明书: duties, authorities and goals, one per line, saved whole or refused whole."""
    try:
        job_descriptions.save(code, template_form.jd_document(request.form), hr_id=g.console_actor.employee_id)
    except DomainError as refusal:
        view = template_edits.template_view(g.console_actor, code)
        blanks = [dict.fromkeys(template_form.FIELDS, "") for _ in range(2)]
        jd = {name: request.form.get(name, "") for name in template_form.JD_PARTS}
        return render_template("console/template.html", view=view, rows=template_form.rows_of(view) + blanks,
                               currency=view["currency"], refusal=None, jd=jd, jd_error=refusal.message), 422
    flash("岗位说明书已保存", "ok")
    return redirect(url_for("console.template", code=code) + "#job-description")


@bp.route("/templates/<code>/preview")
@page("hr")
def template_preview(code: str) -> Any:
    """The live preview of one item being edited: how a figure would score (JSON for the editor)."""
    row = {field: request.args.get(field, "") for field in template_form.FIELDS}
    try:
        shown = template_edits.preview(code, template_form.item_of(row),
                                       template_form.entered(request.args.get("figure", "")),
                                       request.args.get("currency", "").strip().upper())
    except DomainError as error:
        return jsonify(error=error.message), 200
    return jsonify(shown)


CALENDAR_FILE_LIMIT = 256 * 1024  # a year's schedule is a few KB


@bp.route("/calendar")
@page("hr")
def calendar_years_page() -> Any:
    """This year and next: where each year's days come from and whether HR confirmed it."""
    this_year = business_today().year
    return render_template("console/calendar_years.html",
                           years=[calendar_years.year_view(y) for y in (this_year, this_year + 1)],
                           unconfirmed=calendar_years.unconfirmed_years(business_today()))


@bp.route("/calendar/<int:year>", methods=["GET", "POST"])
@page("hr")
def calendar_year(year: int) -> Any:
    """One year's days off and 调休 working days; 保存 replaces them with HR's lines (to confirm again)."""
    error, text = None, request.form.get("text")
    if request.method == "POST":
        try:
            calendar_years.edit_year(year, text or "", hr_id=g.console_actor.employee_id)
        except DomainError as refusal:
            error = refusal.message
        else:
            flash(f"{year}年工作日历已保存，请核对后确认", "ok")
            return redirect(url_for("console.calendar_year", year=year))
    view = calendar_years.year_view(year)
    return render_template("console/calendar_year.html", view=view, text=view["text"] if text is None else text,
                           error=error), 422 if error else 200


@bp.route("/calendar/import", methods=["POST"])
@page("hr")
def calendar_import() -> Any:
    """A year's schedule file (the format of the shipped table, docs/product.md "Calendar years")."""
    upload = request.files.get("file")
    content = upload.stream.read(CALENDAR_FILE_LIMIT + 1) if upload else b""
    try:
        if not content:
            raise ApiError("file_missing", "请选择要导入的工作日历文件（JSON）", 422)
        if len(content) > CALENDAR_FILE_LIMIT:
            raise ApiError("file_too_large", "工作日历文件不能超过256KB", 413)
        try:
            document = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError("file_invalid", "文件不是有效的 JSON（UTF-8 编码）", 422) from None
        days = calendar_years.import_year(document, hr_id=g.console_actor.employee_id)
    except DomainError as refusal:
        flash("未导入：" + refusal.message, "error")
        return redirect(url_for("console.calendar_years_page"))
    counts = f"放假{len(days.holidays)}天，调休上班{len(days.workdays)}天"
    flash(f"已导入{days.year}年工作日历：{counts}，请核对后确认", "ok")
    return redirect(url_for("console.calendar_year", year=days.year))


@bp.route("/calendar/<int:year>/confirm", methods=["POST"])
@page("hr")
def calendar_confirm(year: int) -> Any:
    flash(calendar_years.confirm_year(year, hr_id=g.console_actor.employee_id), "ok")
    return redirect(url_for("console.calendar_year", year=year))


@bp.route("/settings", methods=["GET", "POST"])
@page("hr")
def settings_page() -> Any:
    """公司设置: each setting with its value and how it is written; a change applies to months that
    open after it (a month keeps the settings it opened with)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        key = request.form.get("key", "")
        value: Any = _posted_bands() if key == "grade_bands" else request.form.get("value", "")
        try:
            shown = company_settings.change(key, value, hr_id=g.console_actor.employee_id)
        except DomainError as refusal:
            errors[key] = refusal.message
        else:
            flash(f"已保存：{shown}（从下一个开始的考核月起生效）", "ok")
            return redirect(url_for("console.settings_page") + f"#{key}")
    return render_template("console/settings.html", rows=company_settings.listing(), bands=company_settings.bands(),
                           errors=errors), 422 if errors else 200


def _posted_bands() -> list[dict[str, Any]]:
    """The grade bands' rows as the setting's list; the last band's minimum left empty is null."""
    columns = [request.form.getlist(name) for name in ("code", "label_zh", "min_total", "coefficient")]
    return [{"code": code, "label_zh": label, "min_total": low.strip() or None, "coefficient": coefficient}
            for code, label, low, coefficient in zip(*columns, strict=False)]


@bp.route("/fx-rates", methods=["GET", "POST"])
@page("hr")
def fx_rates_page() -> Any:
    """汇率: the rates of recent months, those a month still waits for, and a form to enter one."""
    error, form = None, request.form
    if request.method == "POST":
        try:
            flash(fx_rates.set_rate(form.get("month", ""), form.get("currency", ""), form.get("target", ""),
                                    form.get("rate", ""), hr_id=g.console_actor.employee_id), "ok")
        except DomainError as refusal:
            error = refusal.message
        else:
            return redirect(url_for("console.fx_rates_page"))
    return render_template("console/fx_rates.html", **fx_rates.listing(g.console_actor), form=form, error=error,
                           this_month=business_today().strftime("%Y-%m")), 422 if error else 200


@bp.route("/admin/wechat")
@page("admin")
def admin_wechat() -> Any:
    """微信接入: what each channel can do, the URLs to paste into WeChat's consoles, the template ids,
    the last callback received (docs/go-live.md walks through going live)."""
    return render_template("console/admin_wechat.html", channels=wechat_status.channels(current_app.config,
                                                                                        request.host_url),
                           public_url=current_app.config.get("PUBLIC_URL"))


@bp.route("/admin/jobs")
@page("admin")
def admin_jobs() -> Any:
    """失败任务: background jobs that failed after their retries, to run again or drop."""
    return render_template("console/admin_jobs.html", rows=job_failures.listing(g.console_actor),
                           queues=jobs.waiting())


@bp.route("/admin/jobs/<queue_name>/<job_id>", methods=["POST"])
@page("admin")
def admin_job_action(queue_name: str, job_id: str) -> Any:
    act = job_failures.retry if request.form.get("action") == "retry" else job_failures.discard
    done = act(queue_name, job_id, g.console_actor)
    if not done:
        flash("该任务已不在失败队列中（可能已被处理）", "warn")
    else:
        flash("已重新排队执行" if act is job_failures.retry else "已清除该任务", "ok")
    return redirect(url_for("console.admin_jobs"))


def _added(add: Callable[[], str], back: str) -> Any:
    """Run one of the 新建 forms: to the new thing's page, or back with the refusal."""
    try:
        return redirect(add())
    except DomainError as refusal:
        flash("未新建：" + refusal.message, "error")
        return redirect(back)


@bp.route("/departments/new", methods=["POST"])
@page("hr")
def add_department() -> Any:
    def add() -> str:
        row = structure.add_department({"code": request.form.get("code", "").strip(),
                                        "name": request.form.get("name", "").strip(),
                                        "rest_weekdays": request.form.getlist("rest_weekdays", type=int)},
                                       hr_id=g.console_actor.employee_id)
        flash(f"已新建部门：{row.name}", "ok")
        return url_for("console.people", department=row.code)
    return _added(add, url_for("console.people"))


@bp.route("/templates/new", methods=["POST"])
@page("hr")
def add_position() -> Any:
    def add() -> str:
        row = structure.add_position({key: request.form.get(key, "").strip()
                                      for key in ("code", "name", "department", "copy_from")},
                                     hr_id=g.console_actor.employee_id)
        flash(f"已新建岗位：{row.name}。模板和岗位说明书已从参照岗位复制，请按新岗位修改", "ok")
        return url_for("console.template", code=row.code)
    return _added(add, url_for("console.templates"))


@bp.route("/indicators/new", methods=["POST"])
@page("hr")
def add_indicator() -> Any:
    def add() -> str:
        fields = ("code", "name", "kind", "direction", "aggregation", "display", "unit", "definition", "hint")
        posted = {key: value for key in fields if (value := request.form.get(key, "").strip())}  # blanks: defaults
        row = structure.add_indicator(posted, hr_id=g.console_actor.employee_id)
        flash(f"已新建指标：{row.name}，可在考核模板中选用", "ok")
        return url_for("console.indicators") + f"#{row.code}"
    return _added(add, url_for("console.indicators"))
