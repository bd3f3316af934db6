"""The daily 结算待办 to HR while last month's close waits (docs/product.md "The monthly process").

The clock calls `tell_hr` each working day from 09:00 while last month's cycle is still open: it
gathers what blocks the close — the completeness check's source gaps and missing rates, and who
owes which ratings by the rule the raters' own reminders follow (rating_prompts) — and each HR
member gets one message naming them, who must act and by when (app.domain.close_todo words it).
Nothing is sent when nothing blocks. It lives beside rating_prompts because it needs that rule,
which a lower layer (cycle) could not import.
"""

from collections import Counter
from datetime import date, datetime

from sqlalchemy import select

from app.domain.close_todo import Acknowledged, CloseBlockers, OwedRatings, scoring_date, todo_body, todo_summary
from app.extensions import db
from app.models import AuditLog, Cycle, Employee
from app.services import settings
from app.services.business_time import business_today, to_local
from app.services.cycle import completeness
from app.services.feedback.rating_prompts import missing_ratings
from app.services.lookup import hr_members, name_of
from app.services.notify import outbox
from app.services.usecase import get_or_404, use_case


@use_case
def tell_hr(cycle_id: int, now: datetime) -> int:
    """One 结算待办 to each HR member for today (the dedupe key names the day), or nothing when
    nothing blocks the close. Returns how many HR members were told."""
    cycle = get_or_404(Cycle, cycle_id, "考核周期")
    blockers = _blockers(cycle)
    if not blockers.blocking:
        return 0
    today = business_today(now)
    scoring = scoring_date(cycle.year, cycle.month, settings.of_cycle(cycle).scoring_day)
    summary, body = todo_summary(blockers), todo_body(blockers, scoring, today)
    told = hr_members()
    for hr_id in told:
        outbox.enqueue(hr_id, "close_todo", title="结算待办", summary=summary, body=body,
                       dedupe_key=f"close-todo:{cycle.id}:{hr_id}:{today.isoformat()}", now=now,
                       data={"cycle_id": cycle.id, "scoring_day": scoring.isoformat()})
    db.session.commit()
    return len(told)


def _blockers(cycle: Cycle) -> CloseBlockers:
    """What the close waits for, as the tick's close reads it (completeness), with names."""
    gaps = completeness.gaps(cycle)
    owed_kinds = set(gaps["ratings"])  # the kinds the completeness check still misses
    return CloseBlockers(
        year=cycle.year, month=cycle.month,
        sources={source: [date.fromisoformat(day) for day in days] for source, days in gaps["sources"].items()},
        ratings=_owed(cycle.id, owed_kinds), customer_ratings=gaps["ratings"].get("customer", 0),
        rates=[rate.split(" ", 1)[-1] for rate in gaps["rates"]], acknowledged=_acknowledged(cycle))


def _owed(cycle_id: int, kinds: set[str]) -> list[OwedRatings]:
    """Each rater who owes ratings of the kinds still missing, by name, in the order of their ids."""
    missing = missing_ratings(cycle_id)
    names = dict(db.session.execute(select(Employee.id, Employee.name).where(Employee.id.in_(list(missing)))).all())
    owed = []
    for rater in sorted(missing):
        counts = Counter(task.rater_kind for task in missing[rater] if task.rater_kind in kinds)
        if counts:
            owed.append(OwedRatings(names.get(rater, ""), dict(counts)))
    return owed


def _acknowledged(cycle: Cycle) -> Acknowledged | None:
    """Who accepted the gaps and on which day (the audit record of it; the cycle keeps only who)."""
    if cycle.gaps_acknowledged_by is None:
        return None
    at = db.session.scalar(select(AuditLog.at).where(
        AuditLog.entity == "cycle", AuditLog.entity_id == cycle.id, AuditLog.action == "cycle.acknowledge_gaps")
        .order_by(AuditLog.id.desc()).limit(1))
    return Acknowledged(name_of(cycle.gaps_acknowledged_by), to_local(at).date() if at else None)
