"""Daily progress submissions (提交进展): the employee's own figures for one day, with a note.

The person may report any quantitative item of their own — every item that is not rated (an
indicator whose source is not "rating", an item without a rater). For an item a source system
syncs, the self-report is evidence: the synced (or imported) figure stays the figure of record,
and a self-report more than 5 % off it is told to the person and their manager once per item and
day (app.services.scoring.mismatches, when the bars are recomputed). An item of a source the
company never configured (app.services.observations.sources) takes the self-report as its figure
of record. A day's entry can be edited until the edit deadline the next day (10:00 unless HR set another) in
the business time zone; later corrections go through the manager. Each save replaces that day's
self-reported figures, audits what changed and asks for a progress recompute once committed.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from app.domain.cycles import CycleStatus
from app.domain.indicators import SELF_REPORT
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, Cycle, Indicator, Observation, ProgressEntry
from app.services import audit, settings
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import clock_now, to_local
from app.services.observations import screenshots
from app.services.scoring import progress
from app.services.usecase import use_case

NOTE_LIMIT = 500
RATED = "rating"  # the source of items people rate: nothing to report


@dataclass(frozen=True)
class SubmittedFigure:
    numerator: Decimal
    denominator: Decimal | None = None


@use_case
def submit(employee_id: int, day: date, figures: dict[str, SubmittedFigure], who: Actor, note: str = "", *,
           screenshot_ids: list[int] | None = None, now: datetime | None = None) -> ProgressEntry:
    """Save (or replace) the employee's entry for `day` — only they may; returns it, committed.
    `screenshot_ids` (uploaded before) become the day's screenshots; None keeps those it has."""
    now = now or clock_now()
    require(who, Action.SUBMIT_PROGRESS, Subject(employee_id))
    _check_window(day, now)
    if len(note) > NOTE_LIMIT:
        raise ApiError("note_too_long", f"备注最多{NOTE_LIMIT}字", 422, {"note": f"最多{NOTE_LIMIT}字"})
    assessment = _assessment_on(employee_id, day)
    indicators = _reportable(assessment)
    _check_figures(figures, indicators)
    entry = db.session.scalar(select(ProgressEntry).where(ProgressEntry.employee_id == employee_id,
                                                          ProgressEntry.day == day))
    before = _figures_of(entry) if entry else None
    if entry is None:
        entry = ProgressEntry(employee_id=employee_id, assessment_id=assessment.id, day=day, submitted_at=now)
        db.session.add(entry)
    entry.note = note
    db.session.flush()
    db.session.execute(delete(Observation).where(Observation.progress_entry_id == entry.id))
    for code, figure in figures.items():
        db.session.add(Observation(
            employee_id=employee_id, indicator_code=code, day=day, numerator=figure.numerator,
            denominator=figure.denominator, source=SELF_REPORT, provenance="self_reported",
            progress_entry_id=entry.id, external_ref=f"{employee_id}/{code}/{day.isoformat()}",
        ))
    plain = {code: _plain(f) for code, f in sorted(figures.items())}
    after: dict[str, Any] = {"day": day.isoformat(), "figures": plain, "note": note}
    if screenshot_ids is not None:
        after["screenshots"] = screenshots.attach(entry, screenshot_ids)
    db.session.flush()
    screenshots.refresh_figure_check(entry.id)
    audit.record("progress.submit", "progress_entry", entry.id, actor_id=who.person_id, before=before, after=after)
    db.session.commit()
    progress.request_recompute(assessment.id)
    return entry


def _check_window(day: date, now: datetime) -> None:
    local = to_local(now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now)
    if day > local.date():
        raise ApiError("day_in_future", "不能提交未来日期的进展", 422, {"day": day.isoformat()})
    until = edit_until(day)
    if local >= datetime.combine(day + timedelta(days=1), until):
        raise ApiError("edit_window_closed", f"已超过次日{until:%H:%M}的修改时限，如需更正请向主管申请", 409,
                       {"day": day.isoformat()})


def edit_until(day: date) -> time:
    """Until when, on the next day, the employee may still change a day's entry (the month's setting)."""
    return settings.of_month(day.year, day.month).edit_until


def _assessment_on(employee_id: int, day: date) -> Assessment:
    assessment = db.session.scalar(
        select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id).where(
            Assessment.employee_id == employee_id, Assessment.first_day <= day, Assessment.last_day >= day,
            Cycle.status == CycleStatus.OPEN,
        )
    )
    if assessment is None:
        raise ApiError("no_open_assessment", "该日期没有进行中的考核表", 404, {"day": day.isoformat()})
    return assessment


def _reportable(assessment: Assessment) -> dict[str, Indicator]:
    """The assessment's items the person may report: every item nobody rates (synced ones too)."""
    codes = [item.indicator_code for item in assessment.items if item.rater is None]
    rows = db.session.scalars(select(Indicator).where(Indicator.code.in_(codes), Indicator.source != RATED,
                                                      Indicator.kind == "quantitative"))
    return {row.code: row for row in rows}


def _check_figures(figures: dict[str, SubmittedFigure], indicators: dict[str, Indicator]) -> None:
    problems = {}
    for code, figure in figures.items():
        indicator = indicators.get(code)
        if indicator is None:
            problems[code] = "该指标由评分得出或不在本月考核表中，不能自报"
        elif figure.numerator < 0 or (figure.denominator is not None and figure.denominator < 0):
            problems[code] = f"「{indicator.name}」不能为负数"
        elif indicator.aggregation == "ratio" and not figure.denominator:
            problems[code] = f"「{indicator.name}」需要填写大于0的总数"
        elif (indicator.aggregation == "ratio" and indicator.display == "percent"
              and figure.denominator is not None and figure.numerator > figure.denominator):
            problems[code] = f"「{indicator.name}」的完成数不能大于总数"
    if problems:
        raise ApiError("figures_invalid", "；".join(problems.values()), 422, problems)


def _figures_of(entry: ProgressEntry) -> dict[str, Any]:
    rows = db.session.scalars(select(Observation).where(Observation.progress_entry_id == entry.id))
    figures = {o.indicator_code: _plain(SubmittedFigure(o.numerator, o.denominator)) for o in rows}
    shots = [shot.id for shot in screenshots.of_entries([entry.id]).get(entry.id, [])]
    return {"figures": figures, "note": entry.note, "screenshots": shots}


def _plain(figure: SubmittedFigure) -> list[str | None]:
    return [str(figure.numerator), None if figure.denominator is None else str(figure.denominator)]
