"""The 操作记录 view: a person's own actions and what concerns them (their screenshots viewed by a
manager included), by object and by date, newest first; HR and admins only."""

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.models import AuditLog, Employee, Screenshot
from app.reporting import audit_view
from app.reporting.audit_view import AuditFilter
from app.services.authz import actor
from app.services.blobs import blob_store
from app.services.business_time import to_local
from app.services.observations import screenshots
from tests.app.reporting.conftest import HR_NO, employee

ADMIN_NO = "E00004"


def view_a_screenshot(db_session) -> tuple[Screenshot, Employee, Employee]:
    """A manager opens one of their people's screenshots (the blob put back: the demo keeps rows)."""
    shot = db_session.scalar(select(Screenshot).join(Employee, Employee.id == Screenshot.owner_id)
                             .where(Employee.manager_id.is_not(None)).order_by(Screenshot.id))
    owner = db_session.get(Employee, shot.owner_id)
    blob_store().put(shot.storage_key, b"\x89PNG\r\n\x1a\n", shot.content_type)
    url, _ = screenshots.link(shot, owner.manager_id)
    screenshots.open_link(url.rsplit("/", 1)[1])
    return shot, owner, db_session.get(Employee, owner.manager_id)


def test_a_persons_record_shows_who_viewed_their_screenshots(db_session, december):
    shot, owner, manager = view_a_screenshot(db_session)
    rows, total = audit_view.entries(actor(employee(HR_NO).id), AuditFilter(person=owner.employee_no))
    viewed = [r for r in rows if r.action_code == "screenshot.view"]
    assert viewed[0].actor == f"{manager.name}（{manager.employee_no}）"
    assert viewed[0].concerns == f"{owner.name}（{owner.employee_no}）" and viewed[0].entity_id == shot.id
    assert viewed[0].action == "查看截图" and viewed[0].entity == "截图"
    mine = db_session.query(AuditLog).filter(AuditLog.actor_id == owner.id).count()
    assert total >= mine + 1 and len(rows) == min(total, audit_view.PAGE_SIZE)
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)


def test_filters_by_object_and_date_count_what_the_log_holds(db_session, december):
    hr = actor(employee(HR_NO).id)
    appeals = db_session.scalars(select(AuditLog).where(AuditLog.entity == "appeal")).all()
    rows, total = audit_view.entries(hr, AuditFilter(entity="appeal"))
    assert total == len(appeals) > 0 and {r.entity for r in rows} == {"申诉"}

    one = appeals[0]
    rows, total = audit_view.entries(hr, AuditFilter(entity="appeal", entity_id=one.entity_id))
    assert total == sum(a.entity_id == one.entity_id for a in appeals)

    day = to_local(one.at).date()
    on_day = [a for a in db_session.scalars(select(AuditLog)) if to_local(a.at).date() == day]
    assert audit_view.entries(hr, AuditFilter(first=day, last=day))[1] == len(on_day)
    assert audit_view.entries(hr, AuditFilter(first=date(2030, 1, 1)))[1] == 0


def test_only_hr_and_admins_read_the_log_and_an_unknown_number_is_refused(db_session, december):
    assert audit_view.entries(actor(employee(ADMIN_NO).id), AuditFilter())[1] > 0
    staff = db_session.scalar(select(Employee).where(~Employee.is_hr, ~Employee.is_admin))
    with pytest.raises(ApiError) as refused:
        audit_view.entries(actor(staff.id), AuditFilter())
    assert refused.value.status == 403
    with pytest.raises(ApiError) as unknown:
        audit_view.entries(actor(employee(HR_NO).id), AuditFilter(person="E99999"))
    assert unknown.value.code == "unknown_person" and "E99999" in unknown.value.message


def test_a_row_is_stamped_with_the_business_clock(db_session, december):
    """The demo lives its past through the services at past moments: its audit rows must say when
    each change happened then, not when the demo was seeded."""
    from app.services import audit
    from tests.app.reporting.conftest import NOW

    row = audit.record("setting.change", "setting", None, actor_id=employee(HR_NO).id)
    db_session.commit()
    assert row.at == NOW
