"""The data-completeness check before a month is scored: which configured sources are missing
which working days (a source the company never configured is not expected: its items take
self-reported or imported figures, app.services.observations.sources), which ratings nobody gave
yet, and which exchange rates the figures need. Scoring waits for green or for HR's word — except
for a missing rate, without which nothing can be scored."""

from collections import defaultdict

from sqlalchemy import select

from app.domain.workcalendar import month_bounds
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    FxRate,
    Indicator,
    Observation,
    Rating,
)
from app.services import audit, authz
from app.services.calendar import company_calendar
from app.services.lookup import configured_sources
from app.services.usecase import JsonDict, get_or_404, use_case

NOT_SYNCED = {"self_report", "rating"}


def gaps(cycle: Cycle) -> JsonDict:
    """{"sources": {source: [missing working days]}, "ratings": {rater kind: missing count},
    "rates": ["YYYY-MM FROM→TO" HR has to add]}."""
    return {"sources": _missing_sources(cycle), "ratings": _missing_ratings(cycle), "rates": missing_rates(cycle)}


def gaps_of(cycle_id: int, *, hr_id: int) -> JsonDict:
    """The month's gaps as HR reads them in the 结算待办 (HR only)."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    return gaps(get_or_404(Cycle, cycle_id, "考核周期"))


def is_green(cycle: Cycle) -> bool:
    """No source is missing a working day and no rating is owed: the gaps HR may accept instead.
    (Missing rates are checked on their own: nobody can accept those.)"""
    return not _missing_sources(cycle) and not _missing_ratings(cycle)


def _missing_sources(cycle: Cycle) -> dict[str, list[str]]:
    """Configured sources feeding the month's items → the working days they sent nothing for."""
    configured = configured_sources()
    if not configured:
        return {}
    first, last = month_bounds(cycle.year, cycle.month)
    working = company_calendar().working_days_list(first, last)
    sources: dict[str, set[str]] = defaultdict(set)  # source → indicator codes
    for code, source in db.session.execute(
        select(AssessmentItem.indicator_code, Indicator.source).distinct()
        .join(Assessment).join(Indicator, Indicator.code == AssessmentItem.indicator_code)
        .where(Assessment.cycle_id == cycle.id, Indicator.source.not_in(NOT_SYNCED),
               Indicator.source.in_(configured))
    ):
        sources[source].add(code)
    missing: dict[str, list[str]] = {}
    for source in sorted(sources):
        seen = set(db.session.scalars(select(Observation.day).distinct().where(
            Observation.source == source, Observation.day.between(first, last))))
        days = [d.isoformat() for d in working if d not in seen]
        if days:
            missing[source] = days
    return missing


def missing_rates(cycle: Cycle) -> list[str]:
    """Conversions scoring will make (a figure of one of the person's items, in another currency than
    their assessment's) that have no rate for the month."""
    month = f"{cycle.year:04d}-{cycle.month:02d}"
    first, last = month_bounds(cycle.year, cycle.month)
    needed = db.session.execute(
        select(Observation.currency, Assessment.currency).distinct()
        .join(Assessment, (Assessment.employee_id == Observation.employee_id)
              & Observation.day.between(Assessment.first_day, Assessment.last_day))
        .join(AssessmentItem, (AssessmentItem.assessment_id == Assessment.id)
              & (AssessmentItem.indicator_code == Observation.indicator_code))
        .where(Assessment.cycle_id == cycle.id, Observation.day.between(first, last),
               Observation.currency.is_not(None), Observation.currency != Assessment.currency)).all()
    known = set(db.session.execute(
        select(FxRate.currency, FxRate.target_currency).where(FxRate.month == month)).all())
    return sorted(f"{month} {source}→{target}" for source, target in needed if (source, target) not in known)


def _missing_ratings(cycle: Cycle) -> dict[str, int]:
    rated = select(Rating.assessment_item_id)
    rows = db.session.scalars(select(AssessmentItem.rater).join(Assessment).where(
        Assessment.cycle_id == cycle.id, AssessmentItem.rater.is_not(None), AssessmentItem.id.not_in(rated)))
    counts: dict[str, int] = defaultdict(int)
    for rater in rows:
        if rater is not None:  # always: the query keeps rated items only
            counts[rater] += 1
    return dict(counts)


@use_case
def acknowledge(cycle_id: int, *, hr_id: int) -> JsonDict:
    """HR accepts the gaps: the month is scored with the data there is. Returns what was accepted."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    cycle = get_or_404(Cycle, cycle_id, "考核周期")
    found = gaps(cycle)
    cycle.gaps_acknowledged_by = hr_id
    audit.record("cycle.acknowledge_gaps", "cycle", cycle.id, actor_id=hr_id, after=found)
    db.session.commit()
    return found
