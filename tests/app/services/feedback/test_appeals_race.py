"""Appeals decided or filed twice at the same moment (two managers in the line, a double tap):
one stands, the other gets a 409 and writes nothing — on SQLite as on MariaDB."""

from datetime import timedelta

from sqlalchemy import func, select

from app.models import Appeal, AuditLog, OutboxMessage, Report
from app.services.feedback import appeals
from tests.support.people import IN_OCT_WINDOW, actor, assessment_of, report_of
from tests.support.race import at_once, refused

LATER = IN_OCT_WINDOW + timedelta(hours=1)


def count(session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery()))


def test_two_managers_at_once_decide_an_appeal_once(app, db_session, cast):
    member, lead, boss = cast.member("ops", 1), cast.teams["ops"].lead, cast.boss
    appeal = appeals.file_appeal(report_of(member).id, "ops_ad_roi", "3.9", "广告归因延迟", [], actor(member),
                                 now=IN_OCT_WINDOW)
    appeal_id, assessment_id = appeal.id, assessment_of(member, 10).id
    by_lead, by_boss = actor(lead), actor(boss)

    outcomes = at_once(app, [
        lambda: appeals.decide_appeal(appeal_id, True, "已核对广告后台", by_lead, now=LATER),
        lambda: appeals.decide_appeal(appeal_id, False, "证据不足", by_boss, now=LATER),
    ], meet_after=r"FROM appeal\s+WHERE appeal\.id")

    db_session.rollback()
    assert sorted(refused(o) or "decided" for o in outcomes) == ["already_decided", "decided"]
    assert next(o for o in outcomes if o.error).error.status == 409
    winner = "accepted" if outcomes[0].error is None else "rejected"
    assert db_session.get(Appeal, appeal_id).status == winner
    decisions = select(AuditLog.id).where(AuditLog.entity == "appeal", AuditLog.entity_id == appeal_id,
                                          AuditLog.action.in_(["appeal.accepted", "appeal.rejected"]))
    assert count(db_session, decisions) == 1
    results = select(OutboxMessage.id).where(OutboxMessage.recipient_id == member,
                                             OutboxMessage.kind == "appeal_result")
    assert count(db_session, results) == 1
    versions = select(Report.id).where(Report.assessment_id == assessment_id)
    assert count(db_session, versions) == (2 if winner == "accepted" else 1)


def test_one_item_appealed_twice_at_once_is_filed_once(app, db_session, cast):
    member = cast.member("ops", 2)
    report_id, who = report_of(member).id, actor(member)
    file = lambda: appeals.file_appeal(report_id, "ops_ad_roi", "3.9", "广告归因延迟", [], who,  # noqa: E731
                                       now=IN_OCT_WINDOW)

    outcomes = at_once(app, [file, file], meet_after=r"FROM report\s+WHERE report\.id")

    db_session.rollback()
    assert sorted(refused(o) or "filed" for o in outcomes) == ["already_appealed", "filed"]
    assert count(db_session, select(Appeal.id).where(Appeal.report_id == report_id)) == 1
    filed = select(AuditLog.id).where(AuditLog.action == "appeal.file", AuditLog.actor_id == member)
    assert count(db_session, filed) == 1
