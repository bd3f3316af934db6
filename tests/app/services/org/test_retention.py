"""A leaver's data is deleted after the retention period HR sets; what others need stays."""

from datetime import date

import pytest
from sqlalchemy import func, select

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
from tests.support.clock import TODAY
from tests.support.company import SmallCompany, on_target, open_month, rate_all, small_company


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def september_with_a_leaver(session, left_on: date) -> tuple[SmallCompany, Employee]:
    """The small company's September: the lead and the star each on target (3 figures each), the
    general manager's ratings of the lead and the lead's of the star and the trainee (2 each); then
    the lead, bound to the mini-program, leaves."""
    people = small_company()
    september = open_month(2026, 9)
    for someone in (people.lead, people.star):
        on_target(someone, september)
    for someone in (people.lead, people.star, people.trainee):
        rate_all(someone, september, 4)
    person = people.lead
    person.status, person.left_on = "left", left_on
    session.add(WeChatIdentity(employee_id=person.id, channel="mp", external_id=f"o-{person.id}"))
    session.commit()
    return people, person


def test_a_leaver_past_the_retention_period_is_purged(db_session, redis_client):
    people, person = september_with_a_leaver(db_session, date(2026, 9, 30))
    settings.put("retention_months", 1, hr_id=people.hr.id)
    assert count(db_session, Observation, Observation.employee_id == person.id) == 3
    assert count(db_session, Observation, Observation.employee_id != person.id) == 3  # the star's
    assert count(db_session, Rating, Rating.rater_id == person.id) == 2 * 2  # of the star and the trainee

    assert retention.purge_due(TODAY) == [person.id]

    db_session.expire_all()
    for model, column in ((Observation, Observation.employee_id), (ProgressEntry, ProgressEntry.employee_id),
                          (Assessment, Assessment.employee_id), (WeChatIdentity, WeChatIdentity.employee_id)):
        assert count(db_session, model, column == person.id) == 0, model.__name__
    assert count(db_session, Report,
                 Report.assessment_id.in_(select(Assessment.id).where(Assessment.employee_id == person.id))) == 0
    assert count(db_session, Observation, Observation.employee_id != person.id) == 3
    assert count(db_session, Rating, Rating.rater_id == person.id) == 2 * 2  # the ratings they gave others stay
    purged = db_session.get(Employee, person.id)
    assert (purged.name, purged.status) == ("（已删除）", "purged")
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "retention.purge"))
    # Their September assessment with the template's five items, its three figures, the general
    # manager's two ratings of it, and their binding.
    assert audit.entity_id == person.id
    assert audit.after == {"assessment": 1, "assessment_item": 5, "observation": 3, "rating": 2, "wechat_identity": 1}
    assert retention.purge_due(TODAY) == []  # done once


def test_a_recent_leaver_and_the_default_period_keep_everything(db_session, redis_client):
    _, person = september_with_a_leaver(db_session, date(2026, 9, 30))
    assert retention.retention_months() == 24
    assert retention.purge_due(TODAY) == []
    assert count(db_session, Observation, Observation.employee_id == person.id) == 3


def test_only_hr_sets_the_period_within_bounds(db_session, redis_client):
    people = small_company()
    hr, staff = people.hr, people.trainee
    with pytest.raises(ApiError) as forbidden:
        settings.put("retention_months", 12, hr_id=staff.id)
    assert forbidden.value.status == 403
    with pytest.raises(ApiError) as bad:
        settings.put("retention_months", 0, hr_id=hr.id)
    assert bad.value.code == "setting_invalid"
    assert settings.put("retention_months", "36", hr_id=hr.id) == 36
    assert retention.retention_months() == 36
