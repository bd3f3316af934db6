"""One month result per person (docs/product.md "People change"): the total and grade of the month
from the latest report version of each of their assessments, weighted by the working days each
covers (app.domain.proration.month_grade); a veto on any of them makes it the lowest grade.

Someone who changed position in the month has two reports, each confirmed or appealed on its own;
the month result — what outcomes (结果运用) follow from — leads both, in the report the mini-program
reads and in the message that announces it. Everyone else's month result is their one report's.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.domain.exact import plain
from app.domain.formatting import format_total
from app.domain.grades import GradeBands
from app.domain.proration import MonthGrade, month_grade
from app.extensions import db
from app.models import Assessment, Cycle, Report
from app.services import settings

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Part:
    """One assessment's latest report version: one part of a person's month."""

    report_id: int
    assessment_id: int
    position_id: int
    version: int
    summary: str
    body: JsonDict

    @property
    def working_days(self) -> int:
        return int(self.body["period"]["working_days"])


def latest_parts(cycle_ids: Iterable[int], employee_id: int | None = None) -> dict[tuple[int, int], list[Part]]:
    """(cycle, employee) → the latest report version of each of their assessments, in the order of
    the days they cover (one query); only people with a published report appear."""
    latest = (select(Report.assessment_id, func.max(Report.version).label("version"))
              .group_by(Report.assessment_id).subquery())
    query = (select(Assessment.cycle_id, Assessment.employee_id, Assessment.position_id, Report.id, Report.version,
                    Report.summary, Report.body, Assessment.id)
             .join(Report, Report.assessment_id == Assessment.id)
             .join(latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
             .where(Assessment.cycle_id.in_(list(cycle_ids)))
             .order_by(Assessment.first_day, Assessment.id))
    if employee_id is not None:
        query = query.where(Assessment.employee_id == employee_id)
    parts: dict[tuple[int, int], list[Part]] = defaultdict(list)
    for cycle_id, person, position_id, report_id, version, summary, body, assessment_id in db.session.execute(query):
        parts[(cycle_id, person)].append(Part(report_id, assessment_id, position_id, version, summary, body))
    return dict(parts)


def combine(parts: list[Part], bands: GradeBands) -> MonthGrade:
    """The month's total and grade from its parts: weighted by working days covered (a part that
    covers none weighs nothing; if none covers any, the last part decides)."""
    covered = [(Decimal(p.body["total"]), p.working_days) for p in parts if p.working_days > 0]
    vetoed = any(p.body.get("veto") for p in parts)
    return month_grade(covered or [(Decimal(parts[-1].body["total"]), 1)], bands, vetoed=vetoed)


def bands_of(cycle_ids: Iterable[int]) -> dict[int, GradeBands]:
    """Each month's grade bands, as it opened with them."""
    return {c.id: settings.of_cycle(c).grade_bands
            for c in db.session.scalars(select(Cycle).where(Cycle.id.in_(list(cycle_ids))))}


def month_result(cycle_id: int, employee_id: int) -> JsonDict | None:
    """The person's month result as they read it — total, grade, and each part's report under it —
    or None before any report of theirs is published that month."""
    parts = latest_parts([cycle_id], employee_id).get((cycle_id, employee_id))
    if not parts:
        return None
    month = combine(parts, bands_of([cycle_id])[cycle_id])
    return {
        "total": format_total(month.total), "grade": month.grade.label_zh, "grade_code": month.grade.code,
        "coefficient": plain(month.grade.coefficient), "weighted": len(parts) > 1,
        "vetoed": any(p.body.get("veto") for p in parts),
        "parts": [{"report_id": p.report_id, "assessment_id": p.assessment_id, "version": p.version,
                   "position": p.body["position"]["name"], "period": p.body["period"],
                   "working_days": p.working_days, "total": p.body["total_display"], "grade": p.body["grade"],
                   "summary": p.summary} for p in parts],
    }
