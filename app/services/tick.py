"""What the clock does on each tick, worked out from the database and the business calendar.

Nothing here remembers that it ran: each action looks at the state of the data and does what is
due by `now`, so a tick two days late catches up and a second scheduler's tick does nothing new.
A Redis lock keeps two ticks from working at the same moment. `now` is naive UTC.

One action failing (a missing exchange rate, a bad figure) is logged and rolled back; the others
still run, and the failed one runs again on the next tick.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any, TypeVar

from rq.timeouts import BaseTimeoutException
from sqlalchemy import select

from app import jobs
from app.connectors import runs as connectors
from app.domain.cycles import CycleStatus
from app.domain.workcalendar import next_month, previous_month
from app.extensions import db, redis_store
from app.imports import files
from app.models import Cycle, Report, ScoringRun
from app.reporting import monthly, payroll
from app.services import settings
from app.services.business_time import to_local
from app.services.calendar import company_calendar
from app.services.cycle import completeness, lifecycle, outcomes, review
from app.services.feedback import appeals, close_todo, peers, rating_prompts
from app.services.news import alerts, announcements, digest
from app.services.notify import outbox
from app.services.org import calendar_years, people, retention
from app.services.scoring import chunks, progress, reports
from app.wechat import pushes

OPEN_AT = time(9, 0)  # day 1, 09:00: the month opens and targets go out
ALERTS_AT = time(6, 0)  # yesterday's figures have synced by then
LOCK = "jixiao:clock:lock"
DONE = "jixiao:clock:done:{}"  # markers that spare repeated work; every action is idempotent anyway
DONE_TTL_SECONDS = 45 * 86400
log = logging.getLogger(__name__)
T = TypeVar("T")


def run_due(now: datetime) -> dict[str, Any]:
    """Run every action that is due; returns what each one did (for the log and the tests)."""
    # The lock outlives the tick job's time limit, so two ticks never overlap.
    lock = redis_store.client.lock(LOCK, timeout=jobs.TICK.timeout + 120, blocking_timeout=0)
    if not lock.acquire(blocking=False):
        return {"skipped": "another tick is running"}
    try:
        local = to_local(now)
        actions = {
            "calendar": lambda: _calendar_years(local, now),
            "leavers": lambda: _mark_leavers(local),
            "drafted": lambda: _draft_next_month(local),
            "opened": lambda: _open_month(local, now),
            "targets": lambda: _push_targets(now),
            "closing": lambda: _close_previous_month(local),
            "resumed": lambda: chunks.resume_runs(now=_epoch(now)),
            "review": lambda: _review(local, now),
            "published": lambda: review.publish_due(now),
            "reports": lambda: _push_reports(now),
            "reminders": lambda: _evening_reminders(local, now),
            "refreshed": lambda: _once(f"progress-refresh:{local.date()}", progress.refresh_open, 0),
            "synced": lambda: connectors.enqueue_due(now),
            "alerts": lambda: _request_alerts(local),
            "digests": lambda: digest.send_due_digests(now),
            "confirmed": lambda: reports.auto_confirm_due(now),
            "appeals": lambda: (appeals.appeal_reminders_due(now), appeals.escalate_due(now)),
            "rating_prompts": lambda: _prompt_missing_ratings(local, now),
            "close_todo": lambda: _tell_close_todo(local, now),
            "finalized": lambda: _finalize_settled(now),
            "republished": lambda: _follow_republications(now),
            "monthly_reports": lambda: monthly.follow_new_reports(now),
            "payroll_changes": lambda: payroll.tell_changes(now),
            "purged": lambda: _purge(local),
            "pushes_pruned": lambda: _once(f"prune-pushes:{local.date()}", partial(pushes.prune, now), 0),
            "uploads_pruned": lambda: _once(f"prune-uploads:{local.date()}", files.prune_uploads, 0),
            "dispatched": lambda: outbox.dispatch_due(now),
        }
        return {name: _isolated(name, action) for name, action in actions.items()}
    finally:
        lock.release()


def _isolated(name: str, action: Callable[[], T]) -> T | dict[str, str]:
    """Run one action; a failure is rolled back and logged, and reported instead of its result."""
    try:
        return action()
    except BaseTimeoutException:  # the job's time is up: stop the tick, not just this action
        raise
    except Exception as exc:  # one action's failure must not stop the others
        db.session.rollback()
        log.exception("clock action %s failed", name)
        return {"error": f"{type(exc).__name__}: {exc}"}


def _once(marker: str, action: Callable[[], T], skipped: T) -> T:
    """Run `action` unless it already succeeded for `marker` (then return `skipped`). The marker is
    set only after success, so an action that failed, or whose tick died, runs again next tick."""
    key = DONE.format(marker)
    if redis_store.client.exists(key):
        return skipped
    result = action()
    redis_store.client.set(key, 1, ex=DONE_TTL_SECONDS)
    return result


def _calendar_years(local: datetime, now: datetime) -> dict[str, list[int]]:
    """Once a day, first: this year and next are recorded, so every later action reads them (a year
    nobody imported is provisional). Once a week, while this year is unconfirmed — or from 1 November
    next year — HR is told; a week with nothing to tell sets no marker."""
    today = local.date()
    nothing: list[int] = []
    recorded = _once(f"calendar:{today}", lambda: calendar_years.ensure_years((today.year, today.year + 1)), nothing)
    if not calendar_years.unconfirmed_years(today):
        return {"recorded": recorded, "told": nothing}
    week = today.isocalendar()
    told = _once(f"calendar-notice:{week.year}-W{week.week:02d}",
                 lambda: calendar_years.tell_unconfirmed(today, now), nothing)
    return {"recorded": recorded, "told": told}


def _push_targets(now: datetime) -> int:
    """Once per opened month: peers are picked for peer-rated items and targets go out."""
    open_ids = db.session.scalars(select(Cycle.id).where(Cycle.status == CycleStatus.OPEN)).all()
    pushed = 0
    for cycle_id in open_ids:
        pushed += _once(f"targets:{cycle_id}", partial(_targets, cycle_id, now), 0)
    return pushed


def _targets(cycle_id: int, now: datetime) -> int:
    peers.assign_default_peers(cycle_id, now=now)
    return announcements.push_targets(cycle_id, now)


def _prompt_missing_ratings(local: datetime, now: datetime) -> int:
    """Each working day from 09:00 while last month's close waits: ask raters for the ratings they
    still owe (once a day), before the scoring day and after it, until they rate or the month is scored."""
    cycle_id = _close_waiting(local)
    if cycle_id is None:
        return 0
    return _once(f"rating-prompts:{local.date()}", lambda: rating_prompts.prompt_missing_ratings(cycle_id, now), 0)


def _tell_close_todo(local: datetime, now: datetime) -> int:
    """Each working day from 09:00 while last month's close waits: HR hears what blocks it (结算待办),
    once a day; a day when nothing blocks sends nothing."""
    cycle_id = _close_waiting(local)
    if cycle_id is None:
        return 0
    return _once(f"close-todo:{local.date()}", lambda: close_todo.tell_hr(cycle_id, now), 0)


def _close_waiting(local: datetime) -> int | None:
    """Last month's cycle when it is still open on a working day from 09:00 (None otherwise)."""
    if local.time() < OPEN_AT or not company_calendar().is_working_day(local.date()):
        return None
    year, month = previous_month(local.year, local.month)
    return db.session.scalar(select(Cycle.id).where(Cycle.year == year, Cycle.month == month,
                                                    Cycle.status == CycleStatus.OPEN))


def _review(local: datetime, now: datetime) -> dict[str, int]:
    """HR is told once when a month is scored and waits for 发布; on working days from 09:00 each
    rating HR sent back is asked for again, once a day."""
    waiting = db.session.scalars(select(Cycle.id).where(Cycle.status == CycleStatus.REVIEW)).all()
    told = sum(_once(f"review-told:{cycle_id}", partial(review.tell_hr_scored, cycle_id, now), 0)
               for cycle_id in waiting)
    asked = 0
    if waiting and local.time() >= OPEN_AT and company_calendar().is_working_day(local.date()):
        asked = _once(f"returned:{local.date()}", partial(review.remind_returned, now), 0)
    return {"told": told, "asked_again": asked}


def _push_reports(now: datetime) -> int:
    """Each run's published reports go out once; a month's reports are published when HR (or the
    auto-publish setting) publishes it, which may be long after its run finished."""
    since = now - timedelta(days=14)
    runs = db.session.scalars(select(Report.run_id).distinct().where(Report.published_at >= since)).all()
    return sum(_once(f"reports:{run_id}", partial(announcements.push_reports, run_id, now), 0)
               for run_id in runs if run_id is not None)  # the column allows a report without a run


def _evening_reminders(local: datetime, now: datetime) -> int:
    """From the reminder time (18:00 by default), once a day; who works that day is decided per
    department and person."""
    if local.time() < settings.of_month(local.year, local.month).reminder_at:
        return 0
    return _once(f"reminders:{local.date()}", lambda: announcements.evening_reminders(local.date(), now), 0)


def _request_alerts(local: datetime) -> bool:
    """From 06:00, yesterday's run; the job marks the day done when it succeeded (see request_day)."""
    if local.time() < ALERTS_AT:
        return False
    return alerts.request_day(local.date() - timedelta(days=1))


def _draft_next_month(local: datetime) -> int | None:
    """From the draft day (the 25th by default), next month is a draft HR can adjust; once a day
    it takes in people hired since. Nothing is told to anyone until the month opens."""
    if local.day < settings.of_month(local.year, local.month).draft_day:
        return None
    year, month = next_month(local.year, local.month)
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == year, Cycle.month == month))
    if cycle is not None and cycle.status != CycleStatus.DRAFT:
        return None
    return _once(f"draft:{year}-{month}:{local.date()}", lambda: lifecycle.draft_cycle(year, month).id, None)


def _open_month(local: datetime, now: datetime) -> int | None:
    """Open this month's cycle from day 1, 09:00 (or at the first tick after it)."""
    if local.day == 1 and local.time() < OPEN_AT:
        return None
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == local.year, Cycle.month == local.month))
    if cycle is not None and cycle.status != CycleStatus.DRAFT:
        return None
    return lifecycle.open_cycle(local.year, local.month, now=now).id


def _close_previous_month(local: datetime) -> int | None:
    """From the scoring day (day 3 by default, as last month opened with), score last month once its
    data is complete or HR accepted the gaps."""
    year, month = previous_month(local.year, local.month)
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == year, Cycle.month == month))
    if cycle is None or cycle.status != CycleStatus.OPEN:
        return None
    if local.day < settings.of_cycle(cycle).scoring_day:
        return None
    if completeness.missing_rates(cycle):  # HR's word cannot stand in for a rate: scoring would fail
        return None
    if cycle.gaps_acknowledged_by is None and not completeness.is_green(cycle):
        return None
    return chunks.close_cycle(cycle.id, reason="月度评分")


def _mark_leavers(local: datetime) -> list[int]:
    """Once a day: whoever's last day is past is marked left (their access ends, retention starts)."""
    nobody: list[int] = []
    return _once(f"leavers:{local.date()}", lambda: people.mark_leavers(local.date()), nobody)


def _purge(local: datetime) -> list[int]:
    """Once a day: leavers past the retention period; nobody when it already ran today."""
    nobody: list[int] = []
    return _once(f"purge:{local.date()}", lambda: retention.purge_due(local.date()), nobody)


def _finalize_settled(now: datetime) -> list[int]:
    published = db.session.scalars(select(Cycle.id).where(Cycle.status == CycleStatus.PUBLISHED)).all()
    return [cycle_id for cycle_id in published if lifecycle.finalize(cycle_id, now=now)]


def _follow_republications(now: datetime) -> list[int]:
    """Outcomes follow a final month's re-publication, once per run that finished after it went final."""
    recent = db.session.scalars(
        select(ScoringRun.id).join(Cycle, Cycle.id == ScoringRun.cycle_id)
        .where(Cycle.status == CycleStatus.FINAL, ScoringRun.status == "done", ScoringRun.finished_at > Cycle.final_at,
               ScoringRun.finished_at >= now - timedelta(days=14))).all()
    return [run_id for run_id in recent
            if _once(f"republished:{run_id}", partial(_follow, run_id), False)]


def _follow(run_id: int) -> bool:
    outcomes.follow_republication(run_id)
    return True


def _epoch(now: datetime) -> float:
    return now.replace(tzinfo=UTC).timestamp()
