"""Who may do what, service by service and role by role (docs/product.md "Roles").

Each row is one service with the team whose case it acts on; each role gets a fresh case about a
person of that team: themselves (self), the person's lead (manager_in), another team's lead
(manager_out), an HR member (hr), the admin, an HR member acting on their own case (own_case) and a
colleague in the same team (an assigned peer rater where the service has peers). An allowed call
succeeds; a refused one raises 403 and leaves the database exactly as it was.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.extensions import db
from app.models import Comment, Cycle, Observation, OutboxMessage, Outcome
from app.services.cycle import outcomes, targets
from app.services.feedback import appeals, comments, peers, ratings
from app.services.observations import corrections
from app.services.scoring import progress, reading, reports
from tests.support.checksums import fingerprint
from tests.support.people import IN_OCT_WINDOW, NOV_NOW, Cast, actor, assessment_of, entries_with, item_of, report_of

ROLES = ("self", "manager_in", "manager_out", "hr", "admin", "own_case", "colleague")


def subject_and_actor(cast: Cast, dept: str, role: str, index: int) -> tuple[int, int]:
    """(person concerned, person acting) for a role; plain subjects are distinct per role where the
    team is big enough, and the colleague is never one of them."""
    team = cast.teams[dept]
    colleague = team.members[-1]
    plain = team.members[:-1]
    subject = team.hr_member if role == "own_case" else plain[index % len(plain)]
    acting = {
        "self": subject, "own_case": subject, "manager_in": team.lead, "manager_out": cast.teams["cs"].lead,
        "hr": cast.hr, "admin": cast.admin, "colleague": colleague,
    }[role]
    return subject, acting


# -- one fresh case per call: set-up runs first, the returned call is what is authorised -----------

def _progress(cast, subject, acting, n):
    assessment = assessment_of(subject, 11)
    progress.recompute(assessment.id, date(2026, 11, 26))
    return lambda who: reading.view_progress(assessment.id, who)


def _report(cast, subject, acting, n):
    report_id = report_of(subject).id
    return lambda who: reports.view_report(report_id, who, now=IN_OCT_WINDOW)


def _ratings_view(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 10).id
    return lambda who: ratings.ratings_view(assessment_id, who)


def _targets_view(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 11).id
    return lambda who: targets.targets_view(assessment_id, who)


def _entry(subject):
    return entries_with(subject, "design_on_time_share", date(2026, 11, 26))


def _list_comments(cast, subject, acting, n):
    entry_id = _entry(subject)[0].id
    return lambda who: comments.list_comments(who, progress_entry_id=entry_id)


def _comment(cast, subject, acting, n):
    entry_id = _entry(subject)[0].id
    return lambda who: comments.add_comment(who, "主图点击率提升明显，继续保持", progress_entry_id=entry_id,
                                            now=NOV_NOW)


def _rate_manager(cast, subject, acting, n):
    item_id = item_of(assessment_of(subject, 11), "ops_teamwork").id
    return lambda who: ratings.rate_item(item_id, "4", who, "配合积极", now=NOV_NOW)


def _peer_case(cast, subject):
    assessment = assessment_of(subject, 11)
    others = [m for m in cast.teams["warehouse"].members if m != subject]
    peers.choose_peers(assessment.id, actor(cast.hr), [others[-1], others[0]], now=NOV_NOW)
    return assessment


def _rate_peer(cast, subject, acting, n):
    item_id = item_of(_peer_case(cast, subject), "wh_team_cooperation").id
    return lambda who: ratings.rate_item(item_id, "5", who, now=NOV_NOW)


def _choose_peers(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 11).id
    return lambda who: peers.choose_peers(assessment_id, who, now=NOV_NOW)


def _view_peers(cast, subject, acting, n):
    assessment_id = _peer_case(cast, subject).id
    return lambda who: peers.peer_raters(assessment_id, who)


def _acknowledge(cast, subject, acting, n):
    assessment = assessment_of(subject, 11)
    assessment.acknowledged_at = None
    db.session.commit()
    return lambda who: targets.acknowledge_targets(assessment.id, who, now=NOV_NOW)


def _amend(cast, subject, acting, n):
    item_id = item_of(assessment_of(subject, 11), "ops_sales").id
    return lambda who: targets.amend_target(item_id, "90000", "店铺活动取消，目标下调", who, now=NOV_NOW)


def _one_more(subject, n) -> tuple[int, str, str]:
    """An entry of the person's and its on-time figure with one more asset delivered on time."""
    entry = _entry(subject)[n]
    figure = db.session.scalar(select(Observation).where(Observation.progress_entry_id == entry.id,
                                                         Observation.indicator_code == "design_on_time_share"))
    return entry.id, str(figure.numerator + 1), str(figure.denominator + 1)


def _request_correction(cast, subject, acting, n):
    entry_id, num, den = _one_more(subject, n)
    return lambda who: corrections.request_correction(entry_id, "design_on_time_share", num, den,
                                                      "漏报一张准时交付的图", who, now=NOV_NOW)


def _decide_correction(cast, subject, acting, n):
    entry_id, num, den = _one_more(subject, n)
    request = corrections.request_correction(entry_id, "design_on_time_share", num, den, "漏报", actor(subject),
                                             now=NOV_NOW)
    return lambda who: corrections.decide_correction(request.id, True, "", who, now=NOV_NOW)


def _confirm(cast, subject, acting, n):
    report_id = report_of(subject).id
    return lambda who: reports.confirm_report(report_id, who, now=IN_OCT_WINDOW)


def _file_appeal(cast, subject, acting, n):
    report_id = report_of(subject).id
    return lambda who: appeals.file_appeal(report_id, "ops_ad_roi", "3.6", "广告归因延迟，后台数据更高", [], who,
                                           now=IN_OCT_WINDOW)


def _open_appeal(subject):
    return appeals.file_appeal(report_of(subject).id, "ops_ad_roi", "3.6", "广告归因延迟", [], actor(subject),
                               now=IN_OCT_WINDOW)


def _decide_appeal(cast, subject, acting, n):
    appeal_id = _open_appeal(subject).id
    return lambda who: appeals.decide_appeal(appeal_id, True, "核实后台数据无误", who,
                                             now=IN_OCT_WINDOW + timedelta(hours=1))


def _decide_escalated(cast, subject, acting, n):
    appeal = _open_appeal(subject)
    appeals.escalate_due(appeal.escalate_at)
    appeal_id = appeal.id
    return lambda who: appeals.decide_appeal(appeal_id, False, "证据不足", who,
                                             now=appeal.escalate_at + timedelta(hours=1))


def _decide_outcome(cast, subject, acting, n):
    october = db.session.scalar(select(Cycle.id).where(Cycle.month == 10))
    outcome = Outcome(employee_id=subject, cycle_id=october, kind="training", reason="测试用培训安排")
    db.session.add(outcome)
    db.session.commit()
    outcome_id = outcome.id
    return lambda who: outcomes.decide(outcome_id, approve=True, actor_id=who.employee_id, now=NOV_NOW)


Y, N = True, False
# service: (team, case builder, writes?, the roles allowed — every other role is refused)
TABLE = {
    "view_progress": ("ops", _progress, N, "self manager_in hr own_case"),
    "view_report": ("ops", _report, N, "self manager_in hr own_case"),
    "view_ratings": ("ops", _ratings_view, N, "self manager_in hr own_case"),
    "view_targets": ("ops", _targets_view, N, "self manager_in hr own_case"),
    "list_comments": ("design", _list_comments, N, "self manager_in hr own_case"),
    "comment": ("design", _comment, Y, "self manager_in own_case"),
    "rate_manager": ("ops", _rate_manager, Y, "manager_in"),
    "rate_peer": ("warehouse", _rate_peer, Y, "colleague"),
    "choose_peers": ("warehouse", _choose_peers, Y, "hr"),
    "view_peers": ("warehouse", _view_peers, N, "manager_in hr"),
    "acknowledge_targets": ("ops", _acknowledge, Y, "self own_case"),
    "amend_target": ("ops", _amend, Y, "hr"),
    "request_correction": ("design", _request_correction, Y, "self own_case"),
    "decide_correction": ("design", _decide_correction, Y, "manager_in hr"),
    "confirm_report": ("ops", _confirm, Y, "self own_case"),
    "file_appeal": ("ops", _file_appeal, Y, "self own_case"),
    "decide_appeal": ("ops", _decide_appeal, Y, "manager_in"),
    "decide_escalated_appeal": ("ops", _decide_escalated, Y, "hr"),
    "decide_outcome": ("ops", _decide_outcome, Y, "hr"),
}


def test_the_table_names_only_known_roles():
    assert all(set(allowed.split()) <= set(ROLES) for _, _, _, allowed in TABLE.values())


@pytest.mark.parametrize("service", sorted(TABLE))
def test_each_role_is_allowed_or_refused_with_nothing_written(db_session, cast, service):
    dept, build, writes, roles = TABLE[service]
    allowed = {role: role in roles.split() for role in ROLES}
    outcomes_seen = {}
    for index, role in enumerate(ROLES):
        subject, acting = subject_and_actor(cast, dept, role, index)
        call = build(cast, subject, acting, index)
        who = actor(acting)
        before = fingerprint(db_session)
        if allowed[role]:
            result = call(who)
            assert result is not None, (service, role)
            assert (fingerprint(db_session) != before) == writes, (service, role, "writes")
            outcomes_seen[role] = "allowed"
        else:
            with pytest.raises(ApiError) as refused:
                call(who)
            assert refused.value.status == 403, (service, role, refused.value.code, refused.value.message)
            assert fingerprint(db_session) == before, (service, role, "wrote something")
            outcomes_seen[role] = "refused"
    assert outcomes_seen == {role: "allowed" if ok else "refused" for role, ok in allowed.items()}


def test_a_managers_comment_reaches_the_employee_and_the_reply_reaches_the_manager(db_session, cast):
    member, lead = cast.member("design", 0), cast.teams["design"].lead
    entry_id = entries_with(member, "design_on_time_share", date(2026, 11, 26))[0].id
    first = comments.add_comment(actor(lead), "这张主图的配色很好", progress_entry_id=entry_id, now=NOV_NOW)
    reply = comments.add_comment(actor(member), "谢谢，明天再做两版", parent_id=first.id, now=NOV_NOW)
    messages = db_session.execute(select(OutboxMessage.recipient_id, OutboxMessage.kind, OutboxMessage.audience,
                                         OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert [(m.recipient_id, m.kind, m.audience) for m in messages] == [(member, "comment", "employee"),
                                                                         (lead, "comment", "manager")]
    assert "这张主图的配色很好" in messages[0].body and "谢谢" in messages[1].body
    assert db_session.get(Comment, reply.id).progress_entry_id == entry_id
    thread = comments.list_comments(actor(member), progress_entry_id=entry_id)
    assert [c["parent_id"] for c in thread] == [None, first.id]
    with pytest.raises(ApiError) as empty:
        comments.add_comment(actor(lead), "   ", progress_entry_id=entry_id, now=NOV_NOW)
    assert empty.value.code == "invalid_input" and "body" in empty.value.fields
