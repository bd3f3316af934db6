"""HR's lines on an assessment (docs/kpi-rules.md "Adjustments and veto"): 加减分项 and 一票否决.

HR records them while the month is open — a bonus for covering a colleague's shift, a penalty for
a missed stock-take, or a veto for a serious customer complaint — each with its reason or evidence
and who recorded it. The domain checks a line as it checks a score file; the month's adjustment
limit (a company setting) decides how much the lines may move the total. Every line is audited,
told to the employee and counted in their live progress at once; a line recorded by mistake is
withdrawn with a reason, never deleted.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.domain.adjustments import Adjustment, SheetLines, Veto
from app.domain.cycles import CycleStatus
from app.domain.exact import plain
from app.domain.formatting import signed
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, SheetLine
from app.services import audit, settings
from app.services.authz import Action, Actor, Subject, require
from app.services.lookup import cycle_of, name_of
from app.services.notify import outbox
from app.services.scoring import progress
from app.services.usecase import DecimalInput, decimal_of, get_or_404, now_or_clock, require_text, use_case

ADJUSTMENT, VETO = "adjustment", "veto"
EVIDENCE_LIMIT = 500


@use_case
def add_adjustment(assessment_id: int, points: DecimalInput, reason: str, who: Actor, *,
                   now: datetime | None = None) -> SheetLine:
    """A bonus (points > 0) or penalty (points < 0) line with its reason."""
    assessment = _open_assessment(assessment_id, who)
    value = decimal_of(points, "points", "分值")
    text = require_text(reason, "reason", "加减分理由", limit=200)
    limit = settings.of_cycle(cycle_of(assessment)).adjustment_limit
    SheetLines((Adjustment(value, text, name_of(who.employee_id)),), limit)  # built to run the domain's checks
    line = _record(assessment, ADJUSTMENT, text, who, now_or_clock(now), points=value)
    _tell(assessment, line, f"{cycle_of(assessment).label}考核加减分：{signed(value)}分。理由：{text}"
                            f"（加分上限{plain(limit.bonus)}分，扣分上限{plain(limit.penalty)}分）")
    return line


@use_case
def record_veto(assessment_id: int, event: str, evidence: str, who: Actor, *,
                now: datetime | None = None) -> SheetLine:
    """一票否决: the month is graded 不合格 whatever the total. One per assessment."""
    assessment = _open_assessment(assessment_id, who)
    name = require_text(event, "event", "否决事项", limit=200)
    proof = require_text(evidence, "evidence", "证据", limit=EVIDENCE_LIMIT)
    SheetLines(veto=Veto(name, proof, name_of(who.employee_id)))  # built to run the domain's checks
    if _active(assessment.id, VETO):
        raise ApiError("veto_exists", "该考核表已记录一票否决，如需更换请先撤销原记录", 409)
    line = _record(assessment, VETO, name, who, now_or_clock(now), evidence=proof)
    _tell(assessment, line, f"{cycle_of(assessment).label}考核记录了一票否决：{name}，本月等级为最低等级。"
                            f"证据：{proof}。如有异议，可在考核结果发布后申诉。")
    return line


@use_case
def withdraw_line(line_id: int, reason: str, who: Actor, *, now: datetime | None = None) -> SheetLine:
    """Take back a line recorded by mistake (while the month is open); it stays on record."""
    line = get_or_404(SheetLine, line_id, "加减分或否决记录")
    assessment = _open_assessment(line.assessment_id, who)
    if line.withdrawn_at is not None:
        raise ApiError("already_withdrawn", "该记录已撤销", 409)
    text = require_text(reason, "reason", "撤销原因", limit=200)
    line.withdrawn_by, line.withdrawn_at, line.withdraw_reason = who.employee_id, now_or_clock(now), text
    audit.record("sheet_line.withdraw", "sheet_line", line.id, actor_id=who.person_id,
                 before={"withdrawn": False}, after={"withdrawn": True, "reason": text})
    _tell(assessment, line, f"{cycle_of(assessment).label}考核的「{line.text}」已撤销。原因：{text}",
          dedupe=f"sheet-line-withdrawn:{line.id}")
    return line


def _open_assessment(assessment_id: int, who: Actor) -> Assessment:
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.ADJUST_SHEET, Subject(assessment.employee_id))
    if cycle_of(assessment).status != CycleStatus.OPEN:
        raise ApiError("cycle_not_open", "加减分项和一票否决只能在考核月进行中记录；评分后如有变化请走申诉", 409)
    return assessment


def _active(assessment_id: int, kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(SheetLine).where(
        SheetLine.assessment_id == assessment_id, SheetLine.kind == kind, SheetLine.withdrawn_at.is_(None))) or 0


def _record(assessment: Assessment, kind: str, text: str, who: Actor, now: datetime, *,
            points: Decimal | None = None, evidence: str = "") -> SheetLine:
    line = SheetLine(assessment_id=assessment.id, kind=kind, points=points, text=text, evidence=evidence,
                     recorded_by=who.employee_id, recorded_at=now)
    db.session.add(line)
    db.session.flush()
    audit.record(f"sheet_line.{kind}", "sheet_line", line.id, actor_id=who.person_id,
                 after={"assessment_id": assessment.id, "points": None if points is None else str(points),
                        "text": text, "evidence": evidence})
    return line


def _tell(assessment: Assessment, line: SheetLine, body: str, *, dedupe: str | None = None) -> None:
    """Tell the employee, commit, and have their progress counted again."""
    outbox.enqueue(assessment.employee_id, "sheet_line", title="考核加减分与否决", summary=body[:60], body=body,
                   dedupe_key=dedupe or f"sheet-line:{line.id}", now=line.withdrawn_at or line.recorded_at,
                   data={"assessment_id": assessment.id, "sheet_line_id": line.id})
    db.session.commit()
    progress.request_recompute(assessment.id)
