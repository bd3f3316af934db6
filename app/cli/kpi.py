"""`flask kpi …`: the KPI catalog and the scoring rules from the command line."""

import json
import sys

import click
from flask.cli import AppGroup

from app.cli.common import as_hr, hr_option, refuse

kpi = AppGroup("kpi", help="KPI templates and scoring.")


@kpi.command("load-templates")
def load_templates_command() -> None:
    """Load the built-in departments, indicators, positions, templates and default alert rules
    (idempotent: what HR edited is never overwritten)."""
    from app.services.news.alerts import load_default_rules
    from app.services.org.catalog import load_templates

    created = load_templates()
    rules = load_default_rules()
    if rules:
        created["alert_rules"] = rules
    if created:
        click.echo("created: " + ", ".join(f"{name} {count}" for name, count in sorted(created.items())))
    else:
        click.echo("nothing to do: every built-in template is already loaded")


@kpi.command("score")
@click.argument("source", type=click.File("r", encoding="utf-8"))
def score_command(source) -> None:
    """Score one assessment described by a JSON file (or - for stdin); print the result as JSON.

    The format is documented in app/domain/SCOREFILE.md. Bad input prints the error object and
    exits with status 2.
    """
    from app.domain.errors import DomainError
    from app.domain.scorefile import score_document

    try:
        document = json.load(source)
    except json.JSONDecodeError as exc:
        _fail(
            {
                "error": {
                    "code": "score_file_invalid",
                    "message": f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列",
                    "fields": {},
                }
            }
        )
    try:
        result = score_document(document)
    except DomainError as exc:
        _fail(exc.to_dict())
    click.echo(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))


def _fail(error: dict) -> None:
    click.echo(json.dumps(error, ensure_ascii=False, indent=2, sort_keys=True), err=True)
    sys.exit(2)


@kpi.command("bind-code")
@click.argument("employee_no")
def bind_code_command(employee_no: str) -> None:
    """Issue a one-time code with which EMPLOYEE_NO binds their WeChat account."""
    from app.errors import ApiError
    from app.services.authz import system
    from app.services.org.binding import issue_code

    try:
        code, expires_at = issue_code(employee_no, system("cli"))  # an operator at the server's shell
    except ApiError as exc:
        refuse(exc.message)
    click.echo(f"{employee_no} 的绑定码：{code}（{expires_at:%Y-%m-%d %H:%M} UTC 前有效，仅可使用一次）")


@kpi.group("settings")
def settings_group() -> None:
    """Company settings (公司设置): grade bands, quiet hours, the scoring and draft days, windows."""


@settings_group.command("list")
def settings_list_command() -> None:
    """Print every setting with its current value and how it is written."""
    from app.services.org import company_settings

    for row in company_settings.listing():
        click.echo(f"{row['key']}\t{row['label_zh']}\t{row['value']}\t（{row['hint_zh']}）")


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@hr_option
def settings_set_command(key: str, value: str, hr_no: str) -> None:
    """Set KEY to VALUE as HR member --by (audited). Months already open keep their settings."""
    from app.services.org import company_settings

    shown = as_hr(hr_no, lambda hr_id: company_settings.change(key, value, hr_id=hr_id))
    click.echo(f"{key} = {shown}（已开始的考核月仍按开月时的设置）")


@kpi.command("method")
@click.argument("position")
@click.argument("indicator")
@click.argument("method")
@hr_option
def method_command(position: str, indicator: str, method: str, hr_no: str) -> None:
    """Set how INDICATOR is scored in POSITION's template: METHOD is the score-file JSON
    ({"kind": "deduction", "step": "0.001", "points": "2"} …, app/domain/SCOREFILE.md) or "ratio".
    Applies from the next month drafted (and to a month still in draft)."""
    from app.services.org import template_edits

    try:
        chosen = None if method == "ratio" else json.loads(method)
    except json.JSONDecodeError:
        refuse("计分方式应为 JSON，如 {\"kind\": \"pass_fail\"}，或 ratio")
    click.echo(as_hr(hr_no, lambda hr_id: template_edits.set_method(position, indicator, chosen, hr_id=hr_id)))


@kpi.command("adjust", context_settings={"ignore_unknown_options": True})  # so "-2" is points, not an option
@click.argument("employee_no")
@click.argument("month")
@click.argument("points")
@click.argument("reason")
@hr_option
def adjust_command(employee_no: str, month: str, points: str, reason: str, hr_no: str) -> None:
    """Add a 加减分项 of POINTS (+3, -2) with REASON to EMPLOYEE_NO's assessment of MONTH (2026-11)."""
    from app.services.authz import actor
    from app.services.feedback import sheet_lines

    assessment_id = _assessment_id(employee_no, month)
    line = as_hr(hr_no, lambda hr_id: sheet_lines.add_adjustment(assessment_id, points, reason, actor(hr_id)))
    click.echo(f"已记录加减分项 #{line.id}：{employee_no} {month} {points}分（{reason}）")


@kpi.command("veto")
@click.argument("employee_no")
@click.argument("month")
@click.argument("event")
@click.option("--evidence", required=True, help="What shows the event happened (order, ticket, complaint number …).")
@hr_option
def veto_command(employee_no: str, month: str, event: str, evidence: str, hr_no: str) -> None:
    """Record a 一票否决 EVENT on EMPLOYEE_NO's assessment of MONTH: graded 不合格 whatever the total."""
    from app.services.authz import actor
    from app.services.feedback import sheet_lines

    assessment_id = _assessment_id(employee_no, month)
    line = as_hr(hr_no, lambda hr_id: sheet_lines.record_veto(assessment_id, event, evidence, actor(hr_id)))
    click.echo(f"已记录一票否决 #{line.id}：{employee_no} {month}「{event}」")


@kpi.command("withdraw-line")
@click.argument("line_id", type=int)
@click.argument("reason")
@hr_option
def withdraw_line_command(line_id: int, reason: str, hr_no: str) -> None:
    """Withdraw a 加减分项 or 一票否决 recorded by mistake (it stays on record, marked withdrawn)."""
    from app.services.authz import actor
    from app.services.feedback import sheet_lines

    as_hr(hr_no, lambda hr_id: sheet_lines.withdraw_line(line_id, reason, actor(hr_id)))
    click.echo(f"已撤销 #{line_id}")


@kpi.command("fx-rate")
@click.argument("month")
@click.argument("currency")
@click.argument("target")
@click.argument("rate")
@hr_option
def fx_rate_command(month: str, currency: str, target: str, rate: str, hr_no: str) -> None:
    """Set MONTH's (2026-11) exchange rate: 1 CURRENCY = RATE TARGET (EUR USD 1.08); the month's
    close waits for every rate its figures need."""
    from app.services.cycle import fx_rates

    click.echo(as_hr(hr_no, lambda hr_id: fx_rates.set_rate(month, currency, target, rate, hr_id=hr_id)))


@kpi.command("accept-gaps")
@click.argument("month")
@hr_option
def accept_gaps_command(month: str, hr_no: str) -> None:
    """Accept MONTH's (2026-11) missing data and ratings: it is scored with what there is from its
    scoring day (a missing exchange rate still has to be entered)."""
    from app.services.cycle import completeness

    cycle_id = _cycle_id(month)
    found = as_hr(hr_no, lambda hr_id: completeness.acknowledge(cycle_id, hr_id=hr_id))
    sources, ratings = len(found["sources"]), sum(found["ratings"].values())
    click.echo(f"已确认接受{month}的数据缺口（{sources}个数据来源、{ratings}项评分），评分日起按现有数据结算")


@kpi.command("review")
@click.argument("month")
@hr_option
def review_command(month: str, hr_no: str) -> None:
    """MONTH's (2026-11) grade spread per department while it waits for 发布."""
    from app.services.cycle import review

    cycle_id = _cycle_id(month)
    spread = as_hr(hr_no, lambda hr_id: review.spread(cycle_id, hr_id=hr_id))
    if not spread:
        refuse(f"{month}还没有评分结果")
    for row in spread:
        grades = "、".join(f"{label}{count}人" for label, count in row["grades"].items())
        click.echo(f"{row['department']}（{row['count']}人）：{grades}")


@kpi.command("return-rating")
@click.argument("employee_no")
@click.argument("month")
@click.argument("indicator")
@click.argument("note")
@hr_option
def return_rating_command(employee_no: str, month: str, indicator: str, note: str, hr_no: str) -> None:
    """Send EMPLOYEE_NO's manager rating of INDICATOR in MONTH back to their manager with NOTE; the
    month is not published until it is rated again."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import AssessmentItem
    from app.services.cycle import review

    item_id = db.session.scalar(select(AssessmentItem.id).where(
        AssessmentItem.assessment_id == _assessment_id(employee_no, month), AssessmentItem.indicator_code == indicator))
    if item_id is None:
        refuse(f"{employee_no}{month}的考核表中没有「{indicator}」")
    returned = as_hr(hr_no, lambda hr_id: review.return_rating(item_id, note, hr_id=hr_id))
    click.echo(f"已退回，等待主管重新评分（退回 #{returned.id}）")


@kpi.command("publish")
@click.argument("month")
@hr_option
def publish_command(month: str, hr_no: str) -> None:
    """发布 MONTH (2026-11): its reports go out and every appeal window starts now."""
    from app.services.cycle import review

    cycle_id = _cycle_id(month)
    published = as_hr(hr_no, lambda hr_id: review.publish(cycle_id, hr_id=hr_id))
    click.echo(f"已发布{month}考核结果：{published}份报告")


def _cycle_id(month: str) -> int:
    """The cycle of a month ("2026-11")."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Cycle

    year, number = _year_month(month)
    found = db.session.scalar(select(Cycle.id).where(Cycle.year == year, Cycle.month == number))
    if found is None:
        refuse(f"{month}还没有考核周期")
    return found


def _assessment_id(employee_no: str, month: str) -> int:
    """The person's assessment of a month ("2026-11"): the latest if they changed position in it."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Assessment, Cycle, Employee

    year, number = _year_month(month)
    found = db.session.scalar(select(Assessment.id).join(Cycle).join(Employee, Employee.id == Assessment.employee_id)
                              .where(Employee.employee_no == employee_no, Cycle.year == year, Cycle.month == number)
                              .order_by(Assessment.first_day.desc()).limit(1))
    if found is None:
        refuse(f"找不到员工「{employee_no}」{month}的考核表")
    return found


def _year_month(month: str) -> tuple[int, int]:
    """("2026-11") → (2026, 11); anything else is refused in Chinese."""
    try:
        year, number = (int(part) for part in month.split("-"))
    except ValueError:
        refuse("月份的格式应为 2026-11")
    return year, number
