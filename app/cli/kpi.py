"""`flask kpi …`: the KPI catalog and the scoring rules from the command line."""

import json
import sys

import click
from flask.cli import AppGroup

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
        click.echo(exc.message, err=True)
        sys.exit(2)
    click.echo(f"{employee_no} 的绑定码：{code}（{expires_at:%Y-%m-%d %H:%M} UTC 前有效，仅可使用一次）")
