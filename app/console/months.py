"""One month as HR closes it: 结算待办, the review (manager ratings, 退回, 发布), restatements and
outcomes."""

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from app.console import bp, page
from app.domain.errors import DomainError
from app.services.business_time import clock_now
from app.services.cycle import completeness, outcomes, overview, review
from app.services.observations import sync


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
