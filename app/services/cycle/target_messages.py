"""The 目标下达 message of one assessment, in the caller's transaction: each item's target as the
employee will be scored on it — a cumulative target pro-rated by the days the assessment covers on
the indicator's pace basis (docs/product.md "People change"), the same figure scoring uses.

Used when the month opens (news.announcements.push_targets) and when an assessment starts after
it opened (a joiner, the second half of a transfer: org.people).
"""

from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from app.domain.formatting import format_value
from app.domain.indicators import Display, PaceBasis
from app.domain.proration import coverage, prorate_target
from app.domain.templates import Rater
from app.domain.workcalendar import WorkCalendar, month_bounds
from app.extensions import db
from app.models import Assessment, Cycle, Indicator, Position
from app.services.calendar import department_calendars
from app.services.notify import outbox


class TargetNews:
    """What a batch of target messages shares, loaded once: the indicators and the calendars."""

    def __init__(self, calendar: WorkCalendar | None = None) -> None:
        self.calendar = calendar
        self.indicators = {i.code: i for i in db.session.scalars(select(Indicator))}
        self.calendars = department_calendars(calendar)
        self.departments: dict[int, int | None] = {
            position_id: department_id
            for position_id, department_id in db.session.execute(select(Position.id, Position.department_id))}

    def enqueue(self, assessment: Assessment, cycle: Cycle, now: datetime, *, dedupe_key: str | None = None) -> None:
        """Add the assessment's target message to the session (its dedupe key names the assessment,
        unless the caller names new targets of the same assessment)."""
        lines = [f"{self.indicators[i.indicator_code].name}："
                 f"{self.target(assessment, cycle, i.indicator_code, i.target, i.rater)}"
                 f"（权重{i.weight.normalize():f}%）" for i in assessment.items]
        outbox.enqueue(
            assessment.employee_id, "target_push", title=f"{cycle.label}考核目标", summary="请查看并确认本月目标",
            body=f"【{cycle.label}考核目标】\n" + "\n".join(lines) + "\n请在小程序中确认目标。",
            dedupe_key=dedupe_key or f"targets:{assessment.id}", now=now, data={"assessment_id": assessment.id},
            calendar=self.calendar,
        )

    def target(self, assessment: Assessment, cycle: Cycle, code: str, target: Decimal, rater: str | None = None) -> str:
        """The item's target as shown: pro-rated when cumulative and the assessment covers part of the month;
        a rated item says who rates it (主管评分, 同事评分, 客户评分)."""
        indicator = self.indicators[code]
        if indicator.kind == "qualitative":
            return f"{Rater(rater or Rater.MANAGER).label_zh}评分"
        shown = self.prorated(assessment, cycle, code, target)
        return format_value(Fraction(target if shown is None else shown), Display(indicator.display), indicator.unit,
                            assessment.currency)

    def prorated(self, assessment: Assessment, cycle: Cycle, code: str, target: Decimal) -> Decimal | None:
        """The cumulative target for the days the assessment covers on the indicator's pace basis, as
        scoring will use it; None when the item is not pro-rated (a rate, a whole month)."""
        indicator = self.indicators[code]
        department = self.departments.get(assessment.position_id)
        calendar = self.calendars.get(department) if department is not None else None
        if not indicator.cumulative or calendar is None:  # scoring reads the position's department calendar
            return None
        cover = coverage(calendar, (assessment.first_day, assessment.last_day), month_bounds(cycle.year, cycle.month),
                         PaceBasis(indicator.pace_basis))
        return prorate_target(target, cover) if cover.partial else None
