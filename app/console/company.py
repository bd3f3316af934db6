"""The company's calendar (工作日历), exchange rates (汇率) and settings (公司设置)."""

import json
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from app.console import bp, page
from app.domain.errors import DomainError
from app.errors import ApiError
from app.services.business_time import business_today
from app.services.cycle import fx_rates
from app.services.org import calendar_years, company_settings

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
