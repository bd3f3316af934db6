"""Column types: exact decimals and case-sensitive identifiers on SQLite and MariaDB alike."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models import Department, Employee, FxRate


@pytest.mark.parametrize("value", ["0.000001", "12345678901234.123456", "0.1", "99999999999999.999999", "-3.5"])
def test_decimals_round_trip_exactly(db_session, value):
    db_session.add(FxRate(month="2026-11", currency="USD", target_currency="CNY", rate=Decimal(value)))
    db_session.commit()
    db_session.expire_all()
    assert db_session.scalar(select(FxRate.rate)) == Decimal(value)
    assert str(db_session.scalar(select(FxRate.rate))) == str(Decimal(value).normalize())


def test_ids_that_differ_only_in_case_stay_distinct(db_session):
    dept = Department(code="ops", name="运营部")
    db_session.add(dept)
    db_session.flush()
    for number in ("abc01", "ABC01"):
        db_session.add(Employee(employee_no=number, name=number, department_id=dept.id, joined_on=date(2026, 1, 1)))
    db_session.commit()
    found = db_session.scalars(select(Employee.employee_no).where(Employee.employee_no == "abc01")).all()
    assert found == ["abc01"]


def test_the_same_id_twice_is_refused(db_session):
    dept = Department(code="cs", name="客服部")
    db_session.add(dept)
    db_session.flush()
    db_session.add_all([Employee(employee_no="X1", name="甲", department_id=dept.id, joined_on=date(2026, 1, 1)),
                        Employee(employee_no="X1", name="乙", department_id=dept.id, joined_on=date(2026, 1, 1))])
    with pytest.raises(IntegrityError):
        db_session.commit()
