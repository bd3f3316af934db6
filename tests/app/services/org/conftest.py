"""Fixtures of the organisation services' tests."""

from datetime import date

import pytest

from app.models import Department, Employee


@pytest.fixture
def staff(db_session):
    """Two people of the operations department, 张三 (E001) and 李四 (E002), nobody bound yet."""
    dept = Department(code="ops", name="运营部")
    db_session.add(dept)
    db_session.flush()
    people = [Employee(employee_no=no, name=name, department_id=dept.id, joined_on=date(2025, 1, 1))
              for no, name in (("E001", "张三"), ("E002", "李四"))]
    db_session.add_all(people)
    db_session.commit()
    return people
