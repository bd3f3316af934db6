"""The console's shell: the filters its pages share, sign-in, sign-out, the password page and the
months (home). The pages live by subject beside it (months, people, kpi, company, admin); each is
thin: it reads or acts through a service and renders what it returns."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for

from app.console import bp, page
from app.errors import ApiError
from app.services.business_time import clock_now, to_local
from app.services.cycle import overview
from app.services.notify.wechat_status import CHANNEL_NAMES
from app.services.org import logins
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


from app.console import admin, company, kpi, months, people, reports, sources  # noqa: E402,F401  the pages register on bp
