"""A month's days as the person submitted them (the mini-program's 历史 page): each day's figures
and note, whether it can still be edited or now needs a correction request, the corrections asked
for it, and how long its conversation (点评 and replies) is.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, Comment, CorrectionRequest, Indicator, Observation, ProgressEntry
from app.services.authz import Action, Actor, Subject, can, require
from app.services.business_time import clock_now, to_local
from app.services.lookup import format_figure
from app.services.observations import screenshots
from app.services.observations.submissions import edit_until
from app.services.usecase import JsonDict, get_or_404


def days_of(assessment_id: int, who: Actor) -> list[JsonDict]:
    """The assessment's submitted days, newest first (a fixed number of queries whatever the month's length)."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.VIEW_PROGRESS, Subject(assessment.employee_id))
    entries = db.session.scalars(select(ProgressEntry).where(ProgressEntry.assessment_id == assessment_id)
                                 .order_by(ProgressEntry.day.desc())).all()
    ids = [e.id for e in entries]
    figures: dict[int, list[Observation]] = defaultdict(list)
    for row in db.session.scalars(select(Observation).where(Observation.progress_entry_id.in_(ids))
                                  .order_by(Observation.indicator_code)):
        figures[row.progress_entry_id or 0].append(row)
    comments = Counter(dict(db.session.execute(
        select(Comment.progress_entry_id, func.count()).where(Comment.progress_entry_id.in_(ids))
        .group_by(Comment.progress_entry_id)).all()))
    corrections: dict[date, list[CorrectionRequest]] = defaultdict(list)
    for request in db.session.scalars(select(CorrectionRequest).where(CorrectionRequest.assessment_id == assessment_id)
                                      .order_by(CorrectionRequest.id)):
        corrections[request.day].append(request)
    named = {i.code: i for i in db.session.scalars(select(Indicator).where(
        Indicator.code.in_({i.indicator_code for i in assessment.items})))}
    today = to_local(clock_now())
    viewer = who.person_id if can(who, Action.VIEW_SCREENSHOT, Subject(assessment.employee_id)) else None
    shots = screenshots.of_entries(ids)
    return [{**_day(e, figures[e.id], comments[e.id], corrections[e.day], named, assessment.currency, today),
             "screenshots": [screenshots.described(shot, viewer) for shot in shots.get(e.id, [])]}
            for e in entries]


def submission_state(assessment_id: int, who: Actor) -> JsonDict:
    """Today's submit button: `done` (today's entry is in), `open` (today can be submitted) or
    `closed` (today is outside the assessment's days); `day` is the day the submit page opens on,
    `editable_until` when that day's entry stops being editable (local time)."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.VIEW_PROGRESS, Subject(assessment.employee_id))
    today = to_local(clock_now()).date()
    submitted = db.session.scalar(select(ProgressEntry.id).where(ProgressEntry.assessment_id == assessment_id,
                                                                 ProgressEntry.day == today)) is not None
    inside = assessment.first_day <= today <= assessment.last_day
    closes = datetime.combine(today + timedelta(days=1), edit_until(today))
    return {"day": today, "state": "done" if submitted else "open" if inside else "closed",
            "editable_until": closes.isoformat(timespec="minutes")}


def _day(entry: ProgressEntry, observations: list[Observation], comments: int, corrections: list[CorrectionRequest],
         named: dict[str, Indicator], currency: str, now: datetime) -> JsonDict:
    closes = datetime.combine(entry.day + timedelta(days=1), edit_until(entry.day))
    return {
        "progress_entry_id": entry.id, "day": entry.day, "note": entry.note,
        "figures": [_figure(named[o.indicator_code], o, currency) for o in observations],
        "editable_until": closes.isoformat(timespec="minutes"), "editable": now < closes,
        "comments": comments, "figure_check": entry.figure_check,
        "corrections": [{"id": c.id, "indicator": c.indicator_code, "status": c.status,
                         "new": format_figure(named[c.indicator_code], _ratio(c.new_numerator, c.new_denominator),
                                              currency),
                         "reason": c.reason, "decision_reason": c.decision_reason or ""} for c in corrections],
    }


def _figure(ind: Indicator, observation: Observation, currency: str) -> JsonDict:
    return {"indicator": ind.code, "name": ind.name, "numerator": str(observation.numerator),
            "denominator": None if observation.denominator is None else str(observation.denominator),
            "display": format_figure(ind, _ratio(observation.numerator, observation.denominator), currency)}


def _ratio(numerator: Decimal, denominator: Decimal | None) -> Decimal:
    return numerator / (denominator or 1)
