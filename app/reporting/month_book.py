"""A month as HR hands it on: each person's month result (total, grade, 绩效系数), the items of every
report under it with their provenance and appeal results, the managers' comments, the outcomes,
and the report's answer — read in a handful of queries however many people there are.

`published_by` reads the month as it stood at a moment (the payroll cutoff): report versions
published later are left out, as if not yet published.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select

from app.domain.grades import GradeBands
from app.domain.month_summary import RESPONSE_ZH, AppealLine, Graded, appeal_label, provenance_label
from app.domain.outcomes import OutcomeKind
from app.extensions import db
from app.models import (
    Appeal,
    Assessment,
    AssessmentItem,
    Comment,
    Cycle,
    Department,
    Employee,
    Outcome,
    ProgressEntry,
    Report,
)
from app.services.scoring.month_result import Part, bands_of, combine

Ts = TypeVarTuple("Ts")
STREAM_ROWS = 500  # report bodies held at once while a month is read
OUTCOME_STATUS_ZH = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回"}


@dataclass(frozen=True)
class ItemLine:
    """One item of one report version: what the detail sheet has a row for."""

    position: str
    indicator: str
    kind: str  # quantitative | qualitative
    weight: str
    target: str
    actual: str
    achievement: str  # "0.8000", "" for a rated item or no data
    completion: str
    method: str
    score: str
    status: str
    provenance: str
    appeal: str


@dataclass
class PersonMonth:
    employee_id: int
    employee_no: str
    name: str
    department: str
    positions: str
    total: Decimal
    grade: str
    grade_code: str
    coefficient: Decimal
    versions: str  # "v1", or "v2" after an accepted appeal; "v1 / v2" for a transfer's two reports
    response: str
    window_open: bool  # a report of theirs may still be confirmed or appealed, or an appeal is open
    summary: str
    items: list[ItemLine] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)

    def graded(self) -> Graded:
        return Graded(self.department, self.total, self.grade_code)


@dataclass(frozen=True)
class MonthBook:
    cycle_id: int
    label: str  # 2026年10月
    bands: GradeBands
    people: list[PersonMonth]
    basis_report_id: int  # the newest report version read (0 when none)
    as_of: datetime  # the newest publication read: what the workbook says it is as of


def read(cycle_id: int, *, now: datetime, published_by: datetime | None = None,
         employee_id: int | None = None) -> MonthBook:
    """The month's book (or one person's page of it); `now` decides whose appeal window is still open."""
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None, "a month book is read for a month that exists"
    bands = bands_of([cycle_id])[cycle_id]
    appeals = _appeals(cycle_id, published_by, employee_id)
    comments = _comments(cycle_id, employee_id)
    outcomes = _outcomes(cycle_id, employee_id)
    people: dict[int, PersonMonth] = {}
    parts: dict[int, list[Part]] = defaultdict(list)
    responses: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    basis, as_of = 0, datetime(cycle.year, cycle.month, 1)
    for row in _latest_reports(cycle_id, published_by, employee_id):
        # a body is read, turned into the lines kept, and let go: 5,000 bodies at once do not fit the target
        parts[row.employee_id].append(Part(row.report_id, row.assessment_id, 0, row.version, row.summary,
                                           _part_of(row.body)))
        by_item = appeals.get(row.assessment_id, {})
        still_open = any(a.status == "open" for lines in by_item.values() for a in lines) or (
            row.window_closes_at is not None and now < row.window_closes_at
            and row.response in ("pending", "appealed"))
        responses[row.employee_id].append((row.response, still_open))
        person = people.get(row.employee_id)
        if person is None:
            person = people[row.employee_id] = PersonMonth(
                row.employee_id, row.employee_no, row.name, row.department, "", Decimal(0), "", "", Decimal(0), "",
                "", False, "", comments=comments.get(row.employee_id, []), outcomes=outcomes.get(row.employee_id, []))
        person.items.extend(_items(row.body, by_item))
        basis, as_of = max(basis, row.report_id), max(as_of, row.published_at)
    for employee_id, person in people.items():
        month = combine(parts[employee_id], bands)
        person.total, person.grade, person.grade_code = month.total, month.grade.label_zh, month.grade.code
        person.coefficient = month.grade.coefficient
        person.positions = " / ".join(p.body["position"]["name"] for p in parts[employee_id])
        person.versions = " / ".join(f"v{p.version}" for p in parts[employee_id])
        person.summary = "\n".join(p.summary for p in parts[employee_id])
        person.response = " / ".join(RESPONSE_ZH.get(r, r) for r, _ in responses[employee_id])
        person.window_open = any(still_open for _, still_open in responses[employee_id])
    ordered = sorted(people.values(), key=lambda p: (p.department, p.employee_no))
    return MonthBook(cycle_id, f"{cycle.year}年{cycle.month}月", bands, ordered, basis, as_of)


def _part_of(body: dict[str, Any]) -> dict[str, Any]:
    """What combining a month's parts reads of a body (month_result.combine)."""
    return {"total": body["total"], "period": {"working_days": body["period"]["working_days"]},
            "veto": body.get("veto"), "position": {"name": body["position"]["name"]}}


def _latest_reports(cycle_id: int, published_by: datetime | None, employee_id: int | None) -> Iterator[Any]:
    """The latest version of each assessment's report published by then, with its person, in the
    order of the days each covers — streamed in batches."""
    versions = select(Report.assessment_id, func.max(Report.version).label("version")).join(Assessment).where(
        Assessment.cycle_id == cycle_id)
    if published_by is not None:
        versions = versions.where(Report.published_at <= published_by)
    if employee_id is not None:
        versions = versions.where(Assessment.employee_id == employee_id)
    latest = versions.group_by(Report.assessment_id).subquery()
    query = (select(Report.id.label("report_id"), Report.version, Report.summary, Report.body, Report.response,
                    Report.window_closes_at, Report.published_at, Assessment.id.label("assessment_id"),
                    Employee.id.label("employee_id"), Employee.employee_no, Employee.name,
                    Department.name.label("department"))
             .join(latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
             .join(Assessment, Assessment.id == Report.assessment_id)
             .join(Employee, Employee.id == Assessment.employee_id)
             .join(Department, Department.id == Employee.department_id)
             .order_by(Assessment.first_day, Assessment.id))
    yield from db.session.execute(query.execution_options(yield_per=STREAM_ROWS))


def _appeals(cycle_id: int, published_by: datetime | None,
             employee_id: int | None) -> dict[int, dict[str, list[AppealLine]]]:
    """assessment → indicator → (employee, appeal) in filing order; an appeal decided after the
    cutoff reads as still open then."""
    found: dict[int, dict[str, list[AppealLine]]] = defaultdict(lambda: defaultdict(list))
    rows = db.session.execute(_of_person(
        select(Appeal, AssessmentItem.assessment_id, AssessmentItem.indicator_code)
        .join(AssessmentItem, AssessmentItem.id == Appeal.assessment_item_id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(Assessment.cycle_id == cycle_id).order_by(Appeal.id), Assessment.employee_id, employee_id)).all()
    for appeal, assessment_id, code in rows:
        if published_by is not None and appeal.filed_at > published_by:
            continue
        decided = appeal.decided_at is not None and (published_by is None or appeal.decided_at <= published_by)
        status = appeal.status if decided else "open"
        line = AppealLine(status, format(appeal.claimed_value.normalize(), "f"),
                          appeal.decision_reason if decided else "")
        found[assessment_id][code].append(line)
    return found


def _items(body: dict[str, Any], appeals: dict[str, list[AppealLine]]) -> list[ItemLine]:
    position = body["position"]["name"]
    return [ItemLine(
        position, row["name"], row["kind"], row["weight"], row.get("target_display") or row["target"],
        row.get("actual_display") or "", row.get("achievement") or "", row.get("completion") or "",
        row.get("method_label") or "比例计分", row["score"], row.get("status_label") or "",
        provenance_label(row.get("data") or {}), appeal_label(appeals.get(row["indicator"], [])),
    ) for row in body["items"]]


def _comments(cycle_id: int, employee_id: int | None) -> dict[int, list[str]]:
    """The person's month of comments from others (their managers' 点评 and replies), oldest first."""
    author = Employee.__table__.alias("author")
    rows = db.session.execute(_of_person(
        select(Assessment.employee_id, author.c.name, Comment.body)
        .select_from(Comment)
        .outerjoin(ProgressEntry, ProgressEntry.id == Comment.progress_entry_id)
        .join(Assessment, Assessment.id == func.coalesce(Comment.assessment_id, ProgressEntry.assessment_id))
        .join(author, author.c.id == Comment.author_id)
        .where(Assessment.cycle_id == cycle_id, Comment.author_id != Assessment.employee_id)
        .order_by(Comment.created_at, Comment.id), Assessment.employee_id, employee_id)).all()
    found: dict[int, list[str]] = defaultdict(list)
    for employee_id, name, text in rows:
        found[employee_id].append(f"{name}：{text}")
    return found


def _outcomes(cycle_id: int, employee_id: int | None) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for person, kind, status in db.session.execute(_of_person(
            select(Outcome.employee_id, Outcome.kind, Outcome.status).where(Outcome.cycle_id == cycle_id)
            .order_by(Outcome.employee_id, Outcome.kind), Outcome.employee_id, employee_id)):
        found[person].append(f"{OutcomeKind(kind).label_zh}（{OUTCOME_STATUS_ZH.get(status, status)}）")
    return found


def _of_person(query: Select[*Ts], column: Any, employee_id: int | None) -> Select[*Ts]:
    return query if employee_id is None else query.where(column == employee_id)
