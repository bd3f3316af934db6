"""Corrections (数据更正) of self-reported figures after the edit window (10:00 the next day).

Until then the employee edits the day's entry (app.services.observations.submissions). After it, a figure
changes only through a request the person's manager — or HR — approves: approving replaces the
self-reported observation, audited with its old and new value, and asks for a progress recompute;
rejecting (with a reason) changes nothing but the request. Only an open month's figures are
corrected: after scoring starts a result changes through an appeal.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from app.domain.cycles import CycleStatus
from app.domain.indicators import SELF_REPORT
from app.errors import ApiError
from app.extensions import db
from app.models import (
    Assessment,
    CorrectionRequest,
    Employee,
    Observation,
    ProgressEntry,
)
from app.services import audit
from app.services.authz import Action, Actor, Subject, can, require
from app.services.lookup import cycle_of, format_figure, hr_members, indicator, name_of
from app.services.notify import outbox
from app.services.observations import submissions
from app.services.observations.submissions import SubmittedFigure
from app.services.scoring import progress
from app.services.usecase import (
    claim,
    decimal_of,
    fresh_transaction,
    get_or_404,
    now_or_clock,
    require_text,
    use_case,
)


@use_case
def request_correction(progress_entry_id: int, indicator_code: str, numerator: str | int | Decimal,
                       denominator: str | int | Decimal | None, reason: str, who: Actor,
                       *, now: datetime | None = None) -> CorrectionRequest:
    """The employee asks to change one figure of a past day; their manager is asked to decide."""
    now = now_or_clock(now)
    fresh_transaction()
    entry = get_or_404(ProgressEntry, progress_entry_id, "工作进展", lock=True)
    require(who, Action.REQUEST_CORRECTION, Subject(entry.employee_id))
    _queue_on(entry)
    _require_window_closed(entry, now)
    assessment = _assessment_of(entry)
    _require_open(assessment)
    figure = SubmittedFigure(decimal_of(numerator, "numerator", "数值"),
                    None if denominator is None else decimal_of(denominator, "denominator", "总数"))
    submissions._check_figures({indicator_code: figure}, submissions._reportable(assessment))  # the one rule
    text = require_text(reason, "reason", "更正原因")
    old = _observation(entry, indicator_code)
    if old is not None and (old.numerator, old.denominator) == (figure.numerator, figure.denominator):
        raise ApiError("correction_unchanged", "更正后的数值与当前数值相同", 422, {"numerator": "与当前数值相同"})
    if _pending(entry.id, indicator_code):
        raise ApiError("correction_pending", "该数据已有待审批的更正申请", 409)
    correction = CorrectionRequest(
        employee_id=entry.employee_id, progress_entry_id=entry.id, indicator_code=indicator_code,
        old_numerator=old.numerator if old else None, old_denominator=old.denominator if old else None,
        new_numerator=figure.numerator, new_denominator=figure.denominator, reason=text, requested_at=now)
    db.session.add(correction)
    db.session.flush()
    audit.record("correction.request", "correction_request", correction.id, actor_id=who.employee_id,
                 before=_value(correction.old_numerator, correction.old_denominator),
                 after={**_value(figure.numerator, figure.denominator), "day": entry.day.isoformat(),
                        "indicator": indicator_code})
    _ask_decider(correction, entry, now)
    db.session.commit()
    return correction


@use_case
def decide_correction(request_id: int, approve: bool, reason: str, who: Actor, *,
                      now: datetime | None = None) -> CorrectionRequest:
    """Approve (the figure changes, audited) or reject (a reason is required; nothing changes)."""
    now = now_or_clock(now)
    fresh_transaction()
    correction = get_or_404(CorrectionRequest, request_id, "更正申请", lock=True)
    require(who, Action.DECIDE_CORRECTION, Subject(correction.employee_id))
    if correction.status != "pending":
        raise _already_decided()
    text = require_text(reason, "reason", "驳回原因", required=not approve)
    claim(update(CorrectionRequest).where(CorrectionRequest.id == correction.id, CorrectionRequest.status == "pending")
          .values(status="approved" if approve else "rejected", decider_id=who.employee_id, decided_at=now,
                  decision_reason=text), _already_decided())
    entry = _entry_of(correction)
    if approve:
        _require_open(_assessment_of(entry))
        _apply(correction, entry, who)
    audit.record(f"correction.{correction.status}", "correction_request", correction.id, actor_id=who.employee_id,
                 before={"status": "pending"}, after={"status": correction.status, "reason": text})
    _tell_employee(correction, entry, now)
    db.session.commit()
    if approve:
        progress.request_recompute(entry.assessment_id)
    return correction


def corrections_to_decide(who: Actor) -> list[dict[str, Any]]:
    """Pending requests the actor may decide (the bot's 待办 and the console's list), oldest first."""
    rows = db.session.scalars(select(CorrectionRequest).where(CorrectionRequest.status == "pending")
                              .order_by(CorrectionRequest.requested_at, CorrectionRequest.id)).all()
    mine = [r for r in rows if can(who, Action.DECIDE_CORRECTION, Subject(r.employee_id))]
    summaries = []
    for correction in mine:
        what, old, new = _label(correction, _entry_of(correction))
        summaries.append({"correction_request_id": correction.id, "employee_id": correction.employee_id,
                          "employee": name_of(correction.employee_id), "what": what, "old": old, "new": new,
                          "reason": correction.reason, "requested_at": correction.requested_at.isoformat()})
    return summaries


def _apply(correction: CorrectionRequest, entry: ProgressEntry, who: Actor) -> None:
    """Replace the day's self-reported figure: the observation's old and new value are audited."""
    observation = _observation(entry, correction.indicator_code)
    before = None if observation is None else _value(observation.numerator, observation.denominator)
    if observation is None:
        observation = Observation(
            employee_id=entry.employee_id, indicator_code=correction.indicator_code, day=entry.day,
            source=SELF_REPORT, provenance="self_reported", progress_entry_id=entry.id,
            external_ref=f"{entry.employee_id}/{correction.indicator_code}/{entry.day.isoformat()}")
        db.session.add(observation)
    observation.numerator, observation.denominator = correction.new_numerator, correction.new_denominator
    db.session.flush()
    audit.record("observation.correct", "observation", observation.id, actor_id=who.employee_id, before=before,
                 after={**_value(correction.new_numerator, correction.new_denominator),
                        "correction_request_id": correction.id})


def _queue_on(entry: ProgressEntry) -> None:
    """Requests for one entry run one at a time, so "one pending request per figure" holds for a
    double tap: MariaDB queues them on the entry read FOR UPDATE; on SQLite, where FOR UPDATE locks
    nothing, this no-op write takes the database's write lock, and the pending check after it reads
    what the other request committed."""
    db.session.execute(update(ProgressEntry).where(ProgressEntry.id == entry.id)
                       .values(updated_at=ProgressEntry.updated_at))


def _already_decided() -> ApiError:
    return ApiError("already_decided", "该更正申请已处理", 409)


def _require_window_closed(entry: ProgressEntry, now: datetime) -> None:
    """Within the edit window the employee edits the entry themselves: submissions' rule decides."""
    try:
        submissions._check_window(entry.day, now)
    except ApiError as closed:
        if closed.code == "edit_window_closed":
            return
        raise
    until = submissions.edit_until(entry.day)
    raise ApiError("edit_window_open", f"次日{until:%H:%M}前可直接修改当天的进展，无需申请更正", 409)


def _require_open(assessment: Assessment) -> None:
    if cycle_of(assessment).status != CycleStatus.OPEN:
        raise ApiError("cycle_closed", "本月考核已开始评分，数据不能再更正；如对结果有异议请在考核报告中申诉", 409)


def _entry_of(correction: CorrectionRequest) -> ProgressEntry:
    entry = db.session.get(ProgressEntry, correction.progress_entry_id)
    assert entry is not None, "a correction request's progress entry exists (foreign key)"
    return entry


def _assessment_of(entry: ProgressEntry) -> Assessment:
    assessment = db.session.get(Assessment, entry.assessment_id)
    assert assessment is not None, "a progress entry's assessment exists (foreign key)"
    return assessment


def _observation(entry: ProgressEntry, code: str) -> Observation | None:
    return db.session.scalar(select(Observation).where(
        Observation.progress_entry_id == entry.id, Observation.indicator_code == code))


def _pending(entry_id: int, code: str) -> bool:
    return db.session.scalar(select(CorrectionRequest.id).where(
        CorrectionRequest.progress_entry_id == entry_id, CorrectionRequest.indicator_code == code,
        CorrectionRequest.status == "pending")) is not None


def _value(numerator: Decimal | None, denominator: Decimal | None) -> dict[str, str | None]:
    return {"numerator": None if numerator is None else str(numerator),
            "denominator": None if denominator is None else str(denominator)}


def _label(correction: CorrectionRequest, entry: ProgressEntry) -> tuple[str, str, str]:
    ind = indicator(correction.indicator_code)
    old = None if correction.old_numerator is None else correction.old_numerator / (correction.old_denominator or 1)
    new = correction.new_numerator / (correction.new_denominator or 1)
    return f"{entry.day.month}月{entry.day.day}日「{ind.name}」", format_figure(ind, old), format_figure(ind, new)


def _ask_decider(correction: CorrectionRequest, entry: ProgressEntry, now: datetime) -> None:
    """The direct manager decides; someone without a manager goes to HR (never to themselves)."""
    manager = db.session.scalar(select(Employee.manager_id).where(Employee.id == correction.employee_id))
    deciders = [manager] if manager else hr_members(exclude=correction.employee_id)
    what, old, new = _label(correction, entry)
    body = f"【数据更正】{name_of(correction.employee_id)}申请将{what}由{old}更正为{new}。原因：{correction.reason}"
    for decider in deciders:
        outbox.enqueue(decider, "correction_to_decide", title="数据更正待审批", summary=f"{what}更正为{new}", body=body,
                       dedupe_key=f"correction:{correction.id}:ask:{decider}", now=now,
                       data={"correction_request_id": correction.id})


def _tell_employee(correction: CorrectionRequest, entry: ProgressEntry, now: datetime) -> None:
    what, _, new = _label(correction, entry)
    verdict = "已通过" if correction.status == "approved" else f"未通过。原因：{correction.decision_reason}"
    outbox.enqueue(correction.employee_id, "correction_result", title="数据更正结果",
                   summary=f"{what}更正{verdict[:3]}", body=f"你申请将{what}更正为{new}，{verdict}",
                   dedupe_key=f"correction:{correction.id}:result", now=now,
                   data={"correction_request_id": correction.id, "status": correction.status})
