"""`flask seed demo`: a deterministic demo company in an empty database.

Three past months with daily figures and ratings, scored and published through the scoring
service, and the current month open with progress so far. An existing company is never touched:
running it again changes nothing. Rows go in with bulk inserts (ids assigned here, since the
database is empty), so `--employees 5000` stays within minutes.
"""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.demo import activity, history
from app.demo.company import STAFF, TEAM_POSITIONS, TEAMS, Person, build_people
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
    SourceSetting,
    SyncRun,
)
from app.services import audit, settings
from app.services.calendar import (
    department_calendars,
    load_public_holidays,
)
from app.services.org.catalog import load_templates

PAST_MONTHS = 3
CHUNK = 5000
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
    rng = random.Random(seed)
    people = build_people(rng, employees, date(*months[0], 1))
    # The HR department's figures and ratings come from a generator of their own, so the teams'
    # figures are the same whether or not the staff are assessed.
    builder = _Builder(rng, people, today, staff_rng=random.Random(f"{seed}/staff"))
    builder.organisation(months)
    for year, month in months:
        builder.month(year, month, current=(year, month) == (today.year, today.month))
    builder.configure_sources()
    db.session.commit()
    if lived:
        builder.counts.update(history.live_through(today, seed))
    else:
        history.score_and_publish(today)
    audit.record("seed.demo", "company", after={"employees": employees, **builder.counts}, source="cli")
    db.session.commit()
    return builder.counts


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

    def __init__(self, rng: random.Random, people: list[Person], today: date, staff_rng: random.Random):
        self.rng, self.people, self.today, self.staff_rng = rng, people, today, staff_rng
        self.teams = _team_sizes(people)
        self.counts: Counter = Counter()
        self.past_cycles: list[tuple[int, int, int]] = []
        self.ids: Counter = Counter()
        self.synced: set[str] = set()  # the sources the demo syncs or imports

    def rng_for(self, position: str) -> random.Random:
        """The teams' generator, or the staff's for a position outside the teams."""
        return self.rng if position in TEAM_POSITIONS else self.staff_rng

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def insert(self, model, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            db.session.execute(model.__table__.insert(), rows[start:start + CHUNK])
        self.counts[model.__tablename__] += len(rows)

    # -- who works here -------------------------------------------------------------------

    def organisation(self, months) -> None:
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
        self._mark_joiners_and_transfer(months)
        rows = [self._employee_row(p) for p in self.people]
        self.insert(Employee, sorted(rows, key=_depth_in(rows)))  # managers before their reports
        self._leave(months[-1])
        self._fx_rates(months)
        db.session.flush()
        self.calendars = department_calendars()

    def _employee_row(self, p: Person) -> dict:
        position = p.extra.get("position_after", p.position)
        return {
            "id": p.id, "employee_no": p.employee_no, "name": p.name,
            "department_id": self.departments[p.extra.get("department_after", p.department)].id,
            "position_id": self.positions[position].id if position else None,
            "manager_id": p.extra.get("manager_after", p.manager_id),
            "is_hr": p.is_hr, "is_admin": p.is_admin, "joined_on": p.joined_on, "status": "active",
        }

    def _mark_joiners_and_transfer(self, months) -> None:
        """Two joiners this month, and one operations specialist moved to design mid last month."""
        year, month = months[-1]
        staff = [p for p in self.people if p.position in TEAM_POSITIONS and p.manager_id != 1]
        if self.today.day > 10:
            for p in staff[-2:]:
                p.joined_on = date(year, month, 10)
        mover = next(p for p in staff if p.position == "ops")
        design_lead = next(p for p in self.people if p.position == "designer" and p.manager_id == 1)
        y, m = months[-2]
        mover.extra.update(transfer_on=date(y, m, 16), position_after="designer", department_after="design",
                           manager_after=design_lead.id)

    def _leave(self, current) -> None:
        first, last = month_bounds(*current)
        rows = []
        for p in self.rng.sample([p for p in self.people if p.position in TEAM_POSITIONS], k=min(3, len(self.people))):
            start = first + timedelta(days=self.rng.randrange(3, 12))
            rows.append({"id": self.next_id("leave"), "employee_id": p.id, "first_day": start,
                         "last_day": start + timedelta(days=1), "kind": "personal", "note": "事假"})
        self.insert(LeaveRecord, rows)
        self.leave = {(r["employee_id"], r["first_day"] + timedelta(days=i)) for r in rows for i in range(2)}

    def _fx_rates(self, months) -> None:
        rows = []
        for i, (year, month) in enumerate(months):
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
        cycle = Cycle(year=year, month=month, status=CycleStatus.OPEN.value)
        settings.freeze(cycle)  # opened like any month: with the company settings of the day
        db.session.add(cycle)
        db.session.flush()
        sync_runs = {}
        assessments = self._assessments(cycle, first, last)
        done_until = min(last, self.today - timedelta(days=1))
        observations, entries = [], []
        for a in assessments:
            self._activity(a, first, done_until, observations, entries, sync_runs, cycle)
        self.insert(ProgressEntry, entries)
        self.insert(Observation, observations)
        if not current:
            self._ratings(assessments)
            self.past_cycles.append((cycle.id, year, month))
        for run in sync_runs.values():
            audit.record("sync.run", "sync_run", run.id, after=run.counts, source=run.source)

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
                       "acknowledged_at": self._acknowledged(start, self.rng_for(position)),
                       "_person": p, "_position": position,
                       "_items": []}
                for item in template.items:
                    item_row = {"id": self.next_id("assessment_item"), "assessment_id": row["id"],
                                "indicator_code": item.indicator.code, "sort": item.sort, "weight": item.weight,
                                "target": item.target, "cap": item.cap, "floor": item.floor, "rater": item.rater}
                    row["_items"].append(item_row)
                    items.append(item_row)
                rows.append(row)
        self.insert(Assessment, [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])
        self.insert(AssessmentItem, items)
        return rows

    def _acknowledged(self, start: date, rng: random.Random) -> datetime | None:
        """Most people confirm their targets within hours of the push; a few have not yet."""
        if start >= self.today - timedelta(days=2) and rng.random() < 0.5:
            return None
        return datetime.combine(start, time(2, 0)) + timedelta(minutes=rng.randrange(600))

    def _spans(self, p: Person, first: date, last: date):
        """(position, first day, last day) this person held within the month."""
        if p.position is None or p.joined_on > last:
            return []
        start = max(first, p.joined_on)
        moved = p.extra.get("transfer_on")
        if moved is None or moved > last:
            return [(p.position, start, last)]
        if moved <= first:
            return [(p.extra["position_after"], start, last)]
        return [(p.position, start, moved - timedelta(days=1)), (p.extra["position_after"], moved, last)]

    def _activity(self, a: dict, first: date, until: date, observations, entries, sync_runs, cycle) -> None:
        p, calendar = a["_person"], self.calendars[self.positions[a["_position"]].department_id]
        day = max(a["first_day"], first)
        end = min(a["last_day"], until)
        # the month-end report (the staff's team results, payroll, survey, budget), once the month is over
        month_end = (max(calendar.working_days_list(a["first_day"], a["last_day"]))
                     if a["_position"] not in TEAM_POSITIONS and a["last_day"] <= until else None)
        while day <= end:
            if calendar.is_working_day(day) and (p.id, day) not in self.leave:
                self._day(a, p, day, observations, entries, sync_runs, cycle, day == month_end)
            day += timedelta(days=1)
        if a["_position"] == "warehouse" and a["last_day"] <= until:
            last_working = max(d for d in calendar.working_days_list(a["first_day"], a["last_day"]))
            stock_take = activity.stock_take(p.talent, self.rng)
            self._observation(stock_take, p, last_working, None, observations, sync_runs, cycle)

    def _day(self, a, p, day, observations, entries, sync_runs, cycle, month_end: bool = False) -> None:
        rng = self.rng_for(a["_position"])
        submitted = rng.random() < 0.93 or month_end
        entry_id = None
        if submitted:
            entry_id = self.next_id("progress_entry")
            entries.append(
                {
                    "id": entry_id,
                    "employee_id": p.id,
                    "assessment_id": a["id"],
                    "day": day,
                    "note": activity.note(rng),
                }
            )
        figures = activity.day_figures(a["_position"], p.talent, rng)
        if month_end:
            figures += activity.month_end_figures(a["_position"], p.talent, rng, self.teams[p.id], len(self.people))
        for figure in figures:
            if figure.provenance == "self_reported" and not submitted:
                continue
            self._observation(figure, p, day, entry_id, observations, sync_runs, cycle)

    def _observation(self, figure, p, day, entry_id, observations, sync_runs, cycle) -> None:
        run = None
        if figure.provenance != "self_reported":
            run = sync_runs.get(figure.source)
            if run is None:
                kind = "sync" if figure.provenance == "verified" else "import"
                run = SyncRun(  # each source synced every day through yesterday, found rows or not
                    source=figure.source, kind=kind, status="done", counts={"observations": 0, "cycle": cycle.label},
                    covered_through=min(month_bounds(cycle.year, cycle.month)[1], self.today - timedelta(days=1)),
                )
                db.session.add(run)
                db.session.flush()
                sync_runs[figure.source] = run
                self.synced.add(figure.source)
            run.counts = {**run.counts, "observations": run.counts["observations"] + 1}
        ref = f"{p.employee_no}/{figure.indicator}/{day.isoformat()}"
        observations.append(
            {
                "employee_id": p.id,
                "indicator_code": figure.indicator,
                "day": day,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "currency": figure.currency,
                "source": figure.source,
                "provenance": figure.provenance,
                "run_id": run.id if run else None,
                "progress_entry_id": entry_id,
                "external_ref": ref,
            }
        )

    def _ratings(self, assessments: list[dict]) -> None:
        ratings, peers = [], []
        by_position: dict[str, list[Person]] = {}
        for a in assessments:
            by_position.setdefault(a["_position"], []).append(a["_person"])
        for a in assessments:
            p, rng = a["_person"], self.rng_for(a["_position"])
            manager = p.extra["manager_after"] if a["_position"] == p.extra.get("position_after") else p.manager_id
            for item in a["_items"]:
                if item["rater"] == "manager":
                    ratings.append(self._rating(item, "manager", manager, str(manager), p, rng))
                elif item["rater"] == "customer":
                    for n in range(rng.randint(4, 8)):
                        ratings.append(self._rating(item, "customer", None, f"zendesk:{a['id']}-{n}", p, rng))
                elif item["rater"] == "peer":
                    colleagues = [c for c in by_position[a["_position"]] if c.id not in (p.id, manager)]
                    for rater in rng.sample(colleagues, k=min(2, len(colleagues))):
                        peers.append({"id": self.next_id("peer_rater"), "assessment_id": a["id"], "rater_id": rater.id})
                        ratings.append(self._rating(item, "peer", rater.id, str(rater.id), p, rng))
        self.insert(PeerRater, peers)
        self.insert(Rating, ratings)

    def _rating(self, item: dict, kind: str, rater_id, ref: str, person: Person, rng: random.Random) -> dict:
        return {
            "assessment_item_id": item["id"],
            "rater_kind": kind,
            "rater_id": rater_id,
            "rater_ref": ref,
            "value": activity.rating(person.talent, rng),
            "comment": "",
        }
