"""A report answered twice at the same moment (a double tap on 认可, or 认可 on one device while
appealing on another): one answer stands, the other gets a 409 and writes nothing — on SQLite as on
MariaDB."""

from sqlalchemy import func, select

from app.models import Appeal, AuditLog, Report
from app.services.feedback import appeals
from app.services.scoring import reports
from tests.support.people import IN_OCT_WINDOW, actor, report_of
from tests.support.race import at_once, refused

REPORT_READ = r"FROM report\s+WHERE report\.id"


def audits(session, action: str, report_id: int) -> int:
    return session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == action,
                                                                           AuditLog.entity_id == report_id))


def test_a_double_confirm_confirms_once(app, db_session, cast):
    member = cast.member("ops", 1)
    report_id, who = report_of(member).id, actor(member)
    confirm = lambda: reports.confirm_report(report_id, who, now=IN_OCT_WINDOW)  # noqa: E731

    outcomes = at_once(app, [confirm, confirm], meet_after=REPORT_READ)

    db_session.rollback()
    assert sorted(refused(o) or "confirmed" for o in outcomes) == ["already_answered", "confirmed"]
    assert next(o for o in outcomes if o.error).error.status == 409
    assert db_session.get(Report, report_id).response == "confirmed"
    assert audits(db_session, "report.confirm", report_id) == 1


def test_confirming_while_appealing_keeps_one_answer(app, db_session, cast):
    member = cast.member("ops", 2)
    report_id, who = report_of(member).id, actor(member)

    outcomes = at_once(app, [
        lambda: reports.confirm_report(report_id, who, now=IN_OCT_WINDOW),
        lambda: appeals.file_appeal(report_id, "ops_ad_roi", "3.9", "广告归因延迟", [], who, now=IN_OCT_WINDOW),
    ], meet_after=REPORT_READ)

    db_session.rollback()
    confirmed, appealed = (o.error is None for o in outcomes)
    assert confirmed != appealed, [refused(o) for o in outcomes]
    loser = outcomes[1] if confirmed else outcomes[0]
    assert loser.error.status == 409 and refused(loser) in ("already_answered", "appeal_open")
    report = db_session.get(Report, report_id)
    open_appeals = db_session.scalar(select(func.count()).select_from(Appeal).where(Appeal.report_id == report_id))
    assert (report.response, open_appeals) == (("confirmed", 0) if confirmed else ("appealed", 1))
    assert audits(db_session, "report.confirm", report_id) == (1 if confirmed else 0)
