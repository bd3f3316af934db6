"""Peer raters (同事评分人) of an assessment (docs/product.md "People change"): same department, at least
two, never the person or anyone they report to; picked by default, replaceable by HR. A rater who
left still owing ratings gives way to the default pick (`replace_departed`, the clock).

The list is shown to HR and the person's managers, never to the rated person: they learn only the
mean of their peers' ratings (app.services.feedback.ratings).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select

from app.domain.cycles import CycleStatus
from app.domain.templates import Rater
from app.domain.workflow import PEER_COUNT, Colleague, pick_peers
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, AssessmentItem, Cycle, Employee, PeerRater, Rating
from app.services import audit
from app.services.authz import Action, Actor, Subject, managers_of, require, system
from app.services.lookup import cycle_of
from app.services.usecase import changed_rows, get_or_404, now_or_clock, use_case

OPEN_STATES = (CycleStatus.DRAFT, CycleStatus.OPEN)


@use_case
def choose_peers(assessment_id: int, who: Actor, rater_ids: list[int] | None = None, *,
                 now: datetime | None = None) -> list[int]:
    """Set an assessment's peer raters and return them. `rater_ids` None picks the default (HR may
    ask for it again); a list replaces them (HR only). The clock's default pick at opening (the
    system actor) never overrides a choice already made. A removed rater's ratings go with them."""
    now = now_or_clock(now)
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    default_pick = who.system is not None and rater_ids is None
    require(who, Action.ASSIGN_DEFAULT_PEERS if default_pick else Action.CHOOSE_PEERS, Subject(assessment.employee_id))
    peer_items = [i.id for i in assessment.items if i.rater == Rater.PEER.value]
    if not peer_items:
        raise ApiError("no_peer_items", "该考核表没有同事评分项", 422)
    if cycle_of(assessment).status not in OPEN_STATES:
        raise ApiError("peers_closed", "本月考核已进入评分，不能再调整同事评分人", 409)
    current = set(db.session.scalars(select(PeerRater.rater_id).where(PeerRater.assessment_id == assessment.id)))
    if default_pick and current:
        return sorted(current)
    wanted = _default(assessment) if rater_ids is None else _validated(assessment, rater_ids)
    if len(wanted) < PEER_COUNT:
        message = (f"同部门可评分的同事不足{PEER_COUNT}人，请人事手动指定" if rater_ids is None
                   else f"请至少选择{PEER_COUNT}名同事作为评分人")
        raise ApiError("not_enough_peers", message, 422, {"rater_ids": f"至少{PEER_COUNT}人"})
    if set(wanted) != current:
        _replace(assessment, peer_items, current, wanted, who)
        db.session.commit()
    return sorted(wanted)


@use_case
def assign_default_peers(cycle_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """Give every assessment of a cycle with a peer item its default peers, where it has none yet
    (the clock at opening; safe to repeat). Those without enough colleagues are listed for HR."""
    ids = db.session.scalars(select(Assessment.id).join(AssessmentItem).where(
        Assessment.cycle_id == cycle_id, AssessmentItem.rater == Rater.PEER.value)
        .distinct().order_by(Assessment.id)).all()
    assigned, short, clock = 0, [], system("clock")
    for assessment_id in ids:
        try:
            choose_peers(assessment_id, clock, now=now)
            assigned += 1
        except ApiError as err:
            if err.code != "not_enough_peers":
                raise
            short.append(assessment_id)
    return {"assigned": assigned, "without_enough_peers": short}


@use_case
def replace_departed(cycle_id: int) -> dict[str, Any]:
    """Peer raters who left while still owing ratings of a draft or open month give way to the
    default pick (the system's, like the pick at opening; HR may choose again). Their unfinished
    ratings go with them; a leaver who rated everything stays. Returns the assessments changed and
    those left without enough colleagues, for HR."""
    cycle = get_or_404(Cycle, cycle_id, "考核周期")
    if cycle.status not in OPEN_STATES:
        return {"replaced": [], "without_enough_peers": []}
    gone: dict[int, set[int]] = {}
    for assessment_id, rater_id in db.session.execute(
            select(PeerRater.assessment_id, PeerRater.rater_id).join(Assessment)
            .join(Employee, Employee.id == PeerRater.rater_id)
            .where(Assessment.cycle_id == cycle_id, Employee.status == "left")):
        gone.setdefault(assessment_id, set()).add(rater_id)
    clock, replaced, short = system("clock"), [], []
    for assessment_id, leavers in sorted(gone.items()):
        assessment = get_or_404(Assessment, assessment_id, "考核表")
        require(clock, Action.ASSIGN_DEFAULT_PEERS, Subject(assessment.employee_id))
        peer_items = [i.id for i in assessment.items if i.rater == Rater.PEER.value]
        done = db.session.execute(select(Rating.rater_id, func.count()).where(
            Rating.assessment_item_id.in_(peer_items), Rating.rater_kind == Rater.PEER.value,
            Rating.rater_id.in_(leavers)).group_by(Rating.rater_id)).all()
        owing = leavers - {rater for rater, count in done if count >= len(peer_items)}
        if not owing:
            continue
        current = set(db.session.scalars(select(PeerRater.rater_id).where(PeerRater.assessment_id == assessment_id)))
        keep = sorted(current - owing)
        me, colleagues, managers = _colleagues(assessment)
        fill = pick_peers(assessment.id, me, [c for c in colleagues if c.employee_id not in current], managers,
                          count=max(PEER_COUNT - len(keep), 0))
        _replace(assessment, peer_items, current, keep + fill, clock)
        replaced.append(assessment_id)
        if len(keep) + len(fill) < PEER_COUNT:
            short.append(assessment_id)
    db.session.commit()
    return {"replaced": replaced, "without_enough_peers": short}


def peer_raters(assessment_id: int, who: Actor) -> list[dict[str, Any]]:
    """Who rates the assessment's peer items, and whether they have: for HR and the managers."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.VIEW_PEERS, Subject(assessment.employee_id))
    rated = set(db.session.scalars(select(Rating.rater_id).join(AssessmentItem).where(
        AssessmentItem.assessment_id == assessment.id, Rating.rater_kind == Rater.PEER.value)))
    rows = db.session.execute(select(Employee.id, Employee.name).join(PeerRater, PeerRater.rater_id == Employee.id)
                              .where(PeerRater.assessment_id == assessment.id).order_by(Employee.id))
    return [{"employee_id": i, "name": name, "rated": i in rated} for i, name in rows]


def peer_candidates(assessment_id: int, who: Actor) -> list[dict[str, Any]]:
    """Whom HR may choose as the assessment's peer raters: active colleagues of the department,
    never the person or anyone they report to."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.CHOOSE_PEERS, Subject(assessment.employee_id))
    me, colleagues, managers = _colleagues(assessment)
    allowed = [c.employee_id for c in colleagues if c.employee_id != me.employee_id and c.employee_id not in managers]
    names = dict(db.session.execute(select(Employee.id, Employee.name).where(Employee.id.in_(allowed))).all())
    return [{"employee_id": i, "name": names[i]} for i in sorted(allowed)]


def _colleagues(assessment: Assessment) -> tuple[Colleague, list[Colleague], set[int]]:
    """The person, their active department colleagues during the assessment, and who they report to."""
    person = db.session.get(Employee, assessment.employee_id)
    assert person is not None, "an assessment's employee exists (foreign key)"
    rows = db.session.execute(select(Employee.id, Employee.position_id, Employee.manager_id).where(
        Employee.department_id == person.department_id, Employee.status == "active",
        Employee.joined_on <= assessment.last_day,
        or_(Employee.left_on.is_(None), Employee.left_on >= assessment.first_day)))
    me = Colleague(person.id, person.position_id, person.manager_id)
    return me, [Colleague(*row) for row in rows], set(managers_of(person.id))


def _default(assessment: Assessment) -> list[int]:
    me, colleagues, managers = _colleagues(assessment)
    return pick_peers(assessment.id, me, colleagues, managers)


def _validated(assessment: Assessment, rater_ids: list[int]) -> list[int]:
    me, colleagues, managers = _colleagues(assessment)
    allowed = {c.employee_id for c in colleagues}
    problems = {}
    for rater in rater_ids:
        if rater == me.employee_id:
            problems[str(rater)] = "不能由本人评自己"
        elif rater in managers:
            problems[str(rater)] = "主管不能作为同事评分人"
        elif rater not in allowed:
            problems[str(rater)] = "只能选择同部门在职的同事"
    if len(set(rater_ids)) != len(rater_ids):
        problems["rater_ids"] = "评分人不能重复"
    if problems:
        raise ApiError("peers_invalid", "；".join(dict.fromkeys(problems.values())), 422, problems)
    return list(rater_ids)


def _replace(assessment: Assessment, peer_items: list[int], current: set[int], wanted: list[int],
             who: Actor) -> None:
    removed = current - set(wanted)
    dropped = 0
    if removed:
        db.session.execute(delete(PeerRater).where(PeerRater.assessment_id == assessment.id,
                                                   PeerRater.rater_id.in_(removed)))
        dropped = changed_rows(delete(Rating).where(
            Rating.assessment_item_id.in_(peer_items), Rating.rater_kind == Rater.PEER.value,
            Rating.rater_id.in_(removed)))
    chosen_by = who.person_id
    for rater in wanted:
        if rater not in current:
            db.session.add(PeerRater(assessment_id=assessment.id, rater_id=rater, chosen_by=chosen_by))
    audit.record("peers.choose", "assessment", assessment.id, actor_id=chosen_by, source=who.source,
                 before={"raters": sorted(current)}, after={"raters": sorted(wanted), "ratings_removed": dropped})
