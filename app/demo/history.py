"""The demo's past months lived through the real services, each step at its own past moment.

The builder writes the company, its figures and ratings in bulk; this module then does what people
and the clock would have done since the first month opened, by calling the same services, with
`now=` set to the moment and the injected clock (app.config["CLOCK"], read by clock_now) set to it
for the services that read the clock themselves:

- bindings to WeCom (the stand-in in `make run`) a few days before the first month;
- the clock's weekly notice to HR of unconfirmed calendar years;
- targets pushed at each month's opening;
- managers' comments (点评) on their people's entries and some replies, in the evening of the day;
- the daily alert run for each day at 06:00 the next morning;
- the close: scored on the scoring day 09:00, HR told, published by HR, reports pushed; then
  confirmations, appeals decided by the manager within a day (an accepted one publishes report
  v2), silence counted as 认可 when the windows close, the month final, and HR deciding outcomes;
- the managers' last digests, so the first digest after seeding starts where they ended.

Nothing happens from `today` (local midnight) on: what falls due then is the clock's, so its first
tick does only what today's date calls for. The messages of the past were delivered at their time:
they are recorded as sent (WeChat was not there to be called), so the first tick finds no backlog.

A large company (benchmarks) is lived through for a bounded sample of SAMPLE people (HR, the
managers and others drawn at random), so the one-by-one calls (bindings, comments, confirmations,
appeals) stay those of the 50-person demo: silence counts as 认可 for everyone else,
alerts are evaluated for the sample once, and the others' messages are unreachable (unbound). What
scales with the headcount however it is called is left to the clock's first tick: the pushes to
everyone (targets, reports), the months going final with their outcome proposals, and the digests.
"""

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import Select, and_, func, insert, literal, select, update
from sqlalchemy.orm import aliased

from app.demo import talk
from app.domain.cycles import CycleStatus
from app.domain.workcalendar import next_month
from app.errors import ApiError
from app.extensions import db
from app.models import (
    Assessment,
    Cycle,
    DeliveryAttempt,
    Employee,
    OutboxMessage,
    Outcome,
    Position,
    ProgressEntry,
    Report,
    WeChatIdentity,
)
from app.services import settings
from app.services.authz import Actor, actor, managers_of, system
from app.services.business_time import to_local, to_utc
from app.services.calendar import company_calendar, department_calendars
from app.services.cycle import lifecycle, outcomes, review
from app.services.feedback import appeals, comments, peers
from app.services.lookup import hr_members, indicator
from app.services.news import alerts, announcements, digest, team_news
from app.services.org import binding, calendar_years, people
from app.services.scoring import reports, runs
from app.services.usecase import changed_rows
from app.standins.wechat_state import DEV_OPENID

SAMPLE = 60  # people acted for one by one; the 50-person demo is all of them
REPLY_SHARE = 0.38  # of comments an employee answers
CONFIRM_SHARE = 0.65  # of reports the person confirms (the others stay silent until the window closes)
APPROVE_SHARE = 0.8  # of outcome proposals HR approves
APPEALS = ((True, False), (True, False), (True, False, False))  # per past month: accepted or rejected


class PastClock:
    """The injected clock the services read while the history runs (naive UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2000, 1, 1)

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def _clock() -> Iterator[PastClock]:
    """Point app.config["CLOCK"] at a past clock for the history, and put the caller's back after."""
    config = current_app.config
    had, previous = "CLOCK" in config, config.get("CLOCK")
    clock = config["CLOCK"] = PastClock()
    try:
        yield clock
    finally:
        if had:
            config["CLOCK"] = previous
        else:
            config.pop("CLOCK", None)


def live_through(today: date, seed: int = 2026) -> Counter:
    """Live the months before `today` through the services; returns what it did, counted."""
    cutoff = to_utc(datetime.combine(today, time()))
    alerts.load_default_rules()  # the shipped rules, as `flask kpi load-templates` loads them
    with _clock() as clock:
        story = _Story(random.Random(f"{seed}/history"), clock, cutoff)
        story.bind_everyone()
        cycles = db.session.scalars(select(Cycle).where(Cycle.status != CycleStatus.DRAFT)
                                    .order_by(Cycle.year, Cycle.month)).all()
        story.calendar_notices(date(cycles[0].year, cycles[0].month, 1), today)
        story.targets(cycles[-1].id)
        for cycle in cycles:
            story.comment(cycle, today)
        story.alerts(cycles[0], today)
        for index, cycle in enumerate(c for c in cycles if (c.year, c.month) < (today.year, today.month)):
            story.leavers(date(*next_month(cycle.year, cycle.month), 1))
            story.close(cycle, APPEALS[index % len(APPEALS)])
        story.last_digests(today)
    story.counts["messages_delivered"] = _mark_delivered(cutoff)
    db.session.commit()
    return story.counts


def score_and_publish(today: date) -> None:
    """Only the close of each past month: scored on its scoring day at 09:00 and published by HR an
    hour later, every report still to be answered (what tests of a freshly published month start from)."""
    hr_id = hr_members()[0]
    for cycle in db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN)
                                    .order_by(Cycle.year, Cycle.month)).all():
        if (cycle.year, cycle.month) >= (today.year, today.month):
            continue
        people.mark_leavers(date(*next_month(cycle.year, cycle.month), 1))
        year, month = next_month(cycle.year, cycle.month)
        scored = _local(date(year, month, settings.of_cycle(cycle).scoring_day), 9, 0)
        runs.score_cycle(cycle.id, reason="月度评分", now=scored)
        review.publish(cycle.id, hr_id=hr_id, now=scored + timedelta(hours=1))


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time on `day` as stored time (naive UTC)."""
    return to_utc(datetime.combine(day, time(hour, minute)))


class _Story:
    """The history's state: its generator, the clock, the cut-off, the sample and the counts."""

    def __init__(self, rng: random.Random, clock: PastClock, cutoff: datetime):
        self.rng, self.clock, self.cutoff = rng, clock, cutoff
        self.counts: Counter = Counter()
        active = db.session.execute(select(Employee.id, Employee.employee_no, Employee.joined_on, Employee.is_hr,
                                           Employee.manager_id).where(Employee.status == "active")
                                    .order_by(Employee.id)).all()
        self.sampled = len(active) > SAMPLE
        self.people = {row.id: row for row in (_sample(rng, active) if self.sampled else active)}
        self.calendar = company_calendar()
        self.actors: dict[int, Actor] = {}

    def at(self, moment: datetime) -> datetime:
        """Move the clock to `moment` (services reading the clock get it)."""
        self.clock.now = moment
        return moment

    def actor(self, employee_id: int) -> Actor:
        """The person as an actor, loaded once (nobody's team changes during the history)."""
        if employee_id not in self.actors:
            self.actors[employee_id] = actor(employee_id)
        return self.actors[employee_id]

    def past(self, moment: datetime) -> bool:
        return moment < self.cutoff

    def leavers(self, day: date) -> None:
        """The clock's daily rules for leavers, caught up by `day`: marked left, and their WeCom
        binding gone (they keep only a mini-program binding to answer a last report, which the
        demo's people never made)."""
        people.mark_leavers(day)
        binding.expire_leaver_bindings(self.at(_local(day, 0, 30)))

    # -- before the first month ---------------------------------------------------------------

    def bind_everyone(self) -> None:
        """Each person binds WeCom with a code HR handed out, a few days before the first month
        (or on their first day); their WeCom userid is their employee number. They opened the
        mini-program the same day: its openid is the one the WeChat stand-in of `make run` gives
        for the code `dev:<employee number>`, so anyone trying the demo signs in as any of them
        through the real sign-in (no such code exists outside the stand-in)."""
        first = db.session.scalar(select(func.min(Assessment.first_day)))
        hr = hr_members()
        for person in self.people.values():
            day = max(first - timedelta(days=4), person.joined_on) if first else person.joined_on
            issued = self.at(min(_local(day, 10, self.rng.randrange(50)), self.cutoff - timedelta(hours=2)))
            issuer = next((h for h in hr if h != person.id), None)
            who = self.actor(issuer) if issuer else system("cli")
            code, _ = binding.issue_code(person.employee_no, who, now=issued)
            bound = self.at(issued + timedelta(minutes=self.rng.randint(3, 80)))
            binding.bind("wecom", person.employee_no, person.employee_no, code, now=bound)
            db.session.add(WeChatIdentity(employee_id=person.id, channel="mp", bound_at=bound,
                                          external_id=DEV_OPENID.format(person.employee_no)))
            self.counts["bindings"] += 2

    def targets(self, cycle_id: int) -> None:
        """The running month's targets went out at its opening, day 1 09:00 (peers picked first), so
        the first tick does not push them again. Earlier months' pushes are not re-created: their
        targets were confirmed long ago (the builder's acknowledged_at)."""
        cycle = db.session.get(Cycle, cycle_id)
        assert cycle is not None, "the running month's cycle was just read"
        opened = self.at(_local(date(cycle.year, cycle.month, 1), 9, 0))
        if self.past(opened) and not self.sampled:
            peers.assign_default_peers(cycle.id, now=opened)
            announcements.push_targets(cycle.id, opened)

    def calendar_notices(self, first: date, today: date) -> None:
        """The clock's daily record of this year and next, and HR's weekly notice of unconfirmed
        calendar years, at the first tick of each week before today, so this week's is not sent again."""
        monday = first - timedelta(days=first.weekday())
        while monday < today:
            at = self.at(_local(monday, 0, 5))
            calendar_years.ensure_years((monday.year, monday.year + 1))
            if calendar_years.unconfirmed_years(monday):
                calendar_years.tell_unconfirmed(monday, at)
            monday += timedelta(weeks=1)

    # -- during the month ----------------------------------------------------------------------

    def comment(self, cycle: Cycle, today: date) -> None:
        """Managers comment on about one entry per person a month, in the evening of its day;
        some people reply that evening or the next morning."""
        by_person: dict[int, list[tuple[int, date, str, int]]] = {}
        for row in self._commentable(cycle, today):
            by_person.setdefault(row[0], []).append(row[1:])
        current = (cycle.year, cycle.month) == (today.year, today.month)
        for employee_id in sorted(by_person):
            entries = by_person[employee_id]
            picked = self.rng.sample(entries, min(len(entries), self._how_many(current)))
            for entry_id, day, position, manager_id in picked:
                self._conversation(employee_id, entry_id, day, position, manager_id)

    def _how_many(self, current: bool) -> int:
        """About one a month per person; half as many in the month still running."""
        return self.rng.choice((0, 1) if current else (0, 1, 1, 1, 2))

    def _commentable(self, cycle: Cycle, today: date) -> list[tuple[int, int, date, str, int]]:
        """(person, entry, day, position, manager) of the cycle's entries before today by sampled
        people in their current position whose manager is still here."""
        manager = aliased(Employee)
        return [tuple(row) for row in db.session.execute(
            select(ProgressEntry.employee_id, ProgressEntry.id, ProgressEntry.day, Position.code, Employee.manager_id)
            .join(Assessment, Assessment.id == ProgressEntry.assessment_id)
            .join(Position, Position.id == Assessment.position_id)
            .join(Employee, Employee.id == ProgressEntry.employee_id)
            .join(manager, manager.id == Employee.manager_id)
            .where(Assessment.cycle_id == cycle.id, ProgressEntry.day < today, manager.status == "active",
                   Employee.position_id == Assessment.position_id, Employee.id.in_(list(self.people)))
            .order_by(ProgressEntry.employee_id, ProgressEntry.day))]

    def _conversation(self, employee_id: int, entry_id: int, day: date, position: str, manager_id: int) -> None:
        said, answer = talk.comment(position, self.rng)
        moment = self.at(_local(day, 19, 0) + timedelta(minutes=self.rng.randrange(150)))
        if not self.past(moment):
            return
        first = comments.add_comment(self.actor(manager_id), said, progress_entry_id=entry_id, now=moment)
        self.counts["comments"] += 1
        if self.rng.random() >= REPLY_SHARE:
            return
        reply = moment + timedelta(minutes=self.rng.randint(10, 90))
        if reply.time() >= _local(day, 22, 0).time() or reply.date() != moment.date():
            reply = _local(day + timedelta(days=1), 8, 30) + timedelta(minutes=self.rng.randrange(60))
        if self.past(reply):
            comments.add_comment(self.actor(employee_id), answer, parent_id=first.id, now=self.at(reply))
            self.counts["replies"] += 1

    def alerts(self, first_cycle: Cycle, today: date) -> None:
        """The daily alert run, at 06:00 the next morning, of every other Friday and of the day before
        yesterday (yesterday's run is the first tick's). A run re-reads a month, so every streak is
        still found, and the pace nudge is one per item and week anyway; running all ninety days
        would make the seed ten times slower. A large company's sample is evaluated person by person
        on the last of those days only."""
        last = today - timedelta(days=2)
        if self.sampled:
            self.at(_local(last + timedelta(days=1), 6, 0))
            for employee_id in self.people:
                self.counts["alerts"] += len(alerts.evaluate_employee(employee_id, last))
            return
        day = date(first_cycle.year, first_cycle.month, 1)
        while day <= last:
            if (day.isoweekday() == 5 and day.isocalendar().week % 2 == 0) or day == last:
                self.at(_local(day + timedelta(days=1), 6, 0))
                self.counts["alerts"] += len(alerts.run_day(day))
            day += timedelta(days=1)

    # -- the close -----------------------------------------------------------------------------

    def close(self, cycle: Cycle, appeal_plan: tuple[bool, ...]) -> None:
        """Score on the scoring day at 09:00, tell HR, publish a little later, push the reports;
        then the answers, the windows closing, the month final and HR's decisions. Each step only
        when its moment is before today: later ones are left to the clock."""
        year, month = next_month(cycle.year, cycle.month)
        scored = self.at(_local(date(year, month, settings.of_cycle(cycle).scoring_day), 9, 0))
        if not self.past(scored):
            return
        cycle_id = cycle.id
        run_id = runs.score_cycle(cycle_id, reason="月度评分", now=scored)
        review.tell_hr_scored(cycle_id, self.at(scored + timedelta(minutes=1)))
        published = self.at(scored + timedelta(minutes=self.rng.randint(35, 200)))
        if not self.past(published):
            return
        hr_id = hr_members()[0]
        review.publish(cycle_id, hr_id=hr_id, now=published)
        if not self.sampled:
            announcements.push_reports(run_id, self.at(published + timedelta(minutes=1)))
        self._answer(cycle_id, published, appeal_plan)
        self._settle(cycle_id)

    def _latest_reports(self, cycle_id: int) -> Select:
        """The latest version of each of the month's reports (a query to select from)."""
        latest = (select(Report.assessment_id, func.max(Report.version).label("version"))
                  .join(Assessment).where(Assessment.cycle_id == cycle_id).group_by(Report.assessment_id).subquery())
        return select(Report).join(
            latest, and_(latest.c.assessment_id == Report.assessment_id, latest.c.version == Report.version))

    def _answer(self, cycle_id: int, published: datetime, appeal_plan: tuple[bool, ...]) -> None:
        """The weakest reports with an item worth contesting are appealed as planned; most others
        are confirmed within the window, the rest stay silent."""
        owners = dict(db.session.execute(select(Assessment.id, Assessment.employee_id).where(
            Assessment.cycle_id == cycle_id, Assessment.employee_id.in_(list(self.people)))).all())
        plan = list(appeal_plan)
        mine = self._latest_reports(cycle_id).where(Report.assessment_id.in_(list(owners)))
        for report in db.session.scalars(mine.order_by(Report.total, Report.id)).all():
            employee_id = owners[report.assessment_id]
            if employee_id not in self.people:
                continue
            # the person's manager decides (the general manager, with nobody above, does not appeal here)
            if plan and managers_of(employee_id) and (item := _contestable(report)) is not None:
                if self._appeal(report, employee_id, item, plan[0], published):
                    plan.pop(0)
                    continue
            if self.rng.random() < CONFIRM_SHARE:
                self._confirm(report, employee_id, published)

    def _confirm(self, report: Report, employee_id: int, after: datetime) -> None:
        """认可 some hours after publication, inside the window."""
        moment = after + timedelta(minutes=self.rng.randint(15, 26 * 60))
        if report.window_closes_at is not None and moment >= report.window_closes_at:
            moment = after + (report.window_closes_at - after) / 2
        if self.past(moment):
            reports.confirm_report(report.id, self.actor(employee_id), now=self.at(moment))
            self.counts["confirmed"] += 1

    def _appeal(self, report: Report, employee_id: int, item: dict, accept: bool, published: datetime) -> bool:
        """File an appeal on one item a few hours after publication; the manager decides within a
        day. An accepted one publishes report v2, which the person confirms. False when nothing was
        filed (the moment is not past, or the appeal was refused)."""
        position = _position_of(report.assessment_id)
        filed = published + timedelta(minutes=self.rng.randint(90, 8 * 60))
        decided = filed + timedelta(minutes=self.rng.randint(60, 6 * 60))
        if not self.past(decided):
            return False
        claimed, reason = _claimed(item), talk.appeal_reason(position, self.rng)
        assert claimed is not None, "only an item with a better claim is contestable"
        try:
            appeal = appeals.file_appeal(report.id, item["indicator"], claimed, reason, [], self.actor(employee_id),
                                         now=self.at(filed))
        except ApiError:
            return False
        self.counts["appeals"] += 1
        answer = talk.decision_reason(position, accept, self.rng)
        decider = self._decide(appeal.id, employee_id, accept, answer, decided)
        self.counts["appeals_accepted" if accept else "appeals_rejected"] += 1
        self.counts[f"appeals_decided_by_{'manager' if decider in managers_of(employee_id) else 'hr'}"] += 1
        if accept:
            latest = self._latest_of(report.assessment_id)
            if latest.version > report.version:
                self.counts["reports_v2"] += 1
                self._confirm(latest, employee_id, decided)
        return True

    def _decide(self, appeal_id: int, employee_id: int, accept: bool, reason: str, moment: datetime) -> int:
        """The nearest manager allowed to decides (one who gave the rating appealed against may
        not), else HR; returns who decided."""
        for decider in [*managers_of(employee_id), *hr_members(exclude=employee_id)]:
            try:
                appeals.decide_appeal(appeal_id, accept, reason, self.actor(decider), now=self.at(moment))
                return decider
            except ApiError as error:
                if error.code != "forbidden":
                    raise
        raise RuntimeError(f"nobody may decide appeal {appeal_id}")

    def _latest_of(self, assessment_id: int) -> Report:
        report = db.session.scalar(select(Report).where(Report.assessment_id == assessment_id)
                                   .order_by(Report.version.desc()).limit(1))
        assert report is not None, "an assessment with an appeal has reports"
        return report

    def _settle(self, cycle_id: int) -> None:
        """When the last window closes the clock counts silence as 认可 and the month goes final;
        HR decides the proposals over the next working day."""
        unsettled = self._latest_reports(cycle_id).where(Report.response.in_(("pending", "appealed"))).subquery()
        closes = db.session.scalar(select(func.max(unsettled.c.window_closes_at)))
        settled = self.at((closes or self.clock.now) + timedelta(minutes=1))
        if not self.past(settled):
            return
        self.counts["auto_confirmed"] += reports.auto_confirm_due(settled)
        if self.sampled or not lifecycle.finalize(cycle_id, now=settled):
            return
        self.counts["final"] += 1
        day = self.calendar.next_working_day(to_local(settled).date() + timedelta(days=1))
        pending = db.session.scalars(select(Outcome).where(Outcome.cycle_id == cycle_id, Outcome.status == "pending",
                                                           Outcome.employee_id.in_(list(self.people)))
                                     .order_by(Outcome.id)).all()
        for n, outcome in enumerate(pending):
            moment = _local(day, 10, 0) + timedelta(minutes=9 * n + self.rng.randrange(8))
            decider = next((h for h in hr_members(exclude=outcome.employee_id)), None)
            if decider is None or not self.past(moment):
                continue
            approve = self.rng.random() < APPROVE_SHARE
            outcomes.decide(outcome.id, self.actor(decider), approve=approve, now=self.at(moment))
            self.counts[f"outcomes_{outcome.kind}_{'approved' if approve else 'rejected'}"] += 1

    # -- the last digests ----------------------------------------------------------------------

    def last_digests(self, today: date) -> None:
        """Each manager's digests of their last working day before today (and this week's Monday
        one), so the first digest after seeding covers only what came after them."""
        if self.sampled:
            return
        calendars = department_calendars(self.calendar)
        org = team_news.load_org()
        for manager_id, department_id in team_news.managers():
            calendar = calendars.get(department_id, self.calendar)
            day = today - timedelta(days=1)
            while not calendar.is_working_day(day):
                day -= timedelta(days=1)
            for kind, slot in digest.due_slots(datetime.combine(day, time(23, 59)), calendar):
                at = self.at(to_utc(slot))
                if self.past(at):
                    digest.compose(manager_id, kind, at, at, org)
                    self.counts["digests"] += 1


def _sample(rng: random.Random, active: list) -> list:
    """HR and everyone who manages people (they decide, comment and read digests), and others drawn
    at random up to SAMPLE."""
    managers = {row.manager_id for row in active}
    leading = [row for row in active if row.is_hr or row.id in managers]
    others = [row for row in active if not (row.is_hr or row.id in managers)]
    drawn = rng.sample(others, max(0, min(len(others), SAMPLE - len(leading))))
    return sorted(leading + drawn, key=lambda row: row.id)


def _contestable(report: Report) -> dict | None:
    """A quantitative item of the report below its cap with a figure a better claim would move."""
    for item in report.body.get("items", []):
        if item.get("kind") != "quantitative" or item.get("actual") is None or item.get("capped"):
            continue
        if item.get("direction") not in ("higher", "lower") or item.get("status") == "met":
            continue
        if _claimed(item) is not None:
            return item
    return None


def _claimed(item: dict) -> str | None:
    """What the person says the figure really was: about 8 % better, within what the display allows."""
    actual = Decimal(item["actual"])
    percent = indicator(item["indicator"]).display == "percent"
    better = actual * (Decimal("1.08") if item["direction"] == "higher" else Decimal("0.92"))
    if percent:
        better = min(better, Decimal(1))
    claimed = better.quantize(Decimal("0.0001") if percent else Decimal("0.01"))
    return str(claimed) if claimed != actual and claimed >= 0 else None


def _position_of(assessment_id: int) -> str:
    code = db.session.scalar(select(Position.code).join(Assessment, Assessment.position_id == Position.id)
                             .where(Assessment.id == assessment_id))
    return code or ""


def _mark_delivered(cutoff: datetime) -> int:
    """Record the history's messages as delivered at their time: a WeCom message sent when it fell
    due (one attempt, "ok") to a person bound to WeCom; to anyone unbound, unreachable. A message
    due from today on stays pending: it is today's to send."""
    bound = select(WeChatIdentity.employee_id).where(WeChatIdentity.channel == "wecom")
    due = (OutboxMessage.status == "pending", OutboxMessage.next_attempt_at < cutoff)
    for reached, channel, result in ((True, "wecom", "ok"), (False, None, "unreachable")):
        whom = OutboxMessage.recipient_id.in_(bound) if reached else OutboxMessage.recipient_id.not_in(bound)
        db.session.execute(insert(DeliveryAttempt).from_select(
            ["message_id", "number", "channel", "started_at", "result"],
            select(OutboxMessage.id, literal(1), literal(channel), OutboxMessage.next_attempt_at, literal(result))
            .where(*due, whom)))
    sent = changed_rows(update(OutboxMessage).where(*due, OutboxMessage.recipient_id.in_(bound)).values(
        status="sent", attempts=1, channel="wecom", sent_at=OutboxMessage.next_attempt_at,
        claimed_at=OutboxMessage.next_attempt_at))
    db.session.execute(update(OutboxMessage).where(*due, OutboxMessage.recipient_id.not_in(bound)).values(
        status="unreachable", attempts=1, last_error="未绑定微信"))
    return sent
