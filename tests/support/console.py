"""Signing in to the console the way a browser does: the sign-in page's CSRF token, then the form."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Employee
from app.services.authz import system
from app.services.org import logins
from tests.support.company import SmallCompany, department, hire, small_company

PASSWORD = "correct-horse-42"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_company() -> tuple[SmallCompany, Employee]:
    """The small company, its HR member and a new admin (not HR) with console passwords."""
    people = small_company()
    admin = hire("周管理", department("hr", "人事行政部"), manager=people.boss)
    admin.is_admin = True
    db.session.commit()
    for person in (people.hr, admin):
        give_password(person.employee_no)
    return people, admin


def give_password(employee_no: str) -> None:
    logins.reset_password(employee_no, system("cli"), password=PASSWORD, must_change=False)


def csrf(client, path: str = "/console/login") -> str:
    """The token a page's forms carry (the session cookie that goes with it stays in the client)."""
    page = client.get(path)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, f"{path} has a form with a CSRF token"
    return found.group(1)


def sign_in(client, employee_no: str, password: str = PASSWORD):
    return client.post("/console/login", data={"employee_no": employee_no, "password": password,
                                               "csrf_token": csrf(client)})


def employee_no_of(employee_id: int) -> str:
    return db.session.scalar(select(Employee.employee_no).where(Employee.id == employee_id))
