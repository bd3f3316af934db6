"""Importing the roster (花名册) through the shared importer: the same upload, column mapping and
presets as figures, read by the same row parser (format "roster": 工号, 姓名, 部门, 岗位, 上级工号,
入职日期), all or nothing with every bad row numbered.

A new employee number joins the company (people.enter_joiner: their open months' assessments and
target pushes included); a known one may change name and manager. A known person's department,
position or join date that differs is refused with its row: those are transfers and corrections,
done one by one on the person's page, where their effective day is chosen.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.domain.authz import refusal
from app.domain.import_formats import MappingError, Parsed, RowError, compile_reader
from app.errors import ApiError
from app.extensions import db
from app.imports.files import rows_of, sha256_of
from app.models import Department, Employee, Position, SyncRun
from app.services import audit
from app.services.authz import Action, Actor, Subject, actor, require
from app.services.business_time import clock_now
from app.services.org import people
from app.services.scoring import progress
from app.services.usecase import use_case

MAX_ERRORS = 50


@dataclass(frozen=True)
class RosterRow:
    line: int
    employee_no: str
    name: str
    department: str  # a department code
    position: str | None  # a position code
    manager_no: str | None
    joined_on: date


@use_case
def import_roster(path: Path, columns: dict[str, str], uploader_id: int, *,
                  now: datetime | None = None) -> SyncRun:
    """Join the new people and update the known ones, all or nothing; returns the run with its
    counts (joined, updated, unchanged), or raises 422 with the numbered errors."""
    who = actor(uploader_id)
    require(who, Action.MANAGE_PEOPLE, Subject())
    now = now or clock_now()
    headers, rows = rows_of(path)
    try:
        read = compile_reader("roster", columns, headers)
    except MappingError as exc:
        raise ApiError("import_mapping", str(exc), 422) from None
    parsed, errors = _parse(rows, read)
    parsed = _keeping_unmapped(parsed, {field for field in ("position", "manager") if columns.get(field, "").strip()})
    errors += _check(parsed, who)
    if errors:
        raise ApiError("import_invalid", f"文件有 {len(errors)} 处错误，没有导入任何人员", 422,
                       {"errors": errors[:MAX_ERRORS], "bad_rows": len(errors)})
    run = SyncRun(source="roster", kind="import", uploaded_by=uploader_id, file_sha256=sha256_of(path),
                  started_at=now, counts={})
    db.session.add(run)
    counts, added = _apply(parsed, who, now)
    run.status, run.finished_at, run.counts = "done", now, counts
    db.session.flush()
    audit.record("roster.import", "sync_run", run.id, actor_id=uploader_id,
                 after={**counts, "file_sha256": run.file_sha256})
    db.session.commit()
    progress.request_recompute(*added)
    return run


def _parse(rows: Any, read: Any) -> tuple[list[RosterRow], list[str]]:
    parsed, errors, departments, positions = [], [], _codes(Department), _codes(Position)
    for line, cells in rows:
        try:
            row: Parsed = read(cells)
            department = _code(departments, row["department"], "部门")
            position = _code(positions, row["position"], "岗位") if row.get("position") else None
            parsed.append(RosterRow(line, row["employee_no"], row["name"], department, position,
                                    row.get("manager") or None, row["joined_on"]))
        except RowError as error:
            errors.append(f"第{line}行：{error}")
    return parsed, errors


def _keeping_unmapped(rows: list[RosterRow], mapped: set[str]) -> list[RosterRow]:
    """A column the mapping leaves out keeps a known person's value (a blank cell in a mapped column
    means none): a roster without managers must not clear everyone's."""
    if {"position", "manager"} <= mapped:
        return rows
    manager = Employee.__table__.alias("manager")
    current = {no: (position, manager_no) for no, position, manager_no in db.session.execute(
        select(Employee.employee_no, Position.code, manager.c.employee_no)
        .outerjoin(Position, Position.id == Employee.position_id)
        .outerjoin(manager, manager.c.id == Employee.manager_id)
        .where(Employee.employee_no.in_([r.employee_no for r in rows])))}
    kept = []
    for row in rows:
        position, manager_no = current.get(row.employee_no, (row.position, row.manager_no))
        kept.append(replace(row, position=row.position if "position" in mapped else position,
                            manager_no=row.manager_no if "manager" in mapped else manager_no))
    return kept


def _codes(model: type[Department] | type[Position]) -> dict[str, str]:
    """Code or name → code, so a roster may name a department as 仓储部 or as warehouse."""
    found: dict[str, str] = {}
    for code, name in db.session.execute(select(model.code, model.name)):
        found[name], found[code] = code, code
    return found


def _code(known: dict[str, str], value: str, what: str) -> str:
    if value not in known:
        raise RowError(f"找不到{what}「{value}」")
    return known[value]


def _check(rows: list[RosterRow], who: Actor) -> list[str]:
    """What only the whole file can tell: numbers twice, managers nobody is, a manager loop, and
    known people whose department, position or join date the file changes, who have left, or
    whose record the importer may not change (their own)."""
    errors: list[str] = []
    known = {p.employee_no: p for p in db.session.scalars(
        select(Employee).where(Employee.employee_no.in_([r.employee_no for r in rows])))}
    active = set(db.session.scalars(select(Employee.employee_no).where(Employee.status == "active")))
    codes = dict(db.session.execute(select(Department.id, Department.code)).all())
    position_codes = dict(db.session.execute(select(Position.id, Position.code)).all())
    seen: dict[str, int] = {}
    in_file = {r.employee_no for r in rows}
    for row in rows:
        if row.employee_no in seen:
            errors.append(f"第{row.line}行：工号 {row.employee_no} 与第{seen[row.employee_no]}行重复")
        seen.setdefault(row.employee_no, row.line)
        if row.manager_no and row.manager_no not in active and row.manager_no not in in_file:
            errors.append(f"第{row.line}行：上级工号 {row.manager_no} 不是在职人员，文件中也没有")
        if row.manager_no == row.employee_no:
            errors.append(f"第{row.line}行：上级不能是本人")
        person = known.get(row.employee_no)
        if person is not None:
            errors += _may_change(row, person, who)
            changed = [what for what, differs in (
                ("部门", codes[person.department_id] != row.department),
                ("岗位", (position_codes[person.position_id] if person.position_id else None) != row.position),
                ("入职日期", person.joined_on != row.joined_on)) if differs]
            if changed:
                errors.append(f"第{row.line}行：{row.employee_no} {person.name}的{'、'.join(changed)}与现有记录不同，"
                              "调岗或更正请在人员页办理")
    return errors + _loops(rows)


def _may_change(row: RosterRow, person: Employee, who: Actor) -> list[str]:
    manager_no = db.session.scalar(select(Employee.employee_no).where(Employee.id == person.manager_id)) \
        if person.manager_id else None
    if (person.name, manager_no) == (row.name, row.manager_no):
        return []
    if person.status != "active":
        return [f"第{row.line}行：{row.employee_no} {person.name}已离职，不能再修改"]
    refused = refusal(who, Action.MANAGE_PEOPLE, Subject(person.id))
    return [f"第{row.line}行：{refused}"] if refused else []


def _loops(rows: list[RosterRow]) -> list[str]:
    """A manager chain that comes back to where it started, as the file and the records give it."""
    manager = Employee.__table__.alias("manager")
    chain: dict[str, str | None] = dict(db.session.execute(
        select(Employee.employee_no, manager.c.employee_no).outerjoin(manager, manager.c.id == Employee.manager_id)
    ).all())
    chain |= {r.employee_no: r.manager_no for r in rows}
    errors = []
    for row in rows:
        seen, current = {row.employee_no}, chain.get(row.employee_no)
        while current is not None:
            if current in seen:
                errors.append(f"第{row.line}行：上级关系形成循环（{row.employee_no} → … → {current}）")
                break
            seen.add(current)
            current = chain.get(current)
    return errors


def _apply(rows: list[RosterRow], who: Any, now: datetime) -> tuple[dict[str, int], list[int]]:
    """Joiners in an order that puts a manager before their people; known people's name and
    manager. One transaction: the caller commits."""
    counts = {"joined": 0, "updated": 0, "unchanged": 0}
    added: list[int] = []
    known = set(db.session.scalars(select(Employee.employee_no).where(
        Employee.employee_no.in_([r.employee_no for r in rows]))))
    waiting = list(rows)
    while waiting:  # _check refused loops, so every round places someone
        joining = {r.employee_no for r in waiting if r.employee_no not in known}
        ready = [r for r in waiting if r.manager_no not in joining or r.manager_no == r.employee_no]
        for row in ready:
            try:
                counts[_one(row, who, now, added)] += 1
            except ApiError as error:  # a joiner the people rules refuse (a closed month …): name the row
                raise ApiError(error.code, f"第{row.line}行：{error.message}", error.status,
                               {"errors": [f"第{row.line}行：{error.message}"], "bad_rows": 1}) from None
            known.add(row.employee_no)
        waiting = [r for r in waiting if r not in ready]
    return counts, added


def _one(row: RosterRow, who: Any, now: datetime, added: list[int]) -> str:
    person = db.session.scalar(select(Employee).where(Employee.employee_no == row.employee_no))
    if person is None:
        _, assessments = people.enter_joiner(row.employee_no, row.name, row.department, row.joined_on, who,
                                             position=row.position, manager_no=row.manager_no, now=now)
        added.extend(assessments)
        return "joined"
    manager_id = db.session.scalar(select(Employee.id).where(Employee.employee_no == row.manager_no)) \
        if row.manager_no else None
    before = {"name": person.name, "manager_id": person.manager_id}
    if before == {"name": row.name, "manager_id": manager_id}:
        return "unchanged"
    person.name, person.manager_id = row.name, manager_id
    audit.record("people.update", "employee", person.id, actor_id=who.person_id, before=before,
                 after={"name": row.name, "manager_id": manager_id})
    return "updated"
