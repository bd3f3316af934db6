"""The company's people as HR sees them: who works where under whom, which WeChat channels each
person has bound, and who no message reaches and why (recorded by delivery, app.services.notify)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.errors import ApiError
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    AuditLog,
    ConsoleLogin,
    Cycle,
    Department,
    Employee,
    LeaveRecord,
    NotifyState,
    Position,
    WeChatIdentity,
)
from app.services.audit import ACTIONS_ZH
from app.services.authz import Action, Actor, Subject, require
from app.services.notify.wechat_status import CHANNEL_NAMES
from app.services.org.people import LEAVE_KINDS
from app.services.usecase import JsonDict


@dataclass(frozen=True)
class PersonRow:
    id: int
    employee_no: str
    name: str
    department: str
    position: str | None
    manager: str | None
    status: str
    joined_on: date
    left_on: date | None
    is_hr: bool
    is_admin: bool
    channels: tuple[str, ...]  # bound WeChat channels, by their Chinese names
    unreachable: str | None  # why no message reaches them, when none does


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    active: int
    unbound: int


@dataclass(frozen=True)
class LoginRow:
    """An HR member or admin and their console account (None: no password yet)."""

    id: int
    employee_no: str
    name: str
    roles: str
    has_login: bool
    must_change: bool
    locked_until: datetime | None
    last_sign_in_at: datetime | None


def people(who: Actor, *, department: str | None = None, search: str = "",
           with_leavers: bool = False, only: int | None = None) -> list[PersonRow]:
    """Everyone (or one department's people, or those whose name or number contains `search`),
    by department and number."""
    require(who, Action.MANAGE_PEOPLE, Subject())
    manager = aliased(Employee)
    query = (select(Employee, Department.name.label("department"), Position.name.label("position"),
                    manager.name.label("manager"), NotifyState.unreachable_reason)
             .join(Department, Department.id == Employee.department_id)
             .outerjoin(Position, Position.id == Employee.position_id)
             .outerjoin(manager, manager.id == Employee.manager_id)
             .outerjoin(NotifyState, NotifyState.employee_id == Employee.id)
             .order_by(Department.id, Employee.employee_no))
    if department:
        query = query.where(Department.code == department)
    if search.strip():
        like = f"%{search.strip()}%"
        query = query.where(Employee.name.like(like) | Employee.employee_no.like(like))
    if not with_leavers:
        query = query.where(Employee.status == "active")
    if only is not None:
        query = query.where(Employee.id == only)
    rows = db.session.execute(query).all()
    channels = _channels([row.Employee.id for row in rows])
    return [PersonRow(row.Employee.id, row.Employee.employee_no, row.Employee.name, row.department, row.position,
                      row.manager, row.Employee.status, row.Employee.joined_on, row.Employee.left_on,
                      bool(row.Employee.is_hr), bool(row.Employee.is_admin), channels.get(row.Employee.id, ()),
                      row.unreachable_reason)
            for row in rows]


def departments(who: Actor) -> list[DepartmentRow]:
    """Each department with its active headcount and how many of them have bound no WeChat channel."""
    require(who, Action.MANAGE_PEOPLE, Subject())
    rows = db.session.execute(select(Department.code, Department.name, Employee.id)
                              .outerjoin(Employee, (Employee.department_id == Department.id)
                                         & (Employee.status == "active")).order_by(Department.id)).all()
    bound = set(db.session.scalars(select(WeChatIdentity.employee_id).distinct()))
    totals: dict[tuple[str, str], list[int]] = defaultdict(list)
    for code, name, employee_id in rows:
        totals[(code, name)] += [employee_id] if employee_id is not None else []
    return [DepartmentRow(code, name, len(ids), sum(1 for i in ids if i not in bound))
            for (code, name), ids in totals.items()]


def console_logins(who: Actor) -> list[LoginRow]:
    """The active HR members and admins, with their console accounts (admins only)."""
    require(who, Action.RESET_PASSWORD, Subject())
    rows = db.session.execute(
        select(Employee, ConsoleLogin).outerjoin(ConsoleLogin, ConsoleLogin.employee_id == Employee.id)
        .where(Employee.status == "active", Employee.is_hr | Employee.is_admin).order_by(Employee.employee_no)).all()
    return [LoginRow(person.id, person.employee_no, person.name,
                     "、".join(role for role, has in (("人事", person.is_hr), ("管理员", person.is_admin)) if has),
                     login is not None, bool(login and login.must_change), login.locked_until if login else None,
                     login.last_sign_in_at if login else None)
            for person, login in rows]


def _channels(employee_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    for employee_id, channel in db.session.execute(
            select(WeChatIdentity.employee_id, WeChatIdentity.channel).order_by(WeChatIdentity.channel)):
        found[employee_id].append(CHANNEL_NAMES.get(channel, channel))
    wanted = set(employee_ids)
    return {k: tuple(v) for k, v in found.items() if k in wanted}


def person(who: Actor, employee_id: int) -> JsonDict:
    """One person for HR: their facts, their assessments in months not yet scored (the targets HR
    may still amend), and what was recorded about them and their items (the audit rows, newest first)."""
    require(who, Action.MANAGE_PEOPLE, Subject())
    found = people(who, with_leavers=True, only=employee_id)
    if not found:
        raise ApiError("employee_not_found", "找不到该员工", 404)
    assessments = db.session.execute(
        select(Assessment.id, Cycle.year, Cycle.month, Cycle.status, Assessment.first_day, Assessment.last_day)
        .join(Cycle, Cycle.id == Assessment.cycle_id)
        .where(Assessment.employee_id == employee_id, Cycle.status.in_(("draft", "open")))
        .order_by(Cycle.year, Cycle.month, Assessment.first_day)).all()
    items = select(AssessmentItem.id).join(Assessment).where(Assessment.employee_id == employee_id)
    leave = db.session.scalars(select(LeaveRecord).where(LeaveRecord.employee_id == employee_id)
                               .order_by(LeaveRecord.first_day.desc()).limit(20)).all()
    actor_name = aliased(Employee)
    history = db.session.execute(
        select(AuditLog, actor_name.name).outerjoin(actor_name, actor_name.id == AuditLog.actor_id)
        .where(((AuditLog.entity == "employee") & (AuditLog.entity_id == employee_id))
               | ((AuditLog.entity == "assessment_item") & AuditLog.entity_id.in_(items))
               | ((AuditLog.entity == "leave_record") & AuditLog.entity_id.in_(
                   select(LeaveRecord.id).where(LeaveRecord.employee_id == employee_id))))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(50)).all()
    return {"person": found[0],
            "assessments": [{"id": a.id, "label": f"{a.year}年{a.month}月", "status": a.status,
                             "first_day": a.first_day, "last_day": a.last_day} for a in assessments],
            "leave": [{"first_day": r.first_day, "last_day": r.last_day, "kind": LEAVE_KINDS.get(r.kind, r.kind),
                       "note": r.note} for r in leave],
            "history": [{"at": log.at, "action": ACTIONS_ZH.get(log.action, log.action), "by": name or "系统",
                         "before": log.before, "after": log.after} for log, name in history]}


def positions(who: Actor) -> list[tuple[str, str]]:
    """(code, name) of every position, for HR's forms."""
    require(who, Action.MANAGE_PEOPLE, Subject())
    rows = db.session.execute(select(Position.code, Position.name).order_by(Position.id))
    return [(code, name) for code, name in rows]
