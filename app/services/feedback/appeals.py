"""Appeals (申诉): one item of the latest report, inside its window, with the value the employee
claims and evidence; the manager decides within 24 working-day hours (reminded at 20 h), after
which HR decides. Nobody decides their own appeal — an HR member's goes to another HR member — nor
an appeal against their own rating: the next manager up decides that one, else HR.

Due times are worked out on the deciding manager's WorkCalendar when the appeal is filed and stored
on it, so the clock's `appeal_reminders_due` and `escalate_due` are plain queries.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select, update

from app.domain.cycles import CycleStatus
from app.domain.deadlines import deadline_after
from app.domain.indicators import Kind
from app.domain.workflow import (
    APPEAL_ESCALATE_HOURS,
    APPEAL_REMIND_HOURS,
    claim_problem,
)
from app.errors import ApiError
from app.extensions import db
from app.models import (
    Appeal,
    Assessment,
    AssessmentItem,
    Cycle,
    OutboxMessage,
    Rating,
    Report,
    Screenshot,
)
from app.models.base import Base
from app.services import audit, settings
from app.services.authz import Action, Actor, Subject, active_managers_of, can, require
from app.services.business_time import calendar_for, to_local, to_utc
from app.services.feedback import appeal_effects
from app.services.lookup import display_of, format_figure, hr_members, indicator, name_of
from app.services.notify import outbox
from app.services.scoring.reports import ANSWERABLE, latest_version
from app.services.usecase import (
    claim,
    decimal_of,
    fresh_transaction,
    get_or_404,
    now_or_clock,
    require_text,
    use_case,
)

EVIDENCE_LIMIT = 9
M = TypeVar("M", bound=Base)


@use_case
def file_appeal(report_id: int, item_indicator_code: str, claimed_value: str | int | Decimal, reason: str,
                evidence_screenshot_ids: list[int], who: Actor, *, now: datetime | None = None) -> Appeal:
    """The employee appeals one item of their latest report inside its window; the manager is asked."""
    now = now_or_clock(now)
    fresh_transaction()
    report = get_or_404(Report, report_id, "考核报告", lock=True)  # one appeal at a time per report
    assessment = _get(Assessment, report.assessment_id)
    require(who, Action.FILE_APPEAL, Subject(assessment.employee_id))
    before = {"response": report.response}
    # The report's answer is taken first: another answer at the same moment waits here, then loses.
    claim(update(Report).where(Report.id == report.id, Report.response.in_(ANSWERABLE))
          .values(response="appealed", responded_at=now), _already_answered())
    _require_appealable(report, assessment, now)
    item = db.session.scalar(select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id,
                                                          AssessmentItem.indicator_code == item_indicator_code))
    if item is None:
        raise ApiError("unknown_item", "报告中没有该考核项", 422, {"item": item_indicator_code})
    claimed = _claim(item, report, claimed_value)
    if db.session.scalar(select(Appeal.id).where(Appeal.report_id == report.id,
                                                 Appeal.assessment_item_id == item.id)):
        raise ApiError("already_appealed", "该考核项已申诉过，每个版本的报告每项只能申诉一次", 409)
    text = require_text(reason, "reason", "申诉理由")
    evidence = _evidence(evidence_screenshot_ids, assessment.employee_id)
    rated_by = _rated_by(item.id)
    manager = _deciding_manager(assessment.employee_id, rated_by)
    appeal = Appeal(report_id=report.id, assessment_item_id=item.id, employee_id=assessment.employee_id,
                    claimed_value=claimed, reason=text, evidence=evidence, filed_at=now, status="open")
    _set_due_times(appeal, manager, now)
    db.session.add(appeal)
    db.session.flush()
    audit.record("appeal.file", "appeal", appeal.id, actor_id=who.employee_id, before=before,
                 after={"item": item.indicator_code, "claimed_value": str(claimed), "evidence": evidence})
    deciders = [manager] if manager else _hr_deciders(appeal, rated_by)
    _ask(appeal, deciders, "filed" if manager else "to_hr", now)
    db.session.commit()
    return appeal


@use_case
def decide_appeal(appeal_id: int, accept: bool, reason: str, who: Actor, *, now: datetime | None = None) -> Appeal:
    """Accept (the claimed value applies and a new report version is published) or reject (a reason
    is required; the report stays). The employee is told either way."""
    now = now_or_clock(now)
    fresh_transaction()
    appeal = get_or_404(Appeal, appeal_id, "申诉", lock=True)
    report = get_or_404(Report, appeal.report_id, "考核报告", lock=True)
    assessment = get_or_404(Assessment, report.assessment_id, "考核表", lock=True)  # decisions on one assessment queue
    escalated = appeal.escalated_at is not None
    require(who, Action.DECIDE_APPEAL, _subject(appeal))
    if appeal.status != "open":
        raise _already_decided()
    text = require_text(reason, "reason", "处理理由", required=not accept)
    # Decided once, and under the facts it was allowed on (who decides changes at escalation).
    claim(update(Appeal).where(Appeal.id == appeal.id, Appeal.status == "open",
                               Appeal.escalated_at.is_not(None) if escalated else Appeal.escalated_at.is_(None))
          .values(status="accepted" if accept else "rejected", decider_id=who.employee_id, decided_at=now,
                  decision_reason=text), _already_decided())
    current = db.session.scalar(select(Report).where(Report.assessment_id == assessment.id,
                                                     Report.version == latest_version(assessment.id)))
    assert current is not None, "the appealed report's assessment has a latest version"
    new_report = appeal_effects.apply_claim(appeal, assessment, who.employee_id, now) if accept else None
    withdrawn = appeal_effects.withdraw_stale_outcomes(assessment, who.employee_id) if new_report else []
    audit.record(f"appeal.{appeal.status}", "appeal", appeal.id, actor_id=who.employee_id,
                 before={"status": "open", "report_id": current.id, "total": str(current.total),
                         "grade": current.grade},
                 after={"status": appeal.status, "reason": text, "report_id": (new_report or current).id,
                        "total": str((new_report or current).total), "grade": (new_report or current).grade,
                        "outcomes_withdrawn": withdrawn})
    _tell_result(appeal, current, new_report, now)
    appeal_effects.finish(assessment)
    return appeal


@use_case
def appeal_reminders_due(now: datetime) -> int:
    """Remind the manager of appeals unanswered at 20 h (once each); returns how many were new."""
    due = db.session.scalars(select(Appeal).where(Appeal.status == "open", Appeal.escalated_at.is_(None),
                                                  Appeal.remind_at <= now).order_by(Appeal.id)).all()
    sent = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.in_([f"appeal:{a.id}:remind:{_manager(a)}" for a in due]))))
    count = 0
    for appeal in due:
        manager = _manager(appeal)
        if manager is None or f"appeal:{appeal.id}:remind:{manager}" in sent:
            continue
        _ask(appeal, [manager], "remind", now)
        count += 1
    db.session.commit()
    return count


@use_case
def escalate_due(now: datetime) -> int:
    """Hand appeals unanswered at 24 h to HR (audited, HR told); returns how many were escalated.
    An appeal of the only HR member stays with their manager: nobody else could decide it."""
    due = db.session.scalars(select(Appeal).where(Appeal.status == "open", Appeal.escalated_at.is_(None),
                                                  Appeal.escalate_at <= now)
                             .order_by(Appeal.id).with_for_update()).all()
    escalated = 0
    for appeal in due:
        deciders = _hr_deciders(appeal, _rated_by(appeal.assessment_item_id))
        if not deciders:
            continue
        appeal.escalated_at = now
        audit.record("appeal.escalate", "appeal", appeal.id, source="clock", before={"escalated_at": None},
                     after={"escalated_at": now.isoformat()})
        _ask(appeal, deciders, "escalated", now)
        escalated += 1
    db.session.commit()
    return escalated


def appeals_to_decide(who: Actor) -> list[dict[str, Any]]:
    """Open appeals the actor may decide now (the bot's 待办 and the console's list)."""
    rows = db.session.scalars(select(Appeal).where(Appeal.status == "open").order_by(Appeal.filed_at)).all()
    mine = [a for a in rows if can(who, Action.DECIDE_APPEAL, _subject(a))]
    return [_summary(a) for a in mine]


def view_appeal(appeal_id: int, who: Actor) -> dict[str, Any]:
    """One appeal as the page a message links to shows it: to the appellant and whoever may see
    their reports, with its state and whether this reader may decide it now."""
    appeal = get_or_404(Appeal, appeal_id, "申诉")
    require(who, Action.VIEW_REPORT, Subject(appeal.employee_id))
    return {**_summary(appeal), "report_id": appeal.report_id, "status": appeal.status,
            "decision_reason": appeal.decision_reason,
            "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
            "can_decide": appeal.status == "open" and can(who, Action.DECIDE_APPEAL, _subject(appeal))}


def _already_decided() -> ApiError:
    return ApiError("already_decided", "该申诉已处理", 409)


def _already_answered() -> ApiError:
    return ApiError("already_answered", "报告已确认，不能再申诉", 409)


def _require_appealable(report: Report, assessment: Assessment, now: datetime) -> None:
    if _get(Cycle, assessment.cycle_id).status != CycleStatus.PUBLISHED:
        raise ApiError("appeal_closed", "该考核周期已归档，不能再申诉", 409)
    if report.version != latest_version(assessment.id):
        raise ApiError("not_latest", "该报告已有新版本，请对最新版本申诉", 409)
    if report.window_closes_at is None or now >= report.window_closes_at:
        window = settings.of_cycle(_get(Cycle, assessment.cycle_id)).appeal_window_zh
        raise ApiError("appeal_window_closed", f"已超过{window}申诉期，不能再申诉", 409)
    if report.response not in ANSWERABLE:
        raise _already_answered()


def _claim(item: AssessmentItem, report: Report, value: str | int | Decimal) -> Decimal:
    ind = indicator(item.indicator_code)
    number = decimal_of(value, "claimed_value", "申诉数值")
    problem = claim_problem(Kind(ind.kind), display_of(ind), number)
    if problem:
        raise ApiError("invalid_input", problem, 422, {"claimed_value": problem})
    row: dict[str, Any] = next((r for r in report.body["items"] if r["indicator"] == item.indicator_code), {})
    if row.get("actual") is not None and decimal_of(row["actual"], "actual", "报告值") == number:
        raise ApiError("claim_unchanged", "申诉数值与报告中的数值相同", 422, {"claimed_value": "与报告值相同"})
    return number


def _evidence(ids: list[int] | None, owner_id: int) -> list[int]:
    ids = list(dict.fromkeys(ids or []))
    if len(ids) > EVIDENCE_LIMIT:
        raise ApiError("evidence_invalid", f"证据截图最多{EVIDENCE_LIMIT}张", 422, {"evidence": "太多"})
    found = set(db.session.scalars(select(Screenshot.id).where(
        Screenshot.id.in_(ids), Screenshot.owner_id == owner_id, Screenshot.deleted_at.is_(None)))) if ids else set()
    if found != set(ids):
        raise ApiError("evidence_invalid", "证据截图不存在或不属于本人", 422, {"evidence": sorted(set(ids) - found)})
    return ids


def _set_due_times(appeal: Appeal, manager: int | None, now: datetime) -> None:
    """Reminder at 20 h and HR at 24 h on the manager's calendar; without a manager HR has it now."""
    if manager is None:
        appeal.remind_at = appeal.escalate_at = appeal.escalated_at = now
        return
    calendar, start = calendar_for(manager), to_local(now)
    quiet = settings.of_month(start.year, start.month).quiet_hours
    appeal.remind_at = to_utc(deadline_after(start, APPEAL_REMIND_HOURS, calendar, quiet))
    appeal.escalate_at = to_utc(deadline_after(start, APPEAL_ESCALATE_HOURS, calendar, quiet))


def _manager(appeal: Appeal) -> int | None:
    return _deciding_manager(appeal.employee_id, _rated_by(appeal.assessment_item_id))


def _deciding_manager(employee_id: int, rated_by: frozenset[int]) -> int | None:
    """The nearest manager up the line who has not left and did not give the rating appealed against
    (docs/product.md "People change"); None when nobody above is still here, so HR has the appeal at once."""
    return next((m for m in active_managers_of(employee_id) if m not in rated_by), None)


def _rated_by(item_id: int) -> frozenset[int]:
    """Who gave the manager rating of the appealed item (none for other items): they do not decide it."""
    return frozenset(i for i in db.session.scalars(select(Rating.rater_id).where(
        Rating.assessment_item_id == item_id, Rating.rater_kind == "manager", Rating.rater_id.is_not(None)))
        if i is not None)


def _hr_deciders(appeal: Appeal, rated_by: frozenset[int]) -> list[int]:
    """HR members who may decide: neither the person concerned nor who gave the rating appealed against."""
    return [h for h in hr_members(exclude=appeal.employee_id) if h not in rated_by]


def _subject(appeal: Appeal) -> Subject:
    """The appeal as the policy reads it: whose, escalated or not, and who gave the rating it is against."""
    return Subject(appeal.employee_id, escalated=appeal.escalated_at is not None,
                   rated_by=_rated_by(appeal.assessment_item_id))


def _summary(appeal: Appeal) -> dict[str, Any]:
    item = _get(AssessmentItem, appeal.assessment_item_id)
    report = _get(Report, appeal.report_id)
    ind = indicator(item.indicator_code)
    row: dict[str, Any] = next((r for r in report.body["items"] if r["indicator"] == item.indicator_code), {})
    currency = _get(Assessment, item.assessment_id).currency
    return {"appeal_id": appeal.id, "employee_id": appeal.employee_id, "employee": name_of(appeal.employee_id),
            "item": item.indicator_code, "name": ind.name, "reported": row.get("actual_display") or "无",
            "claimed": format_figure(ind, appeal.claimed_value, currency), "reason": appeal.reason,
            "evidence": appeal.evidence, "filed_at": appeal.filed_at.isoformat(),
            "escalated": appeal.escalated_at is not None}


def _get(model: type[M], row_id: int) -> M:
    """A row another row's foreign key names: it exists."""
    row = db.session.get(model, row_id)
    assert row is not None, f"{model.__name__} {row_id} is named by a foreign key, so it exists"
    return row


_ASK = {
    "filed": ("待处理申诉", "请在{escalate_at}前处理，逾期将转人事处理"),
    "remind": ("申诉待处理提醒", "请在{escalate_at}前处理，逾期将转人事处理"),
    "escalated": ("申诉已转人事", "主管24小时内未处理，请人事处理"),
    "to_hr": ("待处理申诉", "该员工没有在职主管（或申诉的是主管本人的评分），请人事处理"),
}


def _ask(appeal: Appeal, deciders: list[int], stage: str, now: datetime) -> None:
    s = _summary(appeal)
    title, note = _ASK[stage]
    escalate_at = to_local(appeal.escalate_at or now)  # when HR takes over, however late the clock reminds
    note = note.format(escalate_at=f"{escalate_at.month}月{escalate_at.day}日{escalate_at:%H:%M}")
    body = (f"【{title}】{s['employee']}对「{s['name']}」提出申诉：报告值{s['reported']}，申诉值{s['claimed']}。"
            f"理由：{appeal.reason}\n{note}。回复“待办”查看编号，再回复“同意 编号 理由”或“驳回 编号 理由”。")
    for decider in deciders:
        outbox.enqueue(decider, "appeal_to_decide", title=title, summary=f"{s['employee']}·{s['name']}", body=body,
                       dedupe_key=f"appeal:{appeal.id}:{stage}:{decider}", now=now, data={"appeal_id": appeal.id})


def _tell_result(appeal: Appeal, report: Report, new_report: Report | None, now: datetime) -> None:
    """The employee hears the decision. With a new version this message announces it, under the key
    the report push uses (`report:<id>`), so the person is told once."""
    s = _summary(appeal)
    if appeal.status == "accepted":
        shown_report = new_report or report
        verdict = f"已通过，考核结果更新为{shown_report.body['total_display']}分，{shown_report.body['grade']}。"
    else:
        verdict = f"未通过。理由：{appeal.decision_reason}"
    key = f"report:{new_report.id}" if new_report else f"appeal:{appeal.id}:result"
    target = new_report or report
    outcome = "已通过" if appeal.status == "accepted" else "未通过"
    outbox.enqueue(appeal.employee_id, "appeal_result", title="申诉结果", summary=f"{s['name']}申诉{outcome}",
                   body=f"【申诉结果】你对「{s['name']}」的申诉{verdict}", dedupe_key=key, now=now,
                   data={"appeal_id": appeal.id, "report_id": target.id, "status": appeal.status})
