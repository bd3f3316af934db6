"""The data-completeness check before a month is scored: which sources are missing which
working days, and which ratings nobody gave yet. Scoring waits for green or for HR's word."""

from collections import defaultdict

from sqlalchemy import select

from app.domain.workcalendar import month_bounds
from app.extensions import db
from app.models import Assessment, AssessmentItem, Cycle, Indicator, Observation, Rating
from app.services import audit, authz
from app.services.calendar import company_calendar

NOT_SYNCED = {"self_report", "rating"}


def gaps(cycle: Cycle) -> dict:
    """{"sources": {source: [missing working days]}, "ratings": {rater kind: missing count}}."""
    first, last = month_bounds(cycle.year, cycle.month)
    working = company_calendar().working_days_list(first, last)
    sources = defaultdict(set)
    for code, source in db.session.execute(
        select(AssessmentItem.indicator_code, Indicator.source).distinct()
        .join(Assessment).join(Indicator, Indicator.code == AssessmentItem.indicator_code)
        .where(Assessment.cycle_id == cycle.id, Indicator.source.not_in(NOT_SYNCED))
    ):
        sources[source].add(code)
    missing = {}
    for source in sorted(sources):
        seen = set(db.session.scalars(select(Observation.day).distinct().where(
            Observation.source == source, Observation.day.between(first, last))))
        days = [d.isoformat() for d in working if d not in seen]
        if days:
            missing[source] = days
    return {"sources": missing, "ratings": _missing_ratings(cycle)}


def _missing_ratings(cycle: Cycle) -> dict[str, int]:
    rated = select(Rating.assessment_item_id)
    rows = db.session.scalars(select(AssessmentItem.rater).join(Assessment).where(
        Assessment.cycle_id == cycle.id, AssessmentItem.rater.is_not(None), AssessmentItem.id.not_in(rated)))
    counts: dict[str, int] = defaultdict(int)
    for rater in rows:
        counts[rater] += 1
    return dict(counts)


def is_green(cycle: Cycle) -> bool:
    found = gaps(cycle)
    return not found["sources"] and not found["ratings"]


def acknowledge(cycle_id: int, *, hr_id: int) -> dict:
    """HR accepts the gaps: the month is scored with the data there is. Returns what was accepted."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    cycle = db.session.get(Cycle, cycle_id)
    found = gaps(cycle)
    cycle.gaps_acknowledged_by = hr_id
    audit.record("cycle.acknowledge_gaps", "cycle", cycle.id, actor_id=hr_id, after=found)
    db.session.commit()
    return found
