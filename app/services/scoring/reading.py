"""What the mini-program's home and team pages read: an assessment's live progress, as the person's
own view or a manager's/HR's — the same snapshot, authorised by the one policy — and a manager's
whole team at a glance."""

from datetime import timedelta

from sqlalchemy import func, select

from app.domain.cycles import CycleStatus
from app.errors import ApiError
from app.extensions import db
from app.models import Alert, Assessment, Cycle, Employee, Position, ProgressEntry, ProgressSnapshot
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import clock_now, to_local
from app.services.usecase import JsonDict


def view_progress(assessment_id: int, who: Actor) -> JsonDict | None:
    """The latest progress snapshot (bars, pace, projected score), or None before the first one.
    It carries ratings only as each item's mean and count (app.domain.rendering)."""
    found = db.session.execute(select(Assessment.employee_id, ProgressSnapshot).outerjoin(ProgressSnapshot)
                               .where(Assessment.id == assessment_id)).first()  # one query: every home visit
    if found is None:
        raise ApiError("not_found", "找不到该考核表", 404)
    employee_id, snapshot = found
    require(who, Action.VIEW_PROGRESS, Subject(employee_id))
    if snapshot is None:
        return None
    return {"assessment_id": assessment_id, "as_of": snapshot.as_of.isoformat(), "body": snapshot.body,
            "computed_at": snapshot.computed_at.isoformat()}


RECENT_ALERTS = timedelta(days=7)


def _bar(item: JsonDict) -> JsonDict:
    """One item's bar as the team page draws it small: name, how full, its label and its state."""
    bar = item.get("progress") or {}
    return {"name": item["name"], "fill": bar.get("fill") or "0", "label": bar.get("label") or "",
            "state": bar.get("state") or "no_data"}  # the alerts a team row counts, and the home page lists


def team_view(who: Actor) -> list[JsonDict]:
    """A manager's team in the month in progress: everyone in their reporting subtree with each
    assessment's projected total and grade, how many items are behind pace, whether the targets
    were acknowledged, whether today's progress is in and how many alerts the last week raised
    (the mini-program's 团队 page). Refused to someone nobody reports to."""
    if not who.subtree:
        raise ApiError("not_a_manager", "只有主管可以查看团队进展", 403)
    rows = db.session.execute(
        select(Employee.id, Employee.employee_no, Employee.name, Position.name, Assessment.id,
               Assessment.acknowledged_at, ProgressSnapshot.as_of, ProgressSnapshot.body)
        .join(Assessment, Assessment.employee_id == Employee.id).join(Cycle, Cycle.id == Assessment.cycle_id)
        .outerjoin(Position, Position.id == Assessment.position_id)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.assessment_id == Assessment.id)
        .where(Employee.id.in_(who.subtree), Employee.status == "active", Cycle.status == CycleStatus.OPEN)
        .order_by(Employee.employee_no, Assessment.first_day)).all()
    people = {r[0] for r in rows}
    for employee_id in people:
        require(who, Action.VIEW_PROGRESS, Subject(employee_id))
    now = clock_now()
    submitted = set(db.session.scalars(select(ProgressEntry.assessment_id).where(
        ProgressEntry.employee_id.in_(people), ProgressEntry.day == to_local(now).date())))
    alerts = dict(db.session.execute(
        select(Alert.employee_id, func.count()).where(Alert.employee_id.in_(people),
                                                      Alert.raised_at >= now - RECENT_ALERTS)
        .group_by(Alert.employee_id)).all())
    return [{"employee_no": number, "name": name, "position": position or "", "assessment_id": assessment_id,
             "acknowledged": acknowledged is not None, "as_of": as_of.isoformat() if as_of else None,
             "total": (body or {}).get("total_display"), "grade": (body or {}).get("grade"),
             "behind": sum(1 for item in (body or {}).get("items", [])
                           if (item.get("progress") or {}).get("state") == "behind"),
             "submitted_today": assessment_id in submitted, "alerts": alerts.get(employee_id, 0),
             "bars": [_bar(item) for item in (body or {}).get("items", []) if item.get("kind") == "quantitative"]}
            for employee_id, number, name, position, assessment_id, acknowledged, as_of, body in rows]
