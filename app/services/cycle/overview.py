"""The months as the console lists them: each month's state, its milestones, and what happens next —
in words, worked out from the same settings and rules the clock follows (app.services.tick), so
HR reads why a month is waiting and for what."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.domain.cycles import CycleStatus
from app.domain.workcalendar import next_month
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, Cycle, Outcome, Report
from app.services import settings
from app.services.authz import Actor
from app.services.business_time import to_local
from app.services.cycle import completeness, review
from app.services.scoring import reports
from app.services.usecase import get_or_404


@dataclass(frozen=True)
class MonthLine:
    cycle_id: int
    label: str
    status: str
    status_zh: str
    assessments: int
    opened_at: datetime | None
    review_at: datetime | None
    published_at: datetime | None
    final_at: datetime | None
    next_step: str
    gaps_acknowledged: bool


def months(who: Actor, now: datetime, limit: int = 12) -> list[MonthLine]:
    """The latest `limit` months, newest first (HR and admins: no one's figures or scores here)."""
    _require_staff(who)
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.year.desc(), Cycle.month.desc()).limit(limit)).all()
    return _lines(cycles, now)


def month(who: Actor, cycle_id: int, now: datetime) -> MonthLine:
    """One month's line (404 when there is no such month)."""
    _require_staff(who)
    return _lines([get_or_404(Cycle, cycle_id, "考核月份")], now)[0]


def _require_staff(who: Actor) -> None:
    if not (who.is_hr or who.is_admin) or who.left:
        raise ApiError("forbidden", "只有人事和管理员可以查看考核月份", 403)


def _lines(cycles: Sequence[Cycle], now: datetime) -> list[MonthLine]:
    counts = dict(db.session.execute(select(Assessment.cycle_id, func.count())
                                     .where(Assessment.cycle_id.in_([c.id for c in cycles]))
                                     .group_by(Assessment.cycle_id)).all())
    return [MonthLine(c.id, c.label, c.status, CycleStatus(c.status).label_zh, counts.get(c.id, 0), c.opened_at,
                      c.review_at, c.published_at, c.final_at, next_step(c, now), c.gaps_acknowledged_by is not None)
            for c in cycles]


def next_step(cycle: Cycle, now: datetime) -> str:
    """What the month waits for, and when the clock will act on it (zh-CN)."""
    status = CycleStatus(cycle.status)
    if status is CycleStatus.DRAFT:
        return f"{cycle.month}月1日 09:00 自动开月，向每人推送本月目标；开月前人事可调整个人目标"
    if status is CycleStatus.OPEN:
        return _open_step(cycle, to_local(now).date())
    if status is CycleStatus.SCORING:
        return "评分进行中，完成后进入待发布审核"
    if status is CycleStatus.REVIEW:
        return _review_step(cycle)
    if status is CycleStatus.PUBLISHED:
        return _published_step(cycle)
    return _final_step(cycle)


def _open_step(cycle: Cycle, today: date) -> str:
    year, month = next_month(cycle.year, cycle.month)
    scoring_day = date(year, month, settings.of_cycle(cycle).scoring_day)
    if today < scoring_day:
        return f"{scoring_day.month}月{scoring_day.day}日 09:00 起自动评分（数据齐全或人事确认缺口后）"
    if completeness.missing_rates(cycle):
        return f"等待录入汇率（{'、'.join(completeness.missing_rates(cycle))}），录入后自动评分"
    if cycle.gaps_acknowledged_by is None and not completeness.is_green(cycle):
        return "数据或评分未齐：等待补齐，或由人事在结算待办中确认缺口后评分"
    return "即将自动评分（下一次时钟运行时）"


def _review_step(cycle: Cycle) -> str:
    returned = review.open_returns(cycle.id)
    if returned:
        return f"有{returned}项评分已退回主管，重新评分后可发布"
    day = review.auto_publish_day(cycle)
    if day is None:
        return "等待人事审核后发布"
    return f"等待人事审核发布；如未处理，{day.month}月{day.day}日自动发布"


def _published_step(cycle: Cycle) -> str:
    latest = reports.latest_of_cycle(cycle.id)
    pending = db.session.scalar(select(func.count()).select_from(Report).join(
        latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
        .where(Report.response == "pending"))
    if pending:
        return f"员工确认或申诉中：{pending}份报告待答复（窗口结束视为认可），全部处理后自动归档"
    return "报告均已答复，申诉处理完毕后自动归档"


def _final_step(cycle: Cycle) -> str:
    pending = db.session.scalar(select(func.count()).select_from(Outcome).where(
        Outcome.cycle_id == cycle.id, Outcome.status == "pending"))
    return f"已归档：{pending}项结果运用（调薪、晋升、培训）待人事审批" if pending else "已归档，结果运用均已处理"
