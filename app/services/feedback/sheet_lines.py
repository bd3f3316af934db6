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

from sqlalchemy import func, select, update

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
from app.services.scoring import progress, runs
from app.services.usecase import (
    DecimalInput,
    claim,
    decimal_of,
    get_or_404,
    now_or_clock,
    require_text,
    use_case,
)

ADJUSTMENT, VETO = "adjustment", "veto"
EVIDENCE_LIMIT = 500


@use_case
def add_adjustment(assessment_id: int, points: DecimalInput, reason: str, who: Actor, *,
                   now: datetime | None = None) -> SheetLine:
    """A bonus (points > 0) or penalty (points < 0) line with its reason."""
    assessment = _assessment(assessment_id, who)
    value = decimal_of(points, "points", "分值")
    text = require_text(reason, "reason", "加减分理由", limit=200)
    limit = settings.of_cycle(cycle_of(assessment)).adjustment_limit
    SheetLines((Adjustment(value, text, name_of(who.employee_id)),), limit)  # built to run the domain's checks
    now = now_or_clock(now)
    line = _record(assessment, ADJUSTMENT, text, who, now, points=value)
    _tell(assessment, line, f"{cycle_of(assessment).label}考核加减分：{signed(value)}分。理由：{text}"
                            f"（加分上限{plain(limit.bonus)}分，扣分上限{plain(limit.penalty)}分）", now=now)
    return line


@use_case
def record_veto(assessment_id: int, event: str, evidence: str, who: Actor, *,
                now: datetime | None = None) -> SheetLine:
    """一票否决: the month is graded 不合格 whatever the total. One per assessment."""
    assessment = _assessment(assessment_id, who)
    name = require_text(event, "event", "否决事项", limit=200)
    proof = require_text(evidence, "evidence", "证据", limit=EVIDENCE_LIMIT)
    SheetLines(veto=Veto(name, proof, name_of(who.employee_id)))  # built to run the domain's checks
    if _active(assessment.id, VETO):
        raise ApiError("veto_exists", "该考核表已记录一票否决，如需更换请先撤销原记录", 409)
    now = now_or_clock(now)
    line = _record(assessment, VETO, name, who, now, evidence=proof)
    cycle = cycle_of(assessment)
    lowest = settings.of_cycle(cycle).grade_bands.lowest.label_zh
    _tell(assessment, line, f"{cycle.label}考核记录了一票否决：{name}，该月等级将定为{lowest}。证据：{proof}。"
                            "如有异议，请联系人事核实；记录有误的，人事可在结果归档前撤销。", now=now)
    return line


@use_case
def withdraw_line(line_id: int, reason: str, who: Actor, *, now: datetime | None = None) -> SheetLine:
    """Take back a line recorded by mistake; it stays on record. While the month is open the bars
    follow; once it is published (and until it is final) the report is re-scored and published as a
    new version, as an accepted appeal is."""
    line = get_or_404(SheetLine, line_id, "加减分或否决记录")
    now = now_or_clock(now)
    assessment = _assessment(line.assessment_id, who, (CycleStatus.OPEN, CycleStatus.PUBLISHED))
    text = require_text(reason, "reason", "撤销原因", limit=200)
    claim(update(SheetLine).where(SheetLine.id == line.id, SheetLine.withdrawn_at.is_(None))
          .values(withdrawn_by=who.employee_id, withdrawn_at=now, withdraw_reason=text),
          ApiError("already_withdrawn", "该记录已撤销", 409))
    audit.record("sheet_line.withdraw", "sheet_line", line.id, actor_id=who.person_id,
                 before={"withdrawn": False}, after={"withdrawn": True, "reason": text})
    if cycle_of(assessment).status == CycleStatus.PUBLISHED:
        runs.rescore([assessment.id], reason=f"撤销加减分/否决#{line.id}", actor_id=who.person_id, now=now,
                     commit=False)
    _tell(assessment, line, f"{cycle_of(assessment).label}考核的「{line.text}」已撤销。原因：{text}",
          now=now, dedupe=f"sheet-line-withdrawn:{line.id}")
    return line


def _assessment(assessment_id: int, who: Actor, allowed: tuple[CycleStatus, ...] = (CycleStatus.OPEN,)) -> Assessment:
    """The assessment HR acts on, in a month whose state allows it: lines are recorded while the month
    is open, and withdrawn until the month is final (outcomes are proposed then)."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.ADJUST_SHEET, Subject(assessment.employee_id))
    if cycle_of(assessment).status not in allowed:
        message = ("加减分项和一票否决只能在考核月进行中记录" if allowed == (CycleStatus.OPEN,)
                   else "该考核月正在评分或已归档，记录不能撤销")
        raise ApiError("cycle_not_open", message, 409)
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


def _tell(assessment: Assessment, line: SheetLine, body: str, *, now: datetime, dedupe: str | None = None) -> None:
    """Tell the employee, commit, and have their progress counted again."""
    outbox.enqueue(assessment.employee_id, "sheet_line", title="考核加减分与否决", summary=body[:60], body=body,
                   dedupe_key=dedupe or f"sheet-line:{line.id}", now=now,
                   data={"assessment_id": assessment.id, "sheet_line_id": line.id})
    db.session.commit()
    progress.request_recompute(assessment.id)
