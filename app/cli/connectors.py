"""`flask connectors …`: the admin's connector commands until the console page is used — enter
credentials (checked with the vendor, sealed), list, sync now, map identities, list unmapped records,
and make a master key for production.

Secrets are asked for with hidden input (or given as --set name=value in scripts) and never printed.
"""

from datetime import date

import click
from flask.cli import AppGroup

from app.cli.common import as_hr, refuse

connectors = AppGroup("connectors", help="API connectors (Amazon, Zendesk): credentials, syncs, mappings.")
by_option = click.option("--by", "admin_no", required=True, help="The employee number of the admin acting (audited).")


@connectors.command("new-master-key")
def new_master_key() -> None:
    """Print a new Fernet key for JIXIAO_MASTER_KEY (production keeps it in the environment)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@connectors.command("set")
@click.argument("source")
@click.option("--set", "given", multiple=True, metavar="NAME=VALUE", help="A field's value instead of a prompt.")
@by_option
def set_command(source: str, given: tuple[str, ...], admin_no: str) -> None:
    """Enter SOURCE's credentials; they are checked with the vendor, then kept encrypted."""
    from app.connectors import admin
    from app.connectors.registry import kind

    values = dict(item.split("=", 1) for item in given if "=" in item)
    try:
        fields = as_hr(admin_no, lambda _: kind(source).fields)
    except KeyError:
        refuse(f"没有名为「{source}」的数据连接")
    for field in fields:
        if field.name not in values:
            values[field.name] = click.prompt(field.label, default=field.default or None, hide_input=field.secret,
                                              show_default=not field.secret)
    click.echo(as_hr(admin_no, lambda admin_id: admin.save_credentials(source, values, admin_id=admin_id)))


@connectors.command("list")
@by_option
def list_command(admin_no: str) -> None:
    """Each connector: state, failures in a row, last run and its counts (secrets masked)."""
    from app.connectors import admin

    for row in as_hr(admin_no, lambda admin_id: admin.status(admin_id=admin_id)):
        last = row["last_run"]
        run = f"{last['status']} {last['started_at']:%Y-%m-%d %H:%M} {last['counts']}" if last else "从未同步"
        click.echo(f"{row['source']}\t{row['status']}\t连续失败{row['failures']}次\t{run}")


@connectors.command("sync")
@click.argument("source")
@by_option
def sync_command(source: str, admin_no: str) -> None:
    """Sync SOURCE now, in this process; prints the run's outcome and counts."""
    from app.connectors import admin

    run = as_hr(admin_no, lambda admin_id: admin.sync_now(source, admin_id=admin_id))
    click.echo(f"同步 #{run.id}：{run.status} {run.counts}" + (f"，错误：{run.error}" if run.error else ""))
    if run.status != "done":
        raise SystemExit(1)


@connectors.command("map")
@click.argument("identity")
@click.argument("external_id")
@click.argument("employee_no")
@click.option("--from", "valid_from", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (YYYY-MM-DD).")
@by_option
def map_command(identity: str, external_id: str, employee_no: str, valid_from, admin_no: str) -> None:
    """Map EXTERNAL_ID (an SKU, a Zendesk agent id, a packer code) of IDENTITY (amazon, zendesk, erp) to
    the employee EMPLOYEE_NO from --from; kept records it covers become theirs."""
    from sqlalchemy import select

    from app.connectors import admin
    from app.extensions import db
    from app.models import Employee

    day: date = valid_from.date()
    employee = db.session.scalar(select(Employee).where(Employee.employee_no == employee_no))
    if employee is None:
        refuse(f"找不到员工「{employee_no}」")
    moved = as_hr(admin_no, lambda admin_id: admin.map_identity(identity, external_id, employee.id, day,
                                                                admin_id=admin_id))
    click.echo(f"{external_id} 自 {day} 起归 {employee.name}；已归入未映射记录 {moved} 条")


@connectors.command("unmapped")
@by_option
def unmapped_command(admin_no: str) -> None:
    """The identities whose records nobody's mapping covers yet."""
    from app.connectors import admin

    for row in as_hr(admin_no, lambda admin_id: admin.unmapped(admin_id=admin_id)):
        click.echo(f"{row['source']}\t{row['identity']}\t{row['external_id']}\t{row['records']}条\t"
                   f"{row['first_day']}～{row['last_day']}")
