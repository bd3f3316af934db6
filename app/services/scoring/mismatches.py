"""数据不一致, told once: a self-report more than 5 % off the day's figure of record (a synced or
imported figure, which stays the figure of record) is told to the person and to their nearest
active manager, once per person, item and day (app.models.MismatchNotice) — however often the bars
are recomputed and whatever the figures become later.

It is found where both figures meet: the progress recompute (app.services.scoring.progress), which
follows every submission, correction and sync run that touches an open month, renders each item's
discrepancies (app.domain.observations.discrepancies) and hands the bodies here once the bars are
stored. A drain that fails before that tells nothing; its retry does.
"""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.domain.workcalendar import WorkCalendar
from app.extensions import db
from app.models import Employee, MismatchNotice
from app.services.authz import active_managers_of
from app.services.calendar import company_calendar
from app.services.notify import outbox
from app.services.usecase import JsonDict, use_case

Key = tuple[int, str, date]  # employee id, indicator code, day
RECORD_ZH = {"verified": "系统同步数据", "imported": "导入数据"}  # what the figure of record is, for people


@use_case
def tell_new(bodies: Iterable[tuple[int, JsonDict]], now: datetime) -> int:
    """Tell each discrepancy of the rendered assessments (employee id, body) nobody was told of yet,
    remember it, commit. Returns how many (person, item, day) were told now."""
    found = {(employee_id, row["indicator"], date.fromisoformat(d["day"])): (row["name"], d)
             for employee_id, body in bodies for row in body["items"]
             for d in (row.get("data") or {}).get("discrepancies", [])}
    if not found:
        return 0
    told = {tuple(row) for row in db.session.execute(
        select(MismatchNotice.employee_id, MismatchNotice.indicator_code, MismatchNotice.day)
        .where(MismatchNotice.employee_id.in_({employee_id for employee_id, _, _ in found})))}
    new = {key: found[key] for key in sorted(found) if key not in told}
    if not new:
        return 0
    remembered = _remember(new, now)
    people = _people({employee_id for employee_id, _, _ in remembered})
    calendar = company_calendar()
    for key in remembered:
        _send(*key, *new[key], people[key[0]], now, calendar)
    db.session.commit()
    return len(remembered)


def _remember(new: dict[Key, tuple[str, JsonDict]], now: datetime) -> list[Key]:
    """Record that these days were told, in one insert; when another drain recorded some a moment
    ago, one at a time, keeping only those this one records."""
    def row(key: Key) -> MismatchNotice:
        (employee_id, code, day), d = key, new[key][1]
        return MismatchNotice(employee_id=employee_id, indicator_code=code, day=day, reported=d["reported_display"],
                              record=d["record_display"], record_provenance=d["record_provenance"], told_at=now)
    try:
        with db.session.begin_nested():
            db.session.add_all([row(key) for key in new])
        return list(new)
    except IntegrityError:
        pass
    kept = []
    for key in new:
        try:
            with db.session.begin_nested():
                db.session.add(row(key))
            kept.append(key)
        except IntegrityError:
            continue
    return kept


def _people(ids: set[int]) -> dict[int, tuple[str, int | None]]:
    """Employee id → (name, nearest active manager), in one query (a manager who left: up the chain)."""
    managers = aliased(Employee)
    rows = db.session.execute(select(Employee.id, Employee.name, Employee.manager_id, managers.status)
                              .outerjoin(managers, managers.id == Employee.manager_id).where(Employee.id.in_(ids)))
    return {employee_id: (name, manager if status == "active" else next(iter(active_managers_of(employee_id)), None))
            for employee_id, name, manager, status in rows}


def _send(employee_id: int, code: str, day: date, name: str, d: JsonDict, person: tuple[str, int | None],
          now: datetime, calendar: WorkCalendar) -> None:
    record = RECORD_ZH.get(d["record_provenance"], "系统同步数据")
    what = (f"{day.month}月{day.day}日自报的「{name}」为{d['reported_display']}，{record}为{d['record_display']}，"
            f"相差超过5%")
    data = {"indicator": code, "day": day.isoformat()}
    key = f"mismatch:{employee_id}:{code}:{day.isoformat()}"
    outbox.enqueue(employee_id, "data_mismatch", title="数据不一致", summary=f"「{name}」自报与{record}不一致",
                   body=f"【数据不一致】你{what}。考核以{record}为准；如有疑问请与主管核对。",
                   dedupe_key=key, now=now, data=data, calendar=calendar)
    person_name, manager = person
    if manager is not None:
        outbox.enqueue(manager, "data_mismatch_team", title="团队数据不一致",
                       summary=f"{person_name}「{name}」自报与{record}不一致",
                       body=f"【数据不一致】{person_name}{what}，考核以{record}为准，请核实。",
                       dedupe_key=f"{key}:manager", now=now, data={**data, "employee_id": employee_id},
                       calendar=calendar)
