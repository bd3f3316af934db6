"""`flask people …`: HR records people changing (docs/product.md "People change") — a joiner, a
leaver, a transfer and leave (请假) — through the services of app/services/org/people.py, as the HR
member named by --by (audited; HR may not record their own change)."""

from datetime import date, datetime

import click
from flask.cli import AppGroup

from app.cli.common import as_hr, hr_option, refuse

people = AppGroup("people", help="People change: joiners, leavers, transfers and leave (请假).")
DAY = click.DateTime(formats=["%Y-%m-%d"])


@people.command("join")
@click.argument("employee_no")
@click.argument("name")
@click.option("--department", required=True, help="The department's code (ops, cs, warehouse, design …).")
@click.option("--joined-on", "joined_on", type=DAY, required=True, help="The first working day, YYYY-MM-DD.")
@click.option("--position", default=None, help="The position's code (ops, cs, designer …); none: not assessed.")
@click.option("--manager", "manager_no", default=None, help="The manager's employee number.")
@click.option("--hr", "is_hr", is_flag=True, help="The new employee works in HR.")
@hr_option
def join_command(employee_no: str, name: str, department: str, joined_on: datetime, position: str | None,
                 manager_no: str | None, is_hr: bool, hr_no: str) -> None:
    """入职: EMPLOYEE_NO NAME joins from --joined-on. In an open month they are assessed from that day
    (targets pro-rated and pushed); a drafted month takes them in with its daily draft."""
    from app.services.authz import actor
    from app.services.org import people as changes

    person = as_hr(hr_no, lambda hr_id: changes.join_company(
        employee_no, name, department, joined_on.date(), actor(hr_id), position=position, manager_no=manager_no,
        is_hr=is_hr))
    click.echo(f"已办理入职：{person.employee_no} {person.name}，{person.joined_on.isoformat()}起")


@people.command("depart")
@click.argument("employee_no")
@click.argument("last_day", type=DAY)
@hr_option
def depart_command(employee_no: str, last_day: datetime, hr_no: str) -> None:
    """离职: EMPLOYEE_NO's last working day is LAST_DAY (YYYY-MM-DD). Their assessment ends on it; they
    are marked left the day after."""
    from app.services.authz import actor
    from app.services.org import people as changes

    employee_id = _employee_id(employee_no)
    person = as_hr(hr_no, lambda hr_id: changes.leave_company(employee_id, last_day.date(), actor(hr_id)))
    state = "已离职" if person.status == "left" else "次日起标记为离职"
    click.echo(f"已办理离职：{person.employee_no} {person.name}，最后工作日{last_day.date().isoformat()}（{state}）")


@people.command("transfer")
@click.argument("employee_no")
@click.argument("effective_day", type=DAY)
@click.option("--position", default=None, help="The new position's code.")
@click.option("--department", default=None, help="The new department's code.")
@click.option("--manager", "manager_no", default=None, help="The new manager's employee number.")
@hr_option
def transfer_command(employee_no: str, effective_day: datetime, position: str | None, department: str | None,
                     manager_no: str | None, hr_no: str) -> None:
    """调岗: from EFFECTIVE_DAY (a day of the open month) EMPLOYEE_NO holds a new position, department
    and/or manager. A new position ends the current assessment the day before and starts a new one."""
    from app.services.authz import actor
    from app.services.org import people as changes

    employee_id = _employee_id(employee_no)
    person = as_hr(hr_no, lambda hr_id: changes.transfer(
        employee_id, effective_day.date(), actor(hr_id), position=position, department=department,
        manager_no=manager_no))
    click.echo(f"已办理调岗：{person.employee_no} {person.name}，{effective_day.date().isoformat()}起生效")


@people.command("leave")
@click.argument("employee_no")
@click.argument("first_day", type=DAY)
@click.argument("last_day", type=DAY)
@click.option("--kind", default="personal", show_default=True,
              help="personal (事假), sick (病假), annual (年假), other (其他).")
@click.option("--note", default="", help="What HR notes about it (at most 200 characters).")
@hr_option
def leave_command(employee_no: str, first_day: datetime, last_day: datetime, kind: str, note: str,
                  hr_no: str) -> None:
    """请假: EMPLOYEE_NO is on leave FIRST_DAY to LAST_DAY (inclusive): rest days for them (no reminders,
    streaks or deadlines; the pace marker moves)."""
    from app.services.authz import actor
    from app.services.org import people as changes

    employee_id = _employee_id(employee_no)
    record = as_hr(hr_no, lambda hr_id: changes.record_leave(
        employee_id, first_day.date(), last_day.date(), kind, note, actor(hr_id)))
    click.echo(f"已登记请假：{employee_no} {_span(record.first_day, record.last_day)}（{changes.LEAVE_KINDS[kind]}）")


def _employee_id(employee_no: str) -> int:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Employee

    found = db.session.scalar(select(Employee.id).where(Employee.employee_no == employee_no))
    if found is None:
        refuse(f"找不到员工「{employee_no}」")
    return found


def _span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}至{last.isoformat()}"


@people.command("console-password")
@click.argument("employee_no")
def console_password_command(employee_no: str) -> None:
    """A one-time console password for EMPLOYEE_NO (an HR member or admin; how the first admin gets
    in). It is printed once and must be changed at the first sign-in; it unlocks the account."""
    from app.domain.errors import DomainError
    from app.services.authz import system
    from app.services.org import logins

    try:
        password = logins.reset_password(employee_no, system("cli"))
    except DomainError as exc:
        refuse(exc.message)
    click.echo(f"{employee_no} 的临时后台密码：{password}（首次登录后须修改）")
