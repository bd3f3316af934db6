"""People change (docs/product.md "People change"): joiners, leavers, transfers and leave (请假), as
HR records them — the CLI now (`flask people …`), the console later.

Each change is one transaction with one audit row (before and after), checked by the one policy
(HR only, never about their own record) and effective-dated:

- **join**: a new employee from their first day. A first day in an open month gets an assessment
  from that day at once, its targets pro-rated and pushed; a drafted month takes the joiner in
  with its daily draft (lifecycle.draft_cycle follows the roster).
- **leave**: the last working day. The person's assessment of that month ends on it (scored on the
  days worked), an open assessment starting after it is removed, a drafted month drops them; the
  clock marks them left (status "left") the day after (`mark_leavers`), which starts the retention
  period and ends their access.
- **transfer**: a new position, department and/or manager from a day of an open month. A new
  position ends the current assessment the day before and starts one from the new position's
  template on the day (both pro-rated when scored); a department or manager alone changes no
  assessment (the position's template and calendar stay).
- **leave days (请假)**: HR records a period inside the employment, never overlapping another; the
  days count as rest days for the person at once (reminders, streaks, deadlines, the pace marker),
  so their open bars are recomputed.

A month already being scored (or later) takes no change dated in it.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from app.domain.cycles import CycleStatus
from app.domain.workcalendar import month_bounds
from app.errors import ApiError
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Comment,
    Cycle,
    Department,
    DigestLine,
    Employee,
    LeaveRecord,
    PeerRater,
    Position,
    ProgressEntry,
    ProgressSnapshot,
    Rating,
    SheetLine,
    TargetAmendment,
)
from app.services import audit
from app.services.authz import Action, Actor, Subject, require, subtree_of
from app.services.business_time import business_today
from app.services.cycle import lifecycle
from app.services.cycle.target_messages import TargetNews
from app.services.scoring import progress
from app.services.usecase import JsonDict, get_or_404, now_or_clock, require_text, use_case

LEAVE_KINDS = {"personal": "事假", "sick": "病假", "annual": "年假", "other": "其他"}
CLOSED = (CycleStatus.SCORING, CycleStatus.REVIEW, CycleStatus.PUBLISHED, CycleStatus.FINAL)


@use_case
def join_company(employee_no: str, name: str, department: str, joined_on: date, who: Actor, *,
                 position: str | None = None, manager_no: str | None = None, is_hr: bool = False,
                 now: datetime | None = None) -> Employee:
    """入职: a new employee from `joined_on`, in `department` (code), optionally in `position`
    (code) under the manager numbered `manager_no`."""
    person, added = enter_joiner(employee_no, name, department, joined_on, who, position=position,
                                 manager_no=manager_no, is_hr=is_hr, now=now)
    db.session.commit()
    progress.request_recompute(*added)
    return person


def enter_joiner(employee_no: str, name: str, department: str, joined_on: date, who: Actor, *,
                 position: str | None = None, manager_no: str | None = None, is_hr: bool = False,
                 now: datetime | None = None) -> tuple[Employee, list[int]]:
    """`join_company` in the caller's transaction (a roster import adds many, all or none): the
    person, audited, and the ids of the assessments their open months gained, for the caller to
    recompute once it commits."""
    require(who, Action.MANAGE_PEOPLE, Subject())
    now = now_or_clock(now)
    number = require_text(employee_no, "employee_no", "工号", limit=32)
    text = require_text(name, "name", "姓名", limit=64)
    if db.session.scalar(select(Employee.id).where(Employee.employee_no == number)) is not None:
        raise ApiError("employee_no_taken", f"工号「{number}」已被使用", 409, {"employee_no": "已被使用"})
    dept = _department(department)
    position_id = _position(position) if position else None
    manager = _manager(manager_no) if manager_no else None
    _month_not_closed(joined_on, "入职")
    person = Employee(employee_no=number, name=text, department_id=dept.id, position_id=position_id,
                      manager_id=manager.id if manager else None, is_hr=is_hr, joined_on=joined_on)
    db.session.add(person)
    db.session.flush()
    added = []
    if position_id is not None:
        for cycle in _open_cycles():
            first, last = month_bounds(cycle.year, cycle.month)
            if joined_on <= last:
                assessment = lifecycle.assessment_from_template(cycle, person.id, position_id,
                                                                (max(first, joined_on), last))
                if assessment is not None:
                    db.session.add(assessment)
                    db.session.flush()
                    TargetNews().enqueue(assessment, cycle, now)
                    added.append(assessment.id)
    audit.record("people.join", "employee", person.id, actor_id=who.person_id, source=who.source,
                 after={**_facts(person), "assessments_added": added})
    return person, added


@use_case
def leave_company(employee_id: int, last_day: date, who: Actor, *, now: datetime | None = None) -> Employee:
    """离职: `last_day` is the last day worked. The assessment of that month ends on it; an open
    assessment that starts later is removed. A date already past marks the person left at once."""
    person = _person(employee_id, who)
    if last_day < person.joined_on:
        raise ApiError("left_before_joining", f"离职日期不能早于入职日期（{person.joined_on.isoformat()}）", 422,
                       {"last_day": "早于入职日期"})
    _month_not_closed(last_day, "离职")
    before = {"left_on": _iso(person.left_on), "status": person.status}
    person.left_on = last_day
    if last_day < business_today(now_or_clock(now)):
        person.status = "left"
    changed: dict[str, list[int]] = {"assessments_ended": [], "assessments_removed": []}
    for cycle in _open_cycles():
        mine = _assessments(cycle, person.id)
        for index, assessment in enumerate(mine):
            if assessment.first_day > last_day:
                _remove(assessment, cycle)
                changed["assessments_removed"].append(assessment.id)
                continue
            end = min(month_bounds(cycle.year, cycle.month)[1], last_day)
            end = end if index == len(mine) - 1 else min(assessment.last_day, end)
            if end != assessment.last_day:
                assessment.last_day = end
                changed["assessments_ended"].append(assessment.id)
    audit.record("people.leave", "employee", person.id, actor_id=who.person_id, source=who.source,
                 before=before, after={"left_on": last_day.isoformat(), "status": person.status, **changed})
    db.session.commit()
    progress.request_recompute(*changed["assessments_ended"])
    return person


@use_case
def transfer(employee_id: int, effective_day: date, who: Actor, *, position: str | None = None,
             department: str | None = None, manager_no: str | None = None,
             now: datetime | None = None) -> Employee:
    """调岗: a new position, department and/or manager from `effective_day`, a day of an open month.
    A new position ends the current assessment the day before and starts one from its template."""
    person = _person(employee_id, who)
    now = now_or_clock(now)
    before = _facts(person)
    position_id = _position(position) if position else person.position_id
    department_id = _department(department).id if department else person.department_id
    manager_id = _manager(manager_no).id if manager_no else person.manager_id
    if manager_id is not None and (manager_id == person.id or manager_id in subtree_of(person.id)):
        raise ApiError("manager_loop", "新主管不能是本人或本人的下属", 422, {"manager": "汇报关系成环"})
    if (position_id, department_id, manager_id) == (person.position_id, person.department_id, person.manager_id):
        raise ApiError("nothing_to_change", "调岗至少要改变岗位、部门或主管之一", 422,
                       {"position": "与现岗位相同", "department": "与现部门相同", "manager": "与现主管相同"})
    if effective_day < person.joined_on or (person.left_on is not None and effective_day > person.left_on):
        raise ApiError("not_employed", "调岗生效日必须在入职与离职日期之间", 422, {"effective_day": "不在任职期间"})
    cycle = _open_cycle_of(effective_day)
    started: list[int] = []
    ended: list[int] = []
    if position_id != person.position_id:
        started, ended = _split(cycle, person, position_id, effective_day, now)
    person.position_id, person.department_id, person.manager_id = position_id, department_id, manager_id
    audit.record("people.transfer", "employee", person.id, actor_id=who.person_id, source=who.source,
                 before=before, after={**_facts(person), "effective_day": effective_day.isoformat(),
                                       "assessments_ended": ended, "assessments_started": started})
    db.session.commit()
    progress.request_recompute(*ended, *started)
    return person


@use_case
def record_leave(employee_id: int, first_day: date, last_day: date, kind: str, note: str, who: Actor, *,
                 now: datetime | None = None) -> LeaveRecord:
    """请假: `first_day`–`last_day` (inclusive) of `kind` (personal 事假, sick 病假, annual 年假, other 其他)."""
    person = _person(employee_id, who)
    if first_day > last_day:
        raise ApiError("invalid_period", "请假开始日期不能晚于结束日期", 422, {"last_day": "早于开始日期"})
    if kind not in LEAVE_KINDS:
        kinds = "、".join(f"{code}（{label}）" for code, label in LEAVE_KINDS.items())
        raise ApiError("unknown_leave_kind", f"请假类型应为 {kinds}", 422, {"kind": "未知类型"})
    text = require_text(note, "note", "请假说明", required=False, limit=200)
    if first_day < person.joined_on or (person.left_on is not None and last_day > person.left_on):
        raise ApiError("not_employed", "请假日期必须在入职与离职日期之间", 422, {"first_day": "不在任职期间"})
    _month_not_closed(first_day, "请假")
    clash = db.session.scalar(select(LeaveRecord).where(
        LeaveRecord.employee_id == person.id, LeaveRecord.first_day <= last_day, LeaveRecord.last_day >= first_day))
    if clash is not None:
        period = f"{clash.first_day.isoformat()}至{clash.last_day.isoformat()}"
        raise ApiError("leave_overlaps", f"与已登记的请假（{period}）重叠", 409, {"first_day": "与已有请假重叠"})
    record = LeaveRecord(employee_id=person.id, first_day=first_day, last_day=last_day, kind=kind, note=text)
    db.session.add(record)
    db.session.flush()
    audit.record("people.leave_days", "leave_record", record.id, actor_id=who.person_id, source=who.source,
                 after={"employee_id": person.id, "first_day": first_day.isoformat(),
                        "last_day": last_day.isoformat(), "kind": kind, "note": text})
    db.session.commit()
    progress.request_recompute(*db.session.scalars(select(Assessment.id).join(Cycle).where(
        Assessment.employee_id == person.id, Cycle.status == CycleStatus.OPEN,
        Assessment.first_day <= last_day, Assessment.last_day >= first_day)))
    return record


@use_case
def mark_leavers(today: date) -> list[int]:
    """The clock, once a day: everyone whose last day is past is marked left (one audit row each)."""
    due = db.session.scalars(select(Employee).where(Employee.status == "active", Employee.left_on < today)).all()
    for person in due:
        person.status = "left"
        audit.record("people.left", "employee", person.id, source="clock", before={"status": "active"},
                     after={"status": "left", "left_on": _iso(person.left_on)})
    db.session.commit()
    return [person.id for person in due]


# -- helpers -----------------------------------------------------------------------------------------

def _person(employee_id: int, who: Actor) -> Employee:
    person = get_or_404(Employee, employee_id, "员工")
    require(who, Action.MANAGE_PEOPLE, Subject(person.id))
    if person.status != "active":
        raise ApiError("already_left", f"{person.name}已离职", 409)
    return person


def _department(code: str) -> Department:
    found = db.session.scalar(select(Department).where(Department.code == code))
    if found is None:
        raise ApiError("unknown_department", f"找不到部门「{code}」", 422, {"department": "不存在"})
    return found


def _position(code: str) -> int:
    found = db.session.scalar(select(Position.id).where(Position.code == code))
    if found is None:
        raise ApiError("unknown_position", f"找不到岗位「{code}」", 422, {"position": "不存在"})
    return found


def _manager(employee_no: str) -> Employee:
    found = db.session.scalar(select(Employee).where(Employee.employee_no == employee_no))
    if found is None or found.status != "active":
        raise ApiError("unknown_manager", f"找不到在职的主管「{employee_no}」", 422, {"manager": "不存在或已离职"})
    return found


def _open_cycles() -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN)
                                   .order_by(Cycle.year, Cycle.month)))


def _month_not_closed(day: date, what_zh: str) -> None:
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == day.year, Cycle.month == day.month))
    if cycle is not None and cycle.status in CLOSED:
        raise ApiError("month_closed", f"{cycle.label}考核已进入评分，不能再办理该月生效的{what_zh}", 409,
                       {"day": day.isoformat()})


def _open_cycle_of(day: date) -> Cycle:
    """The open month a transfer takes effect in; a later month that already opened keeps the old
    position, so the day must fall in the latest open month."""
    cycles = _open_cycles()
    labels = "、".join(c.label for c in cycles) or "无"
    latest = cycles[-1] if cycles else None
    if latest is None or (day.year, day.month) != (latest.year, latest.month):
        raise ApiError("not_in_open_month", f"调岗生效日须在进行中的考核月内（当前：{labels}）；"
                       "下月生效的调岗请在下月开始后办理", 409, {"effective_day": day.isoformat()})
    return latest


def _assessments(cycle: Cycle, employee_id: int) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(
        Assessment.cycle_id == cycle.id, Assessment.employee_id == employee_id)
        .order_by(Assessment.first_day)))


def _split(cycle: Cycle, person: Employee, position_id: int | None, day: date,
           now: datetime) -> tuple[list[int], list[int]]:
    """End the assessment that holds `day` the day before and start one in the new position on it;
    one that starts on the day itself is replaced (its row takes the new position's items)."""
    mine = _assessments(cycle, person.id)
    if any(a.first_day > day for a in mine):
        raise ApiError("later_assessment", "该员工在生效日之后已有考核表（已办理过更晚的调岗），请先核对", 409,
                       {"effective_day": day.isoformat()})
    _, month_last = month_bounds(cycle.year, cycle.month)
    current = next((a for a in mine if a.first_day <= day <= a.last_day), None)
    last = current.last_day if current else min(month_last, person.left_on or month_last)
    fresh = (lifecycle.assessment_from_template(cycle, person.id, position_id, (day, last))
             if position_id is not None else None)
    if current is not None and current.first_day == day:
        if fresh is None:
            _remove(current, cycle)
            return [], []
        _check_unused(current, cycle, with_progress=False)
        _drop_computed(current)
        current.items = []
        db.session.flush()
        current.position_id, current.currency, current.acknowledged_at = fresh.position_id, fresh.currency, None
        current.items = [AssessmentItem(indicator_code=i.indicator_code, sort=i.sort, weight=i.weight, target=i.target,
                                        cap=i.cap, floor=i.floor, rater=i.rater, method=i.method) for i in fresh.items]
        db.session.flush()
        TargetNews().enqueue(current, cycle, now, dedupe_key=f"targets:{current.id}:position:{position_id}")
        return [current.id], []
    ended: list[int] = []
    if fresh is not None:
        db.session.add(fresh)
        db.session.flush()
        TargetNews().enqueue(fresh, cycle, now)
    if current is not None:
        if fresh is not None:
            db.session.execute(update(ProgressEntry).where(ProgressEntry.assessment_id == current.id,
                                                           ProgressEntry.day >= day).values(assessment_id=fresh.id))
        current.last_day = day - timedelta(days=1)
        ended.append(current.id)
    return ([fresh.id] if fresh is not None else []), ended


def _remove(assessment: Assessment, cycle: Cycle) -> None:
    """Delete an open assessment that covers no day any more, with what was computed for it; one
    that holds what people entered (ratings, HR's lines, amendments, comments, progress) stays."""
    _check_unused(assessment, cycle, with_progress=True)
    _drop_computed(assessment)
    db.session.delete(assessment)
    db.session.flush()


def _check_unused(assessment: Assessment, cycle: Cycle, *, with_progress: bool) -> None:
    items = select(AssessmentItem.id).where(AssessmentItem.assessment_id == assessment.id)
    checks = [(Rating, Rating.assessment_item_id.in_(items)), (SheetLine, SheetLine.assessment_id == assessment.id),
              (TargetAmendment, TargetAmendment.assessment_item_id.in_(items)),
              (Comment, Comment.assessment_id == assessment.id)]
    if with_progress:
        checks.append((ProgressEntry, ProgressEntry.assessment_id == assessment.id))
    if any(db.session.scalar(select(func.count()).select_from(model).where(where)) for model, where in checks):
        raise ApiError("assessment_in_use", f"{cycle.label}从{assessment.first_day.isoformat()}开始的考核表已有评分、"
                       "进展或加减分记录，不能删除；请核对生效日期", 409, {"assessment_id": assessment.id})


def _drop_computed(assessment: Assessment) -> None:
    """What was computed or picked for an assessment: its bars, its default peer raters, digest links."""
    db.session.execute(delete(ProgressSnapshot).where(ProgressSnapshot.assessment_id == assessment.id))
    db.session.execute(delete(PeerRater).where(PeerRater.assessment_id == assessment.id))
    db.session.execute(update(DigestLine).where(DigestLine.assessment_id == assessment.id).values(assessment_id=None))


def _facts(person: Employee) -> JsonDict:
    facts: dict[str, Any] = {"employee_no": person.employee_no, "name": person.name,
                             "department_id": person.department_id, "position_id": person.position_id,
                             "manager_id": person.manager_id, "joined_on": person.joined_on.isoformat(),
                             "is_hr": person.is_hr}
    return facts


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
