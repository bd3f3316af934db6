"""Outcomes at a cycle's close: proposals from grades, decided by HR — never by the person concerned.

A close that proposes anything tells each HR member once, in one message listing the proposals
(docs/product.md "The monthly process", step 6). A re-publication of a final month (an accepted
appeal, restated figures) withdraws the pending proposals the new grade no longer supports and
tells HR of each approved one it no longer supports: HR decided it, so HR looks again.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from app.domain.authz import Action, Subject
from app.domain.cycles import CycleStatus
from app.domain.outcomes import GradeOfMonth, OutcomeKind, Proposal, propose, quarter_of
from app.domain.workflow import outcome_still_fits
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, Cycle, Employee, Outcome, Position, Report, ScoringRun
from app.services import audit, authz
from app.services.business_time import clock_now
from app.services.lookup import hr_members
from app.services.notify import outbox
from app.services.scoring import month_result
from app.services.usecase import JsonDict, claim, use_case

HEAD_POSITION = "dept_head"  # the built-in department head (部门主管): already leads a department


def month_grades(cycle_ids: list[int]) -> dict[tuple[int, int], tuple[str, int]]:
    """(cycle, employee) → (grade code, main position id): the month's grade from the latest report
    version of each of the person's assessments, weighted by working days covered; a veto on any of
    them makes it the lowest grade (app.services.scoring.month_result, what the person reads)."""
    bands = month_result.bands_of(cycle_ids)  # each month by the bands it opened with
    return {key: (month_result.combine(parts, bands[key[0]]).grade.code, parts[-1].position_id)
            for key, parts in month_result.latest_parts(cycle_ids).items()}


@use_case
def derive(cycle_id: int) -> int:
    """Propose the outcomes of a cycle's grades; idempotent. Returns how many were created."""
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None, "outcomes are derived for a cycle the caller has just read"
    cycles = {c.id: c for c in db.session.scalars(select(Cycle).where(
        Cycle.status.in_(("published", "final")), (Cycle.year * 12 + Cycle.month) <= cycle.year * 12 + cycle.month))}
    cycles[cycle.id] = cycle  # the history ends with this cycle's month
    month_of = {cid: f"{c.year:04d}-{c.month:02d}" for cid, c in cycles.items()}
    grades = month_grades(list(cycles))
    history: dict[int, list[GradeOfMonth]] = defaultdict(list)
    for (cid, employee_id), (code, _) in sorted(grades.items(), key=lambda kv: month_of[kv[0][0]]):
        history[employee_id].append(GradeOfMonth(month_of[cid], code))
    positions = dict(db.session.execute(select(Position.id, Position.name)).all())
    leads = _leading_people()
    created: list[Outcome] = []
    for (cid, employee_id), (_, position_id) in sorted(grades.items()):
        if cid != cycle.id:
            continue
        raises = _raises_in_quarter(employee_id, quarter_of(month_of[cid]), cycles, exclude_cycle=cycle.id)
        for proposal in propose(history[employee_id], positions[position_id], raises,
                                leads_already=employee_id in leads):
            created += _insert(employee_id, cycle.id, proposal)
    audit.record("outcomes.derive", "cycle", cycle.id, source="clock", after={"created": len(created)})
    _tell_hr(cycle, created)
    db.session.commit()
    return len(created)


def _leading_people() -> set[int]:
    """Who already leads people, so is no 组长 candidate: anyone with a direct report still here, and
    anyone on the built-in department head's position (部门主管)."""
    with_reports = set(db.session.scalars(select(Employee.manager_id).where(
        Employee.manager_id.is_not(None), Employee.status == "active")))
    heads = set(db.session.scalars(select(Employee.id).join(Position, Employee.position_id == Position.id)
                                   .where(Position.code == HEAD_POSITION)))
    return {i for i in with_reports if i is not None} | heads


def _tell_hr(cycle: Cycle, created: list[Outcome]) -> None:
    """One message to each HR member for this close, a line per proposal (none about themselves)."""
    if not created:
        return
    db.session.flush()
    names = dict(db.session.execute(select(Employee.id, Employee.name).where(
        Employee.id.in_({o.employee_id for o in created}))).all())
    month = f"{cycle.year}年{cycle.month}月"
    now = clock_now()
    for hr_id in hr_members():
        mine = [o for o in created if o.employee_id != hr_id]
        if not mine:
            continue
        lines = [f"{names[o.employee_id]}：{OutcomeKind(o.kind).label_zh}——{o.reason}" for o in mine]
        outbox.enqueue(hr_id, "outcomes_to_decide", title="待审批结果运用",
                       summary=f"{month}新增{len(mine)}项结果运用建议",
                       body=f"【待审批结果运用】{month}考核归档，新增{len(mine)}项建议，请审批：\n" + "\n".join(lines),
                       dedupe_key=f"outcomes:{cycle.id}:{mine[0].id}:{hr_id}", now=now,
                       data={"cycle_id": cycle.id, "outcome_ids": [o.id for o in mine]})


@use_case
def follow_republication(run_id: int) -> list[int]:
    """A final month re-published by a run (restated figures): what the new grades no longer support
    is withdrawn or brought to HR, and what they now support is proposed. Safe to run twice;
    returns the withdrawn proposals' ids."""
    run = db.session.get(ScoringRun, run_id)
    assert run is not None, "the clock follows runs it has just read"
    people = db.session.scalars(select(Assessment.employee_id).join(Report).where(Report.run_id == run_id)).all()
    withdrawn = settle_stale(run.cycle_id, people, None)
    db.session.commit()
    derive(run.cycle_id)
    return withdrawn


def settle_stale(cycle_id: int, employee_ids: Iterable[int], actor_id: int | None) -> list[int]:
    """After a final month was re-published for these people: withdraw their pending proposals the
    new month grade no longer supports (returns their ids) and tell HR of each approved one it no
    longer supports. Rejected ones stay as they are. Joins the caller's transaction; new proposals
    come from `derive` once the caller's changes are in."""
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None, "outcomes are settled for a cycle the caller has just read"
    people = set(employee_ids)
    if cycle.status != CycleStatus.FINAL or not people:
        return []
    grades = month_grades([cycle.id])
    rows = db.session.scalars(select(Outcome).where(
        Outcome.cycle_id == cycle.id, Outcome.employee_id.in_(people), Outcome.status.in_(("pending", "approved")))
        .order_by(Outcome.id)).all()
    withdrawn = []
    for outcome in rows:
        graded = grades.get((cycle.id, outcome.employee_id))
        grade = None if graded is None else graded[0]
        if outcome_still_fits(outcome.kind, grade):  # without a grade no outcome fits
            continue
        if outcome.status == "pending":
            db.session.execute(update(Outcome).where(Outcome.id == outcome.id, Outcome.status == "pending")
                               .values(status="withdrawn"))
            audit.record("outcome.withdraw", "outcome", outcome.id, actor_id=actor_id, before={"status": "pending"},
                         after={"status": "withdrawn", "grade": grade})
            withdrawn.append(outcome.id)
        else:
            _tell_hr_stale(cycle, outcome, grade)
    return withdrawn


def _tell_hr_stale(cycle: Cycle, outcome: Outcome, grade: str | None) -> None:
    """An approved outcome the re-published grade no longer supports: every HR member but the
    person is told, once per grade it is stale under."""
    band = None if grade is None else month_result.bands_of([cycle.id])[cycle.id].by_code(grade)
    now_reads = f"现为{band.label_zh}" if band else "已无考核结果"
    name = db.session.scalar(select(Employee.name).where(Employee.id == outcome.employee_id))
    label = OutcomeKind(outcome.kind).label_zh
    month = f"{cycle.year}年{cycle.month}月"
    body = (f"【结果运用待复核】{name}{month}的「{label}」已审批，但该月考核结果重新发布后{now_reads}，"
            f"已不再符合该结果运用的条件，请复核。")
    for hr_id in hr_members(exclude=outcome.employee_id):
        outbox.enqueue(hr_id, "outcome_stale", title="结果运用待复核", summary=f"{name}·{label}", body=body,
                       dedupe_key=f"outcome_stale:{outcome.id}:{grade}:{hr_id}", now=clock_now(),
                       data={"outcome_id": outcome.id, "grade": grade})


def _raises_in_quarter(employee_id: int, quarter: tuple[int, int], cycles: dict[int, Cycle], exclude_cycle: int) -> int:
    in_quarter = [cid for cid, c in cycles.items()
                  if quarter_of(f"{c.year:04d}-{c.month:02d}") == quarter and cid != exclude_cycle]
    return db.session.execute(select(func.count()).select_from(Outcome).where(
        Outcome.employee_id == employee_id, Outcome.kind == OutcomeKind.PAY_RISE, Outcome.cycle_id.in_(in_quarter),
        Outcome.status.in_(("pending", "approved")))).scalar_one()


def _insert(employee_id: int, cycle_id: int, proposal: Proposal) -> list[Outcome]:
    """Add a proposal unless the close already made it (a concurrent close loses on the unique key)."""
    exists = db.session.scalar(select(Outcome.id).where(
        Outcome.employee_id == employee_id, Outcome.cycle_id == cycle_id, Outcome.kind == proposal.kind.value))
    if exists:
        return []
    outcome = Outcome(employee_id=employee_id, cycle_id=cycle_id, kind=proposal.kind.value, reason=proposal.reason_zh)
    db.session.add(outcome)
    return [outcome]


def _already_decided() -> ApiError:
    return ApiError("already_decided", "该结果运用已审批", 409)


@use_case
def decide(outcome_id: int, who: authz.Actor, *, approve: bool, now: datetime | None = None) -> Outcome:
    """HR approves or rejects a proposal; nobody decides about themselves."""
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None:
        raise ApiError("not_found", "找不到该结果运用记录", 404)
    authz.require(who, Action.DECIDE_OUTCOME, Subject(employee_id=outcome.employee_id))
    if outcome.status != "pending":
        raise _already_decided()
    before = {"status": outcome.status}
    claim(update(Outcome).where(Outcome.id == outcome.id, Outcome.status == "pending")
          .values(status="approved" if approve else "rejected", decider_id=who.person_id,
                  decided_at=now or clock_now()), _already_decided())
    audit.record("outcome.decide", "outcome", outcome.id, actor_id=who.person_id, before=before,
                 after={"status": outcome.status})
    db.session.commit()
    return outcome


def listing(cycle_id: int, who: authz.Actor) -> list[JsonDict]:
    """The month's outcome proposals with who they concern and who decided them (HR only), pending
    first. An approved one the month's grade no longer supports (re-published after restated
    figures) is `stale`, with the grade it now rests on."""
    authz.require(who, Action.RUN_CYCLE, Subject())
    grades = month_grades([cycle_id])
    bands = month_result.bands_of([cycle_id]).get(cycle_id)
    decider = aliased(Employee)
    rows = db.session.execute(
        select(Outcome, Employee.name, Employee.employee_no, decider.name.label("decider"))
        .join(Employee, Employee.id == Outcome.employee_id).outerjoin(decider, decider.id == Outcome.decider_id)
        .where(Outcome.cycle_id == cycle_id)
        .order_by((Outcome.status != "pending"), Outcome.kind, Employee.employee_no)).all()
    shown = []
    for row in rows:
        graded = grades.get((cycle_id, row.Outcome.employee_id))
        grade = None if graded is None else graded[0]
        band = bands.by_code(grade) if bands and grade else None
        shown.append({"id": row.Outcome.id, "employee_id": row.Outcome.employee_id, "name": row.name,
                      "employee_no": row.employee_no, "kind": OutcomeKind(row.Outcome.kind).label_zh,
                      "reason": row.Outcome.reason, "status": row.Outcome.status, "decider": row.decider,
                      "decided_at": row.Outcome.decided_at,
                      "stale": row.Outcome.status == "approved" and not outcome_still_fits(row.Outcome.kind, grade),
                      "grade_now": band.label_zh if band else "无考核结果"})
    return shown
