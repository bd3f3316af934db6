"""Company-level HR actions go through the one authorisation policy: HR only, and only while they
work here (an HR flag left on a leaver's record grants nothing)."""

from datetime import date

import pytest
from sqlalchemy import select

from app.demo import seed_demo
from app.errors import ApiError
from app.models import AuditLog, Cycle, Employee
from app.services import settings
from app.services.cycle import completeness
from app.services.observations import sync

CALLS = {
    "acknowledge_gaps": lambda cycle, who: completeness.acknowledge(cycle.id, hr_id=who),
    "resolve_restatements": lambda cycle, who: sync.resolve_restatements(cycle.id, republish=False, hr_id=who),
    "change_setting": lambda cycle, who: settings.put("retention_months", 24, hr_id=who),
}


@pytest.mark.parametrize("call", CALLS)
def test_only_a_current_hr_member_may(db_session, call):
    seed_demo(today=date(2026, 11, 27))
    cycle = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    hr, former_hr = db_session.scalars(select(Employee.id).where(Employee.is_hr).order_by(Employee.id).limit(2)).all()
    staff = db_session.scalar(select(Employee.id).where(Employee.is_hr.is_(False), Employee.is_admin.is_(False)))
    db_session.get(Employee, former_hr).status = "left"
    db_session.commit()
    audits = db_session.query(AuditLog).count()

    for who, code in ((staff, "forbidden"), (former_hr, "unknown_actor")):
        with pytest.raises(ApiError) as refused:
            CALLS[call](cycle, who)
        assert refused.value.code == code
    db_session.rollback()
    assert db_session.query(AuditLog).count() == audits
    CALLS[call](cycle, hr)
    assert db_session.query(AuditLog).count() > audits
