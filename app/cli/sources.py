"""`flask sources …`: the data sources (数据来源) and whether each is configured — list, configure,
unconfigure.

The month's close expects figures only from configured sources; an item of another source takes
what the person reports (or an import brings). A connector sets the flag itself once its
credentials validate (docs/connectors.md).
"""

import click
from flask.cli import AppGroup

from app.cli.common import as_hr, hr_option

sources = AppGroup("sources", help="Data sources (Amazon, Zendesk, the ERP …): configured or not.")


@sources.command("list")
def list_command() -> None:
    """Print every source with 已配置/未配置 and the indicators it feeds."""
    from app.services.observations import sources as service

    for row in service.listing():
        state = "已配置" if row["configured"] else "未配置"
        click.echo(f"{row['source']}\t{state}\t{'、'.join(row['indicators'])}")


@sources.command("configure")
@click.argument("source")
@hr_option
def configure_command(source: str, hr_no: str) -> None:
    """Mark SOURCE configured: the close waits for its figures every working day (audited)."""
    from app.services.observations import sources as service

    click.echo(as_hr(hr_no, lambda hr_id: service.set_configured(source, True, hr_id=hr_id)))


@sources.command("unconfigure")
@click.argument("source")
@hr_option
def unconfigure_command(source: str, hr_no: str) -> None:
    """Mark SOURCE not configured: its items take self-reported or imported figures (audited)."""
    from app.services.observations import sources as service

    click.echo(as_hr(hr_no, lambda hr_id: service.set_configured(source, False, hr_id=hr_id)))
