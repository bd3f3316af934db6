"""The admin's pages: console accounts, WeChat status (微信接入) and failed jobs (失败任务)."""

from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for

from app import jobs
from app.console import bp, page
from app.services.notify import job_failures, wechat_status
from app.services.org import directory, logins


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
