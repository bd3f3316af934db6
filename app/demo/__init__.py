"""`flask seed demo`: a deterministic demo company in an empty database.

Three past months and the current month so far, with figures from a small model of the business
(business.py) and what each person did (activity.py). Synced and imported figures go in the way a
connector writes them — one run per source per day through the shared write path — so the
connectors only swap the producer; self-reported entries, assessments and ratings go in as bulk
inserts (ids assigned here, since the database is empty). Past months are then scored, reviewed
and published. An existing company is never touched: running it again changes nothing. A company
larger than CAREFUL_NAMES people (benchmarks) writes each run's rows in bulk instead.
"""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from app import jobs
from app.demo import activity, evidence, history
from app.demo.bulk import insert_rows
from app.demo.business import Market, split
from app.demo.company import CAREFUL_NAMES, HEAD_POSITION, STAFF, TEAM_POSITIONS, TEAMS, Person, build_people
from app.domain.cycles import CycleStatus
from app.domain.workcalendar import month_bounds
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Department,
    Employee,
    FxRate,
    KpiTemplate,
    LeaveRecord,
    Observation,
    PeerRater,
    Position,
    ProgressEntry,
    Rating,
    Shipment,
    SourceSetting,
    SyncRun,
)
from app.services import audit, settings
from app.services.authz import system
from app.services.business_time import to_utc
from app.services.calendar import (
    department_calendars,
    load_public_holidays,
)
from app.services.observations import sync
from app.services.org import logins, template_edits
from app.services.org.catalog import load_templates

PAST_MONTHS = 3
WAVE = 40  # orders a packer picks and packs in one wave (the ERP's batch)
CHAT_CAPACITY = 2.2  # the customer-service desk answers at most this many ordinary days of chats a day
DEMO_PASSWORD = "jixiao-demo-2026"  # the demo's HR and admin console password (README)
DEMO_STAFF = "E00002（人事主管）、E00003（人事）、E00004（管理员）"  # who has it
USD_CNY = ("7.1", "7.12", "7.15", "7.13", "7.11", "7.14")


def seed_demo(employees: int = 50, today: date | None = None, seed: int = 2026, lived: bool = True) -> Counter:
    """Fill an empty database with the demo company; returns row counts (empty if skipped). With
    `lived` the past months are lived through the services (app.demo.history); without, they are
    only scored and published (tests that start from a freshly published month)."""
    if db.session.scalar(select(Employee.id).limit(1)) is not None:
        return Counter()
    today = today or date.today()
    load_templates()
    load_public_holidays()
    months = _months(today)
    people = build_people(random.Random(seed), employees, date(*months[0], 1))
    builder = _Builder(seed, people, today, months)
    builder.organisation()
    for year, month in months:
        builder.month(year, month, current=(year, month) == (today.year, today.month))
    builder.configure_sources()
    db.session.commit()
    if lived:
        builder.counts.update(history.live_through(today, seed))
    else:
        history.score_and_publish(today)
    shots = evidence.attach_screenshots(today, seed) if employees <= CAREFUL_NAMES else []
    builder.counts["screenshot"] = len(shots)
    audit.record("seed.demo", "company", after={"employees": employees, **builder.counts}, source="cli")
    db.session.commit()
    for screenshot_id in shots:  # read by the first worker: OCR takes a second each
        jobs.enqueue(jobs.READ_SCREENSHOT, screenshot_id)
    _console_passwords()
    return builder.counts


def _console_passwords() -> None:
    """The HR head and the admin sign in to the console with DEMO_PASSWORD (a real company's get a
    one-time password from `flask people console-password`)."""
    staff = db.session.scalars(select(Employee.employee_no).where(Employee.is_hr | Employee.is_admin)
                               .order_by(Employee.employee_no)).all()
    for employee_no in staff:
        logins.reset_password(employee_no, system("cli"), password=DEMO_PASSWORD, must_change=False)


def market_of(seed: int, people: list[Person], months: list[tuple[int, int]]) -> Market:
    """The demo's shop: its operators' listings, each run as well as its operator's skill that month."""
    operators = {p.id: p for p in people if p.position == "ops"}
    index = _month_index(months)
    return Market(seed, list(operators), date(*months[0], 1),
                  lambda operator, day: operators[operator].skill_in(index.get((day.year, day.month), 0)))


def demo_business(employees: int = 50, today: date | None = None, seed: int = 2026) -> tuple[list[Person], Market]:
    """The people and the shop `seed_demo` builds for these arguments, for checking its figures
    against the business they came from."""
    months = _months(today or date.today())
    people = build_people(random.Random(seed), employees, date(*months[0], 1))
    return people, market_of(seed, people, months)


def _month_index(months: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """(year, month) → its place among the demo's months (a person's skill changes month by month)."""
    return {month: i for i, month in enumerate(months)}


def _months(today: date) -> list[tuple[int, int]]:
    months, year, month = [], today.year, today.month
    for _ in range(PAST_MONTHS + 1):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _team_sizes(people: list[Person]) -> dict[int, int]:
    """How many people are in each person's reporting subtree (their team), themselves not counted."""
    sizes = dict.fromkeys((p.id for p in people), 0)
    manager = {p.id: p.manager_id for p in people}
    for p in people:
        boss = manager[p.id]
        while boss is not None:
            sizes[boss] += 1
            boss = manager[boss]
    return sizes


def _depth_in(rows: list[dict]):
    """A sort key placing everyone after their manager (foreign keys are checked row by row)."""
    manager = {row["id"]: row["manager_id"] for row in rows}

    def depth(row: dict) -> tuple[int, int]:
        level, boss = 0, row["manager_id"]
        while boss is not None:
            level, boss = level + 1, manager[boss]
        return level, row["id"]

    return depth


class _Builder:
    """Collects rows for bulk inserts; ids are assigned in memory."""

    def __init__(self, seed: int, people: list[Person], today: date, months: list[tuple[int, int]]):
        self.seed, self.people, self.today, self.months = seed, people, today, months
        self.by_id = {p.id: p for p in people}
        self.teams = _team_sizes(people)
        self.counts: Counter = Counter()
        self.past_cycles: list[tuple[int, int, int]] = []
        self.ids: Counter = Counter()
        self.synced: set[str] = set()  # the sources the demo syncs or imports
        self.backlog = Counter()  # orders, tickets and chats waiting for a team's next working day
        self.market = market_of(seed, people, months)
        self.month_index = _month_index(months)
        self.last_days: dict[tuple[int, date, date], date] = {}  # (department, first, last) → last working day

    def rng(self, *key: object) -> random.Random:
        """A generator for one purpose (a person's day, a month's ratings): the same key always
        draws the same numbers, whatever else the demo draws."""
        return random.Random("/".join(str(k) for k in (self.seed, *key)))

    def skill(self, person: Person, day: date) -> float:
        return person.skill_in(self.month_index.get((day.year, day.month), 0))

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def insert(self, model, rows: list[dict]) -> None:
        insert_rows(model, rows)
        self.counts[model.__tablename__] += len(rows)

    # -- who works here -------------------------------------------------------------------

    def organisation(self) -> None:
        departments = {d.code: d for d in db.session.scalars(select(Department))}
        for code, name, rest, *_ in TEAMS + STAFF:
            if code not in departments:
                departments[code] = Department(code=code, name=name, rest_weekdays=rest)
                db.session.add(departments[code])
            departments[code].rest_weekdays = rest
        db.session.flush()
        self.departments = departments
        self.positions = {p.code: p for p in db.session.scalars(select(Position))}
        self.templates = {t.position_id: t for t in db.session.scalars(select(KpiTemplate))}
        self._people_changes()
        rows = [self._employee_row(p) for p in self.people]
        self.insert(Employee, sorted(rows, key=_depth_in(rows)))  # managers before their reports
        self._house_rules()
        self._leave()
        self._fx_rates()
        db.session.flush()
        self.calendars = department_calendars()

    def _employee_row(self, p: Person) -> dict:
        position = p.extra.get("position_after", p.position)
        return {
            "id": p.id, "employee_no": p.employee_no, "name": p.name,
            "department_id": self.departments[p.extra.get("department_after", p.department)].id,
            "position_id": self.positions[position].id, "manager_id": p.extra.get("manager_after", p.manager_id),
            "is_hr": p.is_hr, "is_admin": p.is_admin, "joined_on": p.joined_on, "left_on": p.left_on,
            "status": "active",  # a leaver is marked left by the clock's rule when the history passes their last day
        }

    def _people_changes(self) -> None:
        """Two people join this month (from the 10th, when today is past it), the newest
        customer-service agent leaves in the middle of the first past month, and an operator moves to
        design in the middle of the last one."""
        year, month = self.months[-1]
        staff = [p for p in self.people if p.position in TEAM_POSITIONS]
        if self.today.day > 10:
            for p in (next(p for p in reversed(staff) if p.position == "ops"),
                      next(p for p in reversed(staff) if p.position == "warehouse")):
                p.joined_on = date(year, month, 10)
        leaver = next(p for p in reversed(staff) if p.position == "cs")
        leaver.left_on = date(*self.months[0], 18)
        mover = next(p for p in staff if p.position == "ops")
        design_head = next(p for p in self.people if p.department == "design" and p.position == HEAD_POSITION)
        y, m = self.months[-2]
        mover.extra.update(transfer_on=date(y, m, 16), position_after="designer", department_after="design",
                           manager_after=design_head.id)

    def _house_rules(self) -> None:
        """HR made a stock-take short of 99.5 % cost points per 0.1 % (扣分制) before the first month:
        the ratio would give 99 % accuracy nearly every point."""
        hr_head = next(p for p in self.people if p.is_hr and p.position == HEAD_POSITION)
        stock_take = {"kind": "deduction", "step": "0.001", "points": "6"}
        template_edits.set_method("warehouse", "wh_stock_accuracy", stock_take, hr_id=hr_head.id)
        self.templates = {t.position_id: t for t in db.session.scalars(select(KpiTemplate))}

    def _leave(self) -> None:
        """Personal leave of a few people in each month, two or three days each."""
        rows = []
        for year, month in self.months:
            first, last = month_bounds(year, month)
            rng = self.rng("leave", year, month)
            here = [p for p in self.people if p.position in TEAM_POSITIONS and p.joined_on <= first
                    and (p.left_on is None or p.left_on > last)]
            for p in rng.sample(here, k=min(3, len(here))):
                start = first + timedelta(days=rng.randrange(3, 20))
                length = rng.choice((2, 2, 3))
                rows.append({"id": self.next_id("leave"), "employee_id": p.id, "first_day": start,
                             "last_day": start + timedelta(days=length - 1), "kind": "personal",
                             "note": rng.choice(("事假", "家中有事", "搬家"))})
        self.insert(LeaveRecord, rows)
        self.leave = {(r["employee_id"], r["first_day"] + timedelta(days=i))
                      for r in rows for i in range((r["last_day"] - r["first_day"]).days + 1)}

    def _fx_rates(self) -> None:
        rows = []
        for i, (year, month) in enumerate(self.months):
            key = f"{year:04d}-{month:02d}"
            usd_cny = USD_CNY[i % len(USD_CNY)]
            rows.append({"month": key, "currency": "USD", "target_currency": "CNY", "rate": usd_cny})
            cny_usd = (1 / Decimal(usd_cny)).quantize(Decimal("0.000001"))
            rows.append({"month": key, "currency": "CNY", "target_currency": "USD", "rate": cny_usd})
        self.insert(FxRate, rows)

    def configure_sources(self) -> None:
        """The demo's sources are connected (its figures arrive every day), so the close expects them
        as a company's configured connectors (app.services.observations.sources)."""
        self.insert(SourceSetting, [{"source": source, "configured": True} for source in sorted(self.synced)])

    # -- one month ---------------------------------------------------------------------------

    def month(self, year: int, month: int, current: bool) -> None:
        first, last = month_bounds(year, month)
        # opened like any month: on its first day at 09:00 (app.services.tick), when the targets went out
        cycle = Cycle(year=year, month=month, status=CycleStatus.OPEN.value,
                      opened_at=to_utc(datetime.combine(first, time(9, 0))))
        settings.freeze(cycle)  # opened like any month: with the company settings of the day
        db.session.add(cycle)
        db.session.flush()
        assessments = self._assessments(cycle, first, last)
        self.holding = {}
        for a in assessments:
            self.holding.setdefault(a["_person"].id, []).append(a)
        self.entries: list[dict] = []
        self.reported: list[dict] = []
        self.lines: dict[date, list[dict]] = {}
        self.runs: dict[tuple[str, date], list] = {}
        day = first
        while day <= min(last, self.today - timedelta(days=1)):
            self._day(day)
            day += timedelta(days=1)
        self.insert(ProgressEntry, self.entries)
        self.insert(Observation, self.reported)
        for (source, when), rows in sorted(self.runs.items(), key=lambda item: (item[0][1], item[0][0])):
            self._write_run(source, when, rows)
        if not current:
            self._ratings(assessments)
            self.past_cycles.append((cycle.id, year, month))

    def _assessments(self, cycle: Cycle, first: date, last: date) -> list[dict]:
        rows, items = [], []
        for p in self.people:
            for position, start, end in self._spans(p, first, last):
                template = self.templates.get(self.positions[position].id)
                if template is None:
                    continue
                row = {"id": self.next_id("assessment"), "cycle_id": cycle.id, "employee_id": p.id,
                       "position_id": self.positions[position].id, "first_day": start, "last_day": end,
                       "currency": template.currency,
                       "acknowledged_at": self._acknowledged(p, start),
                       "_person": p, "_position": position, "_items": []}
                for item in template.items:
                    item_row = {"id": self.next_id("assessment_item"), "assessment_id": row["id"],
                                "indicator_code": item.indicator.code, "sort": item.sort, "weight": item.weight,
                                "target": item.target, "cap": item.cap, "floor": item.floor, "rater": item.rater,
                                "method": item.method}
                    row["_items"].append(item_row)
                    items.append(item_row)
                rows.append(row)
        self.insert(Assessment, [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])
        self.insert(AssessmentItem, items)
        return rows

    def _acknowledged(self, p: Person, start: date) -> datetime | None:
        """Most people confirm their targets within hours of the push; a few have not yet."""
        rng = self.rng("ack", p.id, start)
        if start >= self.today - timedelta(days=2) and rng.random() < 0.5:
            return None
        return datetime.combine(start, time(2, 0)) + timedelta(minutes=rng.randrange(600))

    def _spans(self, p: Person, first: date, last: date):
        """(position, first day, last day) this person held within the month."""
        if p.joined_on > last or (p.left_on is not None and p.left_on < first):
            return []
        start, end = max(first, p.joined_on), min(last, p.left_on or last)
        moved = p.extra.get("transfer_on")
        if moved is None or moved > end:
            return [(p.position, start, end)]
        if moved <= start:
            return [(p.extra["position_after"], start, end)]
        return [(p.position, start, moved - timedelta(days=1)), (p.extra["position_after"], moved, end)]

    # -- one day --------------------------------------------------------------------------------

    def _holder(self, p: Person, day: date) -> dict | None:
        """The person's assessment covering the day, if any."""
        return next((a for a in self.holding.get(p.id, []) if a["first_day"] <= day <= a["last_day"]), None)

    def _working(self, position: str, day: date) -> list[tuple[Person, dict]]:
        """Who works in the position that day: held it, a working day of their department, not on leave."""
        if not self.calendars[self.positions[position].department_id].is_working_day(day):
            return []
        return [(p, a) for p, a in self.holders.get(position, []) if (p.id, day) not in self.leave]

    def _day(self, day: date) -> None:
        business = self.market.day(day)
        self.backlog.update(orders=business.orders, tickets=business.tickets, chats=business.chats)
        self.holders: dict[str, list[tuple[Person, dict]]] = {}  # position → who held it that day
        for p in self.people:
            a = self._holder(p, day)
            if a is not None:
                self.holders.setdefault(a["_position"], []).append((p, a))
        per_listing = len(self.people) <= CAREFUL_NAMES
        for p, _ in self.holders.get("ops", []):  # the shop sells every calendar day, whoever is at work
            for figure in activity.operator_trade(business, p.id, per_listing):
                self._synced(figure, p, day)
        self._designers_clicks(business, day)
        self._team_work(business, day)
        for position in ("ops", "designer", "purchaser", HEAD_POSITION, "hr_admin"):
            for p, a in self._working(position, day):
                work = self._own_work(position, business, p, day)
                self._submit(p, a, day, work, self._last_working(p, a, day))

    def _designers_clicks(self, business, day: date) -> None:
        """Every calendar day the ads show the designers' main images; each designer made a share."""
        designers = [p for p, _ in self.holders.get("designer", [])]
        for p, impressions in split(business.impressions(), {p.id: 1.0 for p in designers},
                                    self.rng("impressions", day)).items():
            person = self.by_id[p]
            self._synced(activity.designer_clicks(impressions, self.skill(person, day), self.rng("ctr", p, day)),
                         person, day)

    def _team_work(self, business, day: date) -> None:
        """The warehouse ships the waiting orders, customer service answers the waiting tickets and
        chats — on their working days; what falls on a rest day waits for the next one."""
        packers = self._working("warehouse", day)
        if packers:
            pace = {p.id: self.skill(p, day) * self.rng("pace", p.id, day).uniform(0.85, 1.15) for p, _ in packers}
            shares = split(self.backlog.pop("orders", 0), pace, self.rng("ship", day))
            for p, a in packers:
                work = activity.packer_day(shares[p.id], self.skill(p, day), self.rng("pack", p.id, day))
                self._submit(p, a, day, work, False)
                self._order_lines(p, day, work)
        agents = self._working("cs", day)
        if agents:
            weights = {p.id: self.rng("desk", p.id, day).uniform(0.85, 1.15) for p, _ in agents}
            tickets = split(self.backlog.pop("tickets", 0), weights, self.rng("tickets-split", day))
            # a day's desk answers at most CHAT_CAPACITY days of chats: after a weekend, and for days
            # after 国庆, the rest waits and every reply is slower
            waiting, usual = self.backlog.pop("chats", 0), max(1, business.chats)
            answered = min(waiting, round(CHAT_CAPACITY * usual))
            self.backlog["chats"] = waiting - answered
            chats = split(answered, weights, self.rng("chats-split", day))
            for p, a in agents:
                work = activity.agent_day(tickets[p.id], chats[p.id], answered / usual, self.skill(p, day),
                                          self.rng("cs", p.id, day))
                self._submit(p, a, day, work, False)
        for p, a in packers:  # the month's stock-take, on the last working day
            if day == self._last_working_day(p, a):
                self._synced(activity.stock_take(self.skill(p, day), self.rng("stock", p.id, day)), p, day)

    def _order_lines(self, p: Person, day: date, work: activity.Work) -> None:
        """The ERP's order lines behind a packer's figures (who packed which order in which wave, and
        which went out wrong), for the current month: what the batch mis-shipment alert reads. A
        benchmark-sized company keeps only the figures."""
        if len(self.people) > CAREFUL_NAMES or (day.year, day.month) != self.months[-1]:
            return
        misship = next(f for f in work.figures if f.indicator == "wh_misship_rate")
        shipped, wrong = int(misship.denominator or 0), int(misship.numerator)
        rng = self.rng("lines", p.id, day)
        wrong_at = set(rng.sample(range(shipped), k=wrong)) if shipped else set()
        start = datetime.combine(day, time(1, 30))  # 09:30 in Shanghai
        for n in range(shipped):
            shipped_at = start + timedelta(minutes=n * 420 // max(1, shipped))
            self.lines.setdefault(day, []).append({
                "source": "erp", "order_no": f"SO{day:%Y%m%d}{p.id:04d}{n:04d}",
                "batch_no": f"W{day:%Y%m%d}-{p.employee_no}-{n // WAVE + 1}", "packer_id": p.id,
                "packer_code": p.employee_no, "ordered_at": shipped_at - timedelta(hours=rng.randint(2, 20)),
                "shipped_at": shipped_at, "wrong_item": n in wrong_at})

    def _own_work(self, position: str, business, p: Person, day: date) -> activity.Work:
        rng, skill = self.rng("work", p.id, day), self.skill(p, day)
        if position == "ops":
            return activity.operator_day(business, p.id, rng)
        if position == "designer":
            return activity.designer_day(skill, rng)
        if position == "purchaser":
            return activity.buyer_day(skill, rng)
        if position == HEAD_POSITION:
            return activity.head_day(skill, rng)
        return activity.hr_day(skill, rng)

    def _last_working_day(self, p: Person, a: dict) -> date:
        """The last working day of the person's assessment (asked for every person every day)."""
        department = self.positions[a["_position"]].department_id
        key = (department, a["first_day"], a["last_day"])
        if key not in self.last_days:
            self.last_days[key] = max(self.calendars[department].working_days_list(key[1], key[2]))
        return self.last_days[key]

    def _last_working(self, p: Person, a: dict, day: date) -> bool:
        return a["last_day"] < self.today and day == self._last_working_day(p, a)

    def _submit(self, p: Person, a: dict, day: date, work: activity.Work, month_end: bool) -> None:
        """The person's entry for the day (most days; always at month end, with the month's report),
        their self-reported figures with it, and their synced figures whether they submitted or not."""
        rng = self.rng("submit", p.id, day)
        figures = list(work.figures)
        if month_end:
            figures += activity.month_end(a["_position"], self.skill(p, day), rng, self.teams[p.id], len(self.people))
        for figure in figures:
            if figure.provenance != "self_reported":
                self._synced(figure, p, day)
        if not (month_end or rng.random() < 0.93):
            return
        entry_id = self.next_id("progress_entry")
        # before leaving work, 16:30–17:55 in Shanghai: the 18:00 digest has them, the reminder spares them
        submitted = datetime.combine(day, time(8, 30)) + timedelta(minutes=rng.randrange(85))
        self.entries.append({"id": entry_id, "employee_id": p.id, "assessment_id": a["id"], "day": day,
                             "note": work.note, "submitted_at": submitted, "updated_at": submitted})
        for figure in figures:
            if figure.provenance == "self_reported":
                self.reported.append({
                    "employee_id": p.id, "indicator_code": figure.indicator, "day": day,
                    "numerator": figure.numerator, "denominator": figure.denominator, "currency": None,
                    "source": figure.source, "provenance": figure.provenance, "progress_entry_id": entry_id,
                    "external_ref": f"{p.id}/{figure.indicator}/{day.isoformat()}", "recorded_at": submitted})

    def _synced(self, figure: activity.DemoObservation, p: Person, day: date) -> None:
        """A figure for its source's run of the day (the connector brings it the next morning)."""
        ref = f"{p.employee_no}/{figure.indicator}/{day.isoformat()}" + (f"/{figure.part}" if figure.part else "")
        self.runs.setdefault((figure.source, day), []).append(
            (figure.provenance, sync.Incoming(p.id, figure.indicator, day, figure.numerator, figure.denominator, ref,
                                              figure.currency)))

    def _write_run(self, source: str, day: date, rows: list) -> None:
        """One run of the source for the day, written as a connector writes it (the shared write path,
        one audit row per run), at 06:00 the next morning; a benchmark-sized company in bulk."""
        provenance = rows[0][0]
        at = datetime.combine(day, time(22, 0))  # 06:00 the next day in Shanghai
        run = SyncRun(source=source, kind="sync" if provenance == "verified" else "import", started_at=at)
        db.session.add(run)
        db.session.flush()
        self.synced.add(source)
        incoming = [row for _, row in rows]
        if len(self.people) <= CAREFUL_NAMES:
            sync.record_run(run.id, provenance, incoming, covered_through=day)
            db.session.execute(update(Observation).where(Observation.run_id == run.id).values(recorded_at=at))
        else:
            self.insert(Observation, [{**vars(row), "source": source, "provenance": provenance, "run_id": run.id,
                                     "recorded_at": at} for row in incoming])
            run.status, run.counts, run.covered_through = "done", {"inserted": len(incoming)}, day
            audit.record(f"{run.kind}.run", "sync_run", run.id, source=source, after=run.counts)
        if source == "erp":
            self.insert(Shipment, [{**line, "run_id": run.id} for line in self.lines.pop(day, [])])
        db.session.execute(update(SyncRun).where(SyncRun.id == run.id).values(finished_at=at))
        self.counts["sync_run"] += 1

    # -- the month's ratings ------------------------------------------------------------------

    def _ratings(self, assessments: list[dict]) -> None:
        ratings, peers = [], []
        by_position: dict[str, list[Person]] = {}
        for a in assessments:
            by_position.setdefault(a["_position"], []).append(a["_person"])
        hr = [p.id for p in self.people if p.is_hr]
        for a in assessments:
            p = a["_person"]
            rng = self.rng("ratings", a["id"])
            skill = self.skill(p, a["last_day"])
            manager = p.extra["manager_after"] if a["_position"] == p.extra.get("position_after") else p.manager_id
            rater = manager if manager is not None else next(h for h in hr if h != p.id)  # nobody above: HR
            for item in a["_items"]:
                if item["rater"] == "manager":
                    ratings.append(self._rating(item, "manager", rater, str(rater), skill, rng))
                elif item["rater"] == "customer":
                    for n in range(rng.randint(4, 8)):
                        ratings.append(self._rating(item, "customer", None, f"zendesk:{a['id']}-{n}", skill, rng))
                elif item["rater"] == "peer":
                    colleagues = [c for c in by_position[a["_position"]] if c.id not in (p.id, manager)]
                    for other in rng.sample(colleagues, k=min(2, len(colleagues))):
                        peers.append({"id": self.next_id("peer_rater"), "assessment_id": a["id"], "rater_id": other.id})
                        ratings.append(self._rating(item, "peer", other.id, str(other.id), skill, rng))
        self.insert(PeerRater, peers)
        self.insert(Rating, ratings)

    def _rating(self, item: dict, kind: str, rater_id, ref: str, skill: float, rng: random.Random) -> dict:
        return {"assessment_item_id": item["id"], "rater_kind": kind, "rater_id": rater_id, "rater_ref": ref,
                "value": activity.rating(skill, rng), "comment": ""}
