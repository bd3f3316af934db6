"""Two managers in the line rating the same item at the same moment: a manager's rating is one
figure per item, so the later replaces the earlier (audited) — never two manager ratings averaged —
on SQLite and on MariaDB."""

from sqlalchemy import select

from app.models import AuditLog, Rating
from app.services.feedback import ratings
from tests.support.people import NOV_NOW, actor, assessment_of, item_of
from tests.support.race import at_once


def test_two_managers_rating_one_item_at_once_leave_one_rating(app, db_session, cast):
    person, lead, boss = cast.member("ops", 1), cast.teams["ops"].lead, cast.boss
    item_id = item_of(assessment_of(person, 11), "ops_innovation").id
    by_lead, by_boss = actor(lead), actor(boss)

    outcomes = at_once(app, [lambda: ratings.rate_item(item_id, "3", by_lead, now=NOV_NOW),
                             lambda: ratings.rate_item(item_id, "5", by_boss, now=NOV_NOW)],
                       meet_after=r"FROM assessment_item\s+WHERE assessment_item\.id")

    db_session.rollback()
    assert [o.error for o in outcomes] == [None, None]
    [rating] = db_session.scalars(select(Rating).where(Rating.assessment_item_id == item_id)).all()
    audits = db_session.scalars(select(AuditLog).where(AuditLog.action == "rating.set").order_by(AuditLog.id)).all()
    first, last = audits
    assert first.before is None and last.before["value"] == first.after["value"]
    assert str(rating.value) == last.after["value"]
