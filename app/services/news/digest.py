"""Recurring news to managers, composed in one place and sent through the outbox.

- Progress digest (团队进展): on the manager's working days at 10:00 and 18:00, the progress entries
  their whole team submitted since the previous one (the first looks back 24 hours).
- Monday digest (上周反馈): on the first working day of the week at 09:00, last week per member.
- Alert summary (预警汇总): on working days at 09:30, the team's alerts since the previous one.

`send_due_digests(now)` is safe to call every minute from any number of schedulers: a digest is
unique per manager, kind and slot, an empty one is stored (marking the slot done) but not sent, and
a slot missed while the scheduler was down is sent on its next call the same day (the Monday one
the same week). Every digest stores what its numbers stand for; `resolve_line` answers the bot's
"点评 N …" against the latest digest the manager actually received.

Times are naive UTC; slots are local times of the business zone on the manager's calendar.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain import digest as composer
from app.domain.workcalendar import WorkCalendar
from app.errors import ApiError
from app.extensions import db
from app.models import Digest, DigestLine, OutboxMessage
from app.services.business_time import to_local, to_utc
from app.services.calendar import company_calendar, department_calendars
from app.services.news import team_news, week
from app.services.notify import outbox
from app.services.usecase import use_case

PROGRESS, WEEKLY, ALERTS = "progress", "weekly", "alerts"
PROGRESS_SLOTS = (time(10, 0), time(18, 0))
ALERT_SLOTS = (time(9, 30),)
WEEKLY_AT = time(9, 0)
FIRST_LOOKBACK = timedelta(hours=24)


@use_case
def send_due_digests(now: datetime) -> dict[str, int]:
    """Compose and enqueue every digest due by `now` that is not done yet; counts of those sent, per kind."""
    local = to_local(now)
    base = company_calendar()
    calendars = department_calendars(base)
    done = _done_slots(now - timedelta(days=8))
    org = team_news.load_org()
    sent: Counter[str] = Counter()
    for manager_id, department_id in team_news.managers():
        for kind, slot in due_slots(local, calendars.get(department_id, base)):
            if (manager_id, kind, to_utc(slot)) in done:
                continue
            digest = compose(manager_id, kind, to_utc(slot), now, org)
            if digest is not None and digest.message_id is not None:
                sent[kind] += 1
    return dict(sent)


def due_slots(local: datetime, calendar: WorkCalendar) -> list[tuple[str, datetime]]:
    """The latest slot of each kind that has passed by `local` (naive local), on a working day."""
    today = local.date()
    if not calendar.is_working_day(today):
        return []
    due = []
    for kind, times in ((PROGRESS, PROGRESS_SLOTS), (ALERTS, ALERT_SLOTS)):
        passed = [t for t in times if local.time() >= t]
        if passed:
            due.append((kind, datetime.combine(today, max(passed))))
    first_working = calendar.next_working_day(today - timedelta(days=today.weekday()))
    weekly = datetime.combine(first_working, WEEKLY_AT)
    if first_working <= today and local >= weekly:
        due.append((WEEKLY, weekly))
    return due


@use_case
def compose(manager_id: int, kind: str, slot: datetime, now: datetime,
            org: team_news.Org | None = None) -> Digest | None:
    """Build, store and enqueue one digest (commits); None when another scheduler already did.

    `org` (team_news.load_org) saves reloading the organisation for every manager.
    """
    now = now.replace(microsecond=0)  # stored without fractions on MariaDB: windows must match
    team = team_news.team_of(manager_id, org)
    if kind == WEEKLY:
        first, last = last_week(to_local(slot).date())
        since = to_utc(datetime.combine(first, time()))
        until = to_utc(datetime.combine(last + timedelta(days=1), time()))
        warnings = team_news.alert_messages(list(team), since, until)
        composed = composer.weekly_digest(first, last, week.week_news(team, first, last, warnings))
    else:
        since, until = _previous_until(manager_id, kind) or now - FIRST_LOOKBACK, now
        if kind == PROGRESS:
            composed = composer.progress_digest(to_local(slot), team_news.progress_news(team, since, until))
        else:
            composed = composer.alert_summary(to_local(slot), team_news.alert_news(team, since, until))
    return _store(manager_id, kind, slot, since, until, composed, now)


def last_week(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week before `day`'s."""
    monday = day - timedelta(days=day.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def latest_sent_at(manager_id: int) -> datetime | None:
    """When the manager's latest digest was sent (the bot reads a bare number against the newer of
    it and their 待办 list)."""
    return db.session.scalar(select(func.max(OutboxMessage.sent_at)).join(Digest, Digest.message_id == OutboxMessage.id)
                             .where(Digest.manager_id == manager_id, OutboxMessage.status == "sent"))


def resolve_line(manager_id: int, number: int) -> DigestLine:
    """What "点评 N …" means: line N of the latest digest the manager received (sent, not just queued)."""
    latest = db.session.scalar(
        select(Digest).join(OutboxMessage, OutboxMessage.id == Digest.message_id)
        .where(Digest.manager_id == manager_id, OutboxMessage.status == "sent")
        .order_by(OutboxMessage.sent_at.desc(), Digest.id.desc()).limit(1)
    )
    if latest is None:
        raise ApiError("no_digest", "还没有收到过团队摘要，暂时无法按编号点评", 404)
    line = db.session.scalar(select(DigestLine).where(DigestLine.digest_id == latest.id, DigestLine.number == number))
    if line is None:
        available = "1 条" if latest.line_count == 1 else f"1–{latest.line_count} 条"
        raise ApiError("digest_line_not_found", f"没有编号 {number}，最近一次摘要只有 {available}", 404)
    return line


def _store(manager_id: int, kind: str, slot: datetime, since: datetime, until: datetime,
           composed: composer.Composed, now: datetime) -> Digest | None:
    digest = Digest(manager_id=manager_id, kind=kind, slot=slot, covered_from=since, covered_until=until,
                    line_count=len(composed.numbered), created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(digest)
    except IntegrityError:  # another scheduler composed this slot
        return None
    for number, ref in composed.numbered:
        db.session.add(DigestLine(digest_id=digest.id, number=number, **ref))
    if composed.numbered:
        message = outbox.enqueue(
            manager_id, "digest", title=composed.title, body=composed.text, summary=composed.summary,
            dedupe_key=f"digest:{kind}:{manager_id}:{slot:%Y%m%d%H%M}", now=now, audience="manager",
            data={"digest_id": digest.id, "kind": kind},
        )
        digest.message_id = message.id
    db.session.commit()
    return digest


def _done_slots(since: datetime) -> set[tuple[int, str, datetime]]:
    return set(db.session.execute(
        select(Digest.manager_id, Digest.kind, Digest.slot).where(Digest.slot >= since)).all())


def _previous_until(manager_id: int, kind: str) -> datetime | None:
    return db.session.scalar(select(Digest.covered_until).where(Digest.manager_id == manager_id, Digest.kind == kind)
                             .order_by(Digest.covered_until.desc()).limit(1))
