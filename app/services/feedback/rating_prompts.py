"""Month-end rating prompts: who still owes which rating, and one reminder per rater.

The manager owes the manager items of their direct reports — the nearest manager up the line who has
not left, or every other HR member when nobody above is still here (docs/product.md "People
change"); each assigned peer owes the peer items of the assessments they were given, and a peer who
left owing some is replaced by the default pick before anyone is prompted. The clock calls
`prompt_missing_ratings` each working day from 09:00 while last month is still open — before the
scoring day (day 3 by default) and after it, as long as the close waits — so a rater is asked until
they have rated (or the month is scored without them); the reminder says by when, and the dedupe
key holds one reminder per rater per cycle per day. HR hears the same list by name (close_todo).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.domain.close_todo import rating_deadline, scoring_date
from app.domain.cycles import CycleStatus
from app.domain.templates import Rater
from app.domain.workflow import acting_manager
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Employee,
    Indicator,
    OutboxMessage,
    PeerRater,
    Rating,
)
from app.services import settings
from app.services.authz import Actor
from app.services.business_time import business_today
from app.services.feedback import peers
from app.services.notify import outbox
from app.services.usecase import get_or_404, use_case

LINES_SHOWN = 10


@dataclass(frozen=True)
class RatingTask:
    """One rating one person owes (or has given)."""

    rater_id: int
    rater_kind: str
    assessment_id: int
    assessment_item_id: int
    employee_id: int
    indicator_code: str
    rated: bool


def rating_tasks(cycle_id: int) -> list[RatingTask]:
    """Every manager and peer rating the cycle asks for, done or not (a few set-based queries)."""
    items = db.session.execute(
        select(AssessmentItem.id, AssessmentItem.rater, AssessmentItem.indicator_code, Assessment.id,
               Assessment.employee_id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(Assessment.cycle_id == cycle_id, AssessmentItem.rater.in_((Rater.MANAGER.value, Rater.PEER.value)))
        .order_by(Assessment.id, AssessmentItem.sort)).all()
    given = set(db.session.execute(
        select(Rating.assessment_item_id, Rating.rater_kind, Rating.rater_id).join(AssessmentItem)
        .join(Assessment).where(Assessment.cycle_id == cycle_id)).all())
    managed = {(item_id, kind) for item_id, kind, _ in given if kind == Rater.MANAGER.value}
    peers: dict[int, list[int]] = {}
    for assessment_id, rater_id in db.session.execute(
            select(PeerRater.assessment_id, PeerRater.rater_id).join(Assessment)
            .where(Assessment.cycle_id == cycle_id).order_by(PeerRater.rater_id)):
        peers.setdefault(assessment_id, []).append(rater_id)
    people = db.session.execute(select(Employee.id, Employee.manager_id, Employee.status, Employee.is_hr)).all()
    manager_of = {p.id: p.manager_id for p in people}
    active = {p.id for p in people if p.status == "active"}
    hr = sorted(p.id for p in people if p.is_hr and p.id in active)
    tasks = []
    for item_id, kind, code, assessment_id, employee_id in items:
        if kind == Rater.MANAGER.value:
            manager = acting_manager(employee_id, manager_of, active)
            raters = [manager] if manager is not None else [h for h in hr if h != employee_id]
            tasks += [RatingTask(rater, kind, assessment_id, item_id, employee_id, code, (item_id, kind) in managed)
                      for rater in raters]
        elif kind == Rater.PEER.value:
            tasks += [RatingTask(rater, kind, assessment_id, item_id, employee_id, code,
                                 (item_id, kind, rater) in given)
                      for rater in peers.get(assessment_id, [])]
    return tasks


def missing_ratings(cycle_id: int) -> dict[int, list[RatingTask]]:
    """Rater id → the ratings they still owe in the cycle."""
    missing: dict[int, list[RatingTask]] = {}
    for task in rating_tasks(cycle_id):
        if not task.rated:
            missing.setdefault(task.rater_id, []).append(task)
    return missing


def my_rating_tasks(cycle_id: int, who: Actor) -> list[dict[str, Any]]:
    """What the actor is asked to rate in the cycle (the bot's and mini-program's to-do list)."""
    mine = [t for t in rating_tasks(cycle_id) if t.rater_id == who.employee_id]
    names, indicators = _names([t.employee_id for t in mine]), _indicators()
    return [{"assessment_item_id": t.assessment_item_id, "employee_id": t.employee_id, "employee": names[t.employee_id],
             "indicator": t.indicator_code, "name": indicators[t.indicator_code], "rater_kind": t.rater_kind,
             "rated": t.rated} for t in mine]


def open_rating_tasks(who: Actor) -> list[dict[str, Any]]:
    """What the actor is asked to rate in the months open now, each task naming its month."""
    cycles = db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN).order_by(Cycle.id)).all()
    return [{**task, "month": f"{c.year}年{c.month}月"} for c in cycles for task in my_rating_tasks(c.id, who)]


@use_case
def prompt_missing_ratings(cycle_id: int, now: datetime) -> int:
    """One reminder to each rater who still owes ratings; returns how many were newly enqueued."""
    cycle = get_or_404(Cycle, cycle_id, "考核周期")
    peers.replace_departed(cycle_id)
    missing = missing_ratings(cycle_id)
    today = business_today(now)
    deadline = rating_deadline(scoring_date(cycle.year, cycle.month, settings.of_cycle(cycle).scoring_day), today)
    day = today.isoformat()
    keys = {rater: f"rating-prompt:{cycle_id}:{rater}:{day}" for rater in missing}
    sent = set(db.session.scalars(select(OutboxMessage.dedupe_key)
                                  .where(OutboxMessage.dedupe_key.in_(list(keys.values())))))
    names = _names([t.employee_id for tasks in missing.values() for t in tasks])
    indicators = _indicators()
    count = 0
    for rater, tasks in missing.items():
        if keys[rater] in sent:
            continue
        manages = any(t.rater_kind == Rater.MANAGER.value for t in tasks)
        outbox.enqueue(rater, "reminder", title=f"{cycle.label}评分待完成", summary=f"还有{len(tasks)}项评分待完成",
                       body=_body(cycle.label, tasks, names, indicators, deadline), dedupe_key=keys[rater], now=now,
                       audience="manager" if manages else "employee",
                       page="pages/ratings/index",
                       data={"cycle_id": cycle_id, "missing": len(tasks)})
        count += 1
    db.session.commit()
    return count


def _body(label: str, tasks: list[RatingTask], names: dict[int, str], indicators: dict[str, str],
          deadline: str) -> str:
    per_person: dict[int, list[str]] = {}
    for task in tasks:
        per_person.setdefault(task.employee_id, []).append(indicators[task.indicator_code])
    lines = [f"{n}. {names[e]}：{'、'.join(codes)}" for n, (e, codes) in enumerate(per_person.items(), 1)]
    more = len(lines) - LINES_SHOWN
    shown = lines[:LINES_SHOWN] + ([f"……另有{more}人"] if more > 0 else [])
    return (f"【{label}评分】以下评分尚未完成，{deadline}：\n" + "\n".join(shown)
            + "\n在企业微信或公众号里回复“评分”，逐一回复1–5的分数即可完成")


def _names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Employee.id, Employee.name).where(Employee.id.in_(set(ids)))).all())


def _indicators() -> dict[str, str]:
    return dict(db.session.execute(select(Indicator.code, Indicator.name)).all())
