"""考核模板 and 指标库: the template editor with its live preview, the job description beside it,
new positions and indicators."""

from typing import Any

from flask import flash, g, jsonify, redirect, render_template, request, url_for

from app.console import bp, page, posted, template_form
from app.domain.errors import DomainError
from app.services.org import directory, job_descriptions, structure, template_edits


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


@bp.route("/templates/new", methods=["POST"])
@page("hr")
def add_position() -> Any:
    def add() -> str:
        row = structure.add_position(posted.fields("code", "name", "department", "copy_from"),
                                     hr_id=g.console_actor.employee_id)
        flash(f"已新建岗位：{row.name}。模板和岗位说明书已从参照岗位复制，请按新岗位修改", "ok")
        return url_for("console.template", code=row.code)
    return posted.added(add, url_for("console.templates"))


@bp.route("/indicators/new", methods=["POST"])
@page("hr")
def add_indicator() -> Any:
    def add() -> str:
        document = posted.fields("code", "name", "kind", "direction", "aggregation", "display", "unit",
                                 "definition", "hint")
        row = structure.add_indicator(document, hr_id=g.console_actor.employee_id)
        flash(f"已新建指标：{row.name}，可在考核模板中选用", "ok")
        return url_for("console.indicators") + f"#{row.code}"
    return posted.added(add, url_for("console.indicators"))
