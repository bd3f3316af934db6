"""The audit log as HR and admins read it (操作记录): who changed what, from what, to what, when —
filtered by person (what they did, and what was done to them or their screenshots, views included),
by object (its kind, and an id) and by date, newest first, a page at a time."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from app.errors import ApiError
from app.extensions import db
from app.models import AuditLog, Employee, Screenshot
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import to_local, to_utc

PAGE_SIZE = 100
DETAIL_CHARS = 240
ENTITY_ZH = {
    "employee": "人员", "report": "考核报告", "appeal": "申诉", "assessment": "考核表", "assessment_item": "考核项",
    "observation": "数据", "outcome": "结果运用", "screenshot": "截图", "cycle": "考核月份", "sync_run": "同步/导入",
    "company_setting": "公司设置", "kpi_template": "考核模板", "monthly_report": "月度报表",
    "payroll_export": "薪资数据", "progress_entry": "进展", "rating": "评分", "connector": "数据连接",
}


@dataclass(frozen=True)
class AuditLine:
    at: str  # the company's wall clock
    actor: str  # "于浩宇（E00002）", or the system part that acted
    action: str
    action_code: str
    entity: str
    entity_id: int | None
    concerns: str  # whose screenshot or record it is, when that is a person
    detail: str


@dataclass(frozen=True)
class AuditFilter:
    person: str = ""  # an employee number
    entity: str = ""
    entity_id: int | None = None
    first: date | None = None
    last: date | None = None


def entries(who: Actor, wanted: AuditFilter, page: int = 1) -> tuple[list[AuditLine], int]:
    """One page of matching rows, newest first, and how many match in all."""
    require(who, Action.VIEW_AUDIT, Subject())
    query = _filtered(select(AuditLog), wanted)
    total = db.session.scalar(_filtered(select(func.count()).select_from(AuditLog), wanted)) or 0
    rows = db.session.scalars(query.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                              .limit(PAGE_SIZE).offset(PAGE_SIZE * (max(page, 1) - 1))).all()
    return _lines(rows), total


def _filtered(query: Select[Any], wanted: AuditFilter) -> Select[Any]:
    if wanted.person:
        person = db.session.scalar(select(Employee.id).where(Employee.employee_no == wanted.person))
        if person is None:
            raise ApiError("unknown_person", f"没有工号为 {wanted.person} 的人员", 422, {"person": "工号不存在"})
        shots = select(Screenshot.id).where(Screenshot.owner_id == person)
        query = query.where(or_(AuditLog.actor_id == person,
                                and_(AuditLog.entity == "employee", AuditLog.entity_id == person),
                                and_(AuditLog.entity == "screenshot", AuditLog.entity_id.in_(shots))))
    if wanted.entity:
        query = query.where(AuditLog.entity == wanted.entity)
    if wanted.entity_id is not None:
        query = query.where(AuditLog.entity_id == wanted.entity_id)
    if wanted.first is not None:
        query = query.where(AuditLog.at >= to_utc(datetime.combine(wanted.first, time())))
    if wanted.last is not None:
        query = query.where(AuditLog.at < to_utc(datetime.combine(wanted.last + timedelta(days=1), time())))
    return query


def _lines(rows: Sequence[AuditLog]) -> list[AuditLine]:
    people = {row.actor_id for row in rows} | {r.entity_id for r in rows if r.entity == "employee"}
    owners = dict(db.session.execute(select(Screenshot.id, Screenshot.owner_id).where(
        Screenshot.id.in_([r.entity_id for r in rows if r.entity == "screenshot"]))).all())
    people |= set(owners.values())
    names = {i: f"{name}（{no}）" for i, name, no in db.session.execute(
        select(Employee.id, Employee.name, Employee.employee_no).where(Employee.id.in_(people - {None})))}
    return [AuditLine(
        at=to_local(row.at).strftime("%Y-%m-%d %H:%M:%S"),
        actor=names.get(row.actor_id, "") if row.actor_id else f"系统（{row.source}）",
        action=audit.ACTIONS_ZH.get(row.action, row.action), action_code=row.action,
        entity=ENTITY_ZH.get(row.entity, row.entity), entity_id=row.entity_id,
        concerns=names.get(_concerned(row, owners) or 0, ""), detail=_detail(row.before, row.after)) for row in rows]


def _concerned(row: AuditLog, owners: dict[int, int]) -> int | None:
    """The person a row's object is: the employee changed, or the screenshot's owner."""
    if row.entity == "employee":
        return row.entity_id
    if row.entity == "screenshot" and row.entity_id is not None:
        return owners.get(row.entity_id)
    return None


def _detail(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """Before → after, as compact JSON, cut to fit a table cell."""
    text = " → ".join(json.dumps(part, ensure_ascii=False, separators=(",", ":"), default=str)
                      for part in (before, after) if part)
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"


def entity_kinds() -> list[tuple[str, str]]:
    """The kinds of object the log holds, for the filter's choices: (code, name)."""
    kinds = db.session.scalars(select(AuditLog.entity).distinct().order_by(AuditLog.entity))
    return [(kind, ENTITY_ZH.get(kind, kind)) for kind in kinds]
