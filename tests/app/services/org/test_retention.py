"""A leaver's data is deleted after the retention period HR sets; what others need stays."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.demo import seed_demo
from app.errors import ApiError
from app.models import (
    Assessment,
    AuditLog,
    Employee,
    Observation,
    ProgressEntry,
    Rating,
    Report,
    WeChatIdentity,
)
from app.services import settings
from app.services.org import retention

TODAY = date(2026, 11, 27)


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def leaver(session, left_on: date) -> Employee:
    person = session.scalar(select(Employee).where(Employee.manager_id.is_not(None), Employee.position_id.is_not(None),
                                                   Employee.is_hr.is_(False)).order_by(Employee.id.desc()))
    person.status, person.left_on = "left", left_on
    session.add(WeChatIdentity(employee_id=person.id, channel="mp", external_id=f"o-{person.id}"))
    session.commit()
    return person


def test_a_leaver_past_the_retention_period_is_purged(db_session, redis_client):
    seed_demo(today=TODAY)
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    settings.put("retention_months", 1, hr_id=hr.id)
    person = leaver(db_session, date(2026, 9, 30))
    others = count(db_session, Observation, Observation.employee_id != person.id)
    ratings_given = count(db_session, Rating, Rating.rater_id == person.id)
    assert count(db_session, Observation, Observation.employee_id == person.id) > 0

    assert retention.purge_due(TODAY) == [person.id]

    db_session.expire_all()
    for model, column in ((Observation, Observation.employee_id), (ProgressEntry, ProgressEntry.employee_id),
                          (Assessment, Assessment.employee_id), (WeChatIdentity, WeChatIdentity.employee_id)):
        assert count(db_session, model, column == person.id) == 0, model.__name__
    assert count(db_session, Report, Report.assessment_id.in_(select(Assessment.id).where(Assessment.employee_id == person.id))) == 0
    assert count(db_session, Observation, Observation.employee_id != person.id) == others
    assert count(db_session, Rating, Rating.rater_id == person.id) == ratings_given  # others' ratings stay
    purged = db_session.get(Employee, person.id)
    assert (purged.name, purged.status) == ("（已删除）", "purged")
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "retention.purge"))
    assert audit.entity_id == person.id and audit.after["observation"] > 0
    assert retention.purge_due(TODAY) == []  # done once


def test_a_recent_leaver_and_the_default_period_keep_everything(db_session, redis_client):
    seed_demo(today=TODAY)
    person = leaver(db_session, date(2026, 9, 30))
    assert retention.retention_months() == 24
    assert retention.purge_due(TODAY) == []
    assert count(db_session, Observation, Observation.employee_id == person.id) > 0


def test_only_hr_sets_the_period_within_bounds(db_session, redis_client):
    seed_demo(today=TODAY)
    hr = db_session.scalar(select(Employee).where(Employee.is_hr).order_by(Employee.id))
    staff = db_session.scalar(select(Employee).where(Employee.is_hr.is_(False)).order_by(Employee.id.desc()))
    with pytest.raises(ApiError) as forbidden:
        settings.put("retention_months", 12, hr_id=staff.id)
    assert forbidden.value.status == 403
    with pytest.raises(ApiError) as bad:
        settings.put("retention_months", 0, hr_id=hr.id)
    assert bad.value.code == "setting_invalid"
    assert settings.put("retention_months", "36", hr_id=hr.id) == 36
    assert retention.retention_months() == 36
