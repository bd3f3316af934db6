"""Corrections (数据更正) of self-reported figures after the edit window (10:00 the next day).

Until then the employee edits the day's entry (app.services.observations.submissions). After it, a figure
changes only through a request the person's manager — or HR — approves: approving replaces the
self-reported observation, audited with its old and new value, and asks for a progress recompute;
rejecting (with a reason) changes nothing but the request. Only an open month's figures are
corrected: after scoring starts a result changes through an appeal.

A forgotten day — no entry at all — is asked for the same way, by day (`request_day_correction`):
the request names the day and the assessment and has no entry until it is approved, when the day's
entry is created with the figure. Which figures may be asked for is the submissions' one rule.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

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
    _require_window_closed(entry.day, now)
    return _ask(_assessment_of(entry), entry.day, entry, indicator_code, numerator, denominator, reason, who, now)


@use_case
def request_day_correction(employee_id: int, day: date, indicator_code: str, numerator: str | int | Decimal,
                           denominator: str | int | Decimal | None, reason: str, who: Actor,
                           *, now: datetime | None = None) -> CorrectionRequest:
    """The employee asks for one figure of a past day by its date — a forgotten day with no entry
    too (approving creates it); their manager is asked to decide."""
    now = now_or_clock(now)
    fresh_transaction()
    require(who, Action.REQUEST_CORRECTION, Subject(employee_id))
    _require_window_closed(day, now)
    assessment = submissions._assessment_on(employee_id, day)
    db.session.execute(update(Assessment).where(Assessment.id == assessment.id)  # one request at a time, as
                       .values(employee_id=Assessment.employee_id))             # _queue_on does for an entry
    entry = db.session.scalar(select(ProgressEntry).where(ProgressEntry.employee_id == employee_id,
                                                          ProgressEntry.day == day))
    if entry is not None:
        _queue_on(entry)
    return _ask(assessment, day, entry, indicator_code, numerator, denominator, reason, who, now)


def _ask(assessment: Assessment, day: date, entry: ProgressEntry | None, indicator_code: str,
         numerator: str | int | Decimal, denominator: str | int | Decimal | None, reason: str, who: Actor,
         now: datetime) -> CorrectionRequest:
    """The request itself, checked by the submissions' one rule, audited; the decider is asked."""
    _require_open(assessment)
    figure = SubmittedFigure(decimal_of(numerator, "numerator", "数值"),
                    None if denominator is None else decimal_of(denominator, "denominator", "总数"))
    submissions._check_figures({indicator_code: figure}, submissions._reportable(assessment))  # the one rule
    text = require_text(reason, "reason", "更正原因")
    old = None if entry is None else _observation(entry, indicator_code)
    if old is not None and (old.numerator, old.denominator) == (figure.numerator, figure.denominator):
        raise ApiError("correction_unchanged", "更正后的数值与当前数值相同", 422, {"numerator": "与当前数值相同"})
    if _pending(assessment.employee_id, day, indicator_code):
        raise ApiError("correction_pending", "该数据已有待审批的更正申请", 409)
    correction = CorrectionRequest(
        employee_id=assessment.employee_id, progress_entry_id=entry.id if entry else None,
        assessment_id=assessment.id, day=day, indicator_code=indicator_code,
        old_numerator=old.numerator if old else None, old_denominator=old.denominator if old else None,
        new_numerator=figure.numerator, new_denominator=figure.denominator, reason=text, requested_at=now)
    db.session.add(correction)
    db.session.flush()
    audit.record("correction.request", "correction_request", correction.id, actor_id=who.employee_id,
                 before=_value(correction.old_numerator, correction.old_denominator),
                 after={**_value(figure.numerator, figure.denominator), "day": day.isoformat(),
                        "indicator": indicator_code})
    _ask_decider(correction, now)
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
    if approve:
        _require_open(_assessment_of_request(correction))
        _apply(correction, _entry_for(correction, who), who)
    audit.record(f"correction.{correction.status}", "correction_request", correction.id, actor_id=who.employee_id,
                 before={"status": "pending"}, after={"status": correction.status, "reason": text})
    _tell_employee(correction, now)
    db.session.commit()
    if approve:
        progress.request_recompute(correction.assessment_id)
    return correction


def corrections_to_decide(who: Actor) -> list[dict[str, Any]]:
    """Pending requests the actor may decide (the bot's 待办 and the console's list), oldest first."""
    rows = db.session.scalars(select(CorrectionRequest).where(CorrectionRequest.status == "pending")
                              .order_by(CorrectionRequest.requested_at, CorrectionRequest.id)).all()
    return [_summary(r) for r in rows if can(who, Action.DECIDE_CORRECTION, Subject(r.employee_id))]


def view_correction(request_id: int, who: Actor) -> dict[str, Any]:
    """One request as the page a message links to shows it: to the person and whoever may see
    their progress, with its state and whether this reader may decide it now."""
    correction = get_or_404(CorrectionRequest, request_id, "更正申请")
    require(who, Action.VIEW_PROGRESS, Subject(correction.employee_id))
    return {**_summary(correction), "status": correction.status,
            "decided_at": correction.decided_at.isoformat() if correction.decided_at else None,
            "can_decide": correction.status == "pending" and can(who, Action.DECIDE_CORRECTION,
                                                                 Subject(correction.employee_id))}


def _summary(correction: CorrectionRequest) -> dict[str, Any]:
    what, old, new = _label(correction)
    return {"correction_request_id": correction.id, "employee_id": correction.employee_id,
            "employee": name_of(correction.employee_id), "what": what, "old": old, "new": new,
            "reason": correction.reason, "requested_at": correction.requested_at.isoformat()}


def _entry_for(correction: CorrectionRequest, who: Actor) -> ProgressEntry:
    """The day's entry: the request's, the one the day got meanwhile, or a new one for a forgotten
    day (no note; its figure is the approved one), audited. Another approval for the same day that
    created it a moment ago wins the unique (person, day), and this one uses theirs."""
    entry = _day_entry(correction)
    if entry is None:
        try:
            with db.session.begin_nested():
                entry = ProgressEntry(employee_id=correction.employee_id, assessment_id=correction.assessment_id,
                                      day=correction.day, note="")
                db.session.add(entry)
        except IntegrityError:
            entry = _day_entry(correction)
            assert entry is not None, "the entry that broke the unique (person, day) exists"
        else:
            audit.record("progress.add_day", "progress_entry", entry.id, actor_id=who.employee_id,
                         after={"day": correction.day.isoformat(), "correction_request_id": correction.id})
    correction.progress_entry_id = entry.id
    return entry


def _day_entry(correction: CorrectionRequest) -> ProgressEntry | None:
    return db.session.scalar(select(ProgressEntry).where(ProgressEntry.employee_id == correction.employee_id,
                                                         ProgressEntry.day == correction.day))


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


def _require_window_closed(day: date, now: datetime) -> None:
    """Within the edit window the employee edits the entry themselves: submissions' rule decides."""
    try:
        submissions._check_window(day, now)
    except ApiError as closed:
        if closed.code == "edit_window_closed":
            return
        raise
    until = submissions.edit_until(day)
    raise ApiError("edit_window_open", f"次日{until:%H:%M}前可直接修改当天的进展，无需申请更正", 409)


def _require_open(assessment: Assessment) -> None:
    if cycle_of(assessment).status != CycleStatus.OPEN:
        raise ApiError("cycle_closed", "本月考核已开始评分，数据不能再更正；如对结果有异议请在考核报告中申诉", 409)


def _assessment_of_request(correction: CorrectionRequest) -> Assessment:
    assessment = db.session.get(Assessment, correction.assessment_id)
    assert assessment is not None, "a correction request's assessment exists (foreign key)"
    return assessment


def _assessment_of(entry: ProgressEntry) -> Assessment:
    assessment = db.session.get(Assessment, entry.assessment_id)
    assert assessment is not None, "a progress entry's assessment exists (foreign key)"
    return assessment


def _observation(entry: ProgressEntry, code: str) -> Observation | None:
    return db.session.scalar(select(Observation).where(
        Observation.progress_entry_id == entry.id, Observation.indicator_code == code))


def _pending(employee_id: int, day: date, code: str) -> bool:
    return db.session.scalar(select(CorrectionRequest.id).where(
        CorrectionRequest.employee_id == employee_id, CorrectionRequest.day == day,
        CorrectionRequest.indicator_code == code, CorrectionRequest.status == "pending")) is not None


def _value(numerator: Decimal | None, denominator: Decimal | None) -> dict[str, str | None]:
    return {"numerator": None if numerator is None else str(numerator),
            "denominator": None if denominator is None else str(denominator)}


def _label(correction: CorrectionRequest) -> tuple[str, str, str]:
    ind = indicator(correction.indicator_code)
    old = None if correction.old_numerator is None else correction.old_numerator / (correction.old_denominator or 1)
    new = correction.new_numerator / (correction.new_denominator or 1)
    day, currency = correction.day, _assessment_of_request(correction).currency  # money reads in its currency
    return (f"{day.month}月{day.day}日「{ind.name}」", format_figure(ind, old, currency),
            format_figure(ind, new, currency))


def _ask_decider(correction: CorrectionRequest, now: datetime) -> None:
    """The direct manager decides; someone without a manager goes to HR (never to themselves)."""
    manager = db.session.scalar(select(Employee.manager_id).where(Employee.id == correction.employee_id))
    deciders = [manager] if manager else hr_members(exclude=correction.employee_id)
    what, old, new = _label(correction)
    body = f"【数据更正】{name_of(correction.employee_id)}申请将{what}由{old}更正为{new}。原因：{correction.reason}"
    for decider in deciders:
        outbox.enqueue(decider, "correction_to_decide", title="数据更正待审批", summary=f"{what}更正为{new}", body=body,
                       dedupe_key=f"correction:{correction.id}:ask:{decider}", now=now,
                       data={"correction_request_id": correction.id})


def _tell_employee(correction: CorrectionRequest, now: datetime) -> None:
    what, _, new = _label(correction)
    verdict = "已通过" if correction.status == "approved" else f"未通过。原因：{correction.decision_reason}"
    outbox.enqueue(correction.employee_id, "correction_result", title="数据更正结果",
                   summary=f"{what}更正{verdict[:3]}", body=f"你申请将{what}更正为{new}，{verdict}",
                   dedupe_key=f"correction:{correction.id}:result", now=now,
                   data={"correction_request_id": correction.id, "status": correction.status})
