"""What the HR commands share: acting as an HR member named by employee number, and refusing with
a Chinese message and exit status 2."""

import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import click

T = TypeVar("T")
hr_option = click.option("--by", "hr_no", required=True, help="The employee number of the HR member acting (audited).")


def as_hr(hr_no: str, change: Callable[[int], T]) -> T:
    """Run an HR change as the employee numbered `hr_no`; a refusal prints its message, exit 2."""
    from sqlalchemy import select

    from app.domain.errors import DomainError
    from app.extensions import db
    from app.models import Employee

    hr_id = db.session.scalar(select(Employee.id).where(Employee.employee_no == hr_no))
    if hr_id is None:
        refuse(f"找不到员工「{hr_no}」")
    try:
        return change(hr_id)
    except DomainError as exc:
        refuse(exc.message)


def refuse(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(2)
