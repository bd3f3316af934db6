"""The demo company looks like a real one (issue 17): grades spread as a company would accept them,
and figures that agree with the business they came from — checked with numbers, not "> 0"."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.demo import demo_business
from app.demo.company import TEAMS
from app.domain.workcalendar import month_bounds
from app.models import Assessment, AuditLog, Cycle, Employee, Observation, Position, Score, SyncRun
from tests.app.demo.test_demo import TODAY
from tests.support.demo import seeded_demo

PAST = ((2026, 8), (2026, 9), (2026, 10))


def test_grades_spread_as_a_company_would_accept_them(db_session, redis_client):
    seeded_demo(today=TODAY)
    fails = 0
    for year, month in PAST:
        cycle = db_session.scalar(select(Cycle).where(Cycle.year == year, Cycle.month == month))
        bodies = db_session.scalars(select(Score.body).join(Assessment, Assessment.id == Score.assessment_id)
                                    .where(Assessment.cycle_id == cycle.id, Score.run_id == cycle.visible_run_id)).all()
        grades = Counter(body["grade_code"] for body in bodies)
        assert 0.15 <= grades["excellent"] / len(bodies) <= 0.30, (cycle.label, grades)
        fails += grades["fail"] > 0
        for body in bodies:  # nothing above what the caps allow (ratio items up to weight × cap)
            most = sum(Decimal(i["weight"]) * Decimal(i["cap"] or 1) for i in body["items"])
            assert Decimal(body["total"]) <= most
    assert fails >= 2
    held = set(db_session.scalars(select(Position.code).join(Assessment, Assessment.position_id == Position.id)
                                  .join(Cycle).where(Cycle.month == 11)))
    assert held == {"ops", "cs", "warehouse", "designer", "purchaser", "dept_head", "hr_admin"}
    boss = db_session.scalar(select(Employee).where(Employee.manager_id.is_(None)))
    assert db_session.scalar(select(func.min(Employee.joined_on))) == boss.joined_on  # nobody before the founder
    assert len({d.day for d in db_session.scalars(select(Employee.joined_on))}) > 10  # not everyone on the 1st


def test_figures_agree_with_the_business_they_came_from(db_session, redis_client):
    seeded_demo(today=TODAY)
    _, market = demo_business(today=TODAY)
    prices = {sku.code: sku.price for sku in market.skus}

    # every synced sale is one listing's units × its price, on every calendar day (国庆 too)
    units = {(s.sku.code, d): s.units for d in _days(date(2026, 8, 1), TODAY - timedelta(days=1))
             for o in market.day(d).operators for s in o.skus}
    sales = db_session.execute(select(Observation.external_ref, Observation.day, Observation.numerator).where(
        Observation.indicator_code == "ops_sales")).all()
    assert sales and all(amount == units[(ref.rsplit("/", 1)[1], day)] * prices[ref.rsplit("/", 1)[1]]
                         for ref, day, amount in sales)
    assert {day for _, day, _ in sales} >= set(_days(date(2026, 10, 1), date(2026, 10, 7)))

    for year, month in PAST:
        first, last = month_bounds(year, month)
        orders = sum(market.day(d).orders for d in _days(first, last))
        tickets = sum(market.day(d).tickets for d in _days(first, last))
        shipped = _total(db_session, "wh_misship_rate", first, last)
        complaints = _total(db_session, "cs_complaint_closed_24h", first, last)
        assert abs(shipped - orders) <= orders * Decimal("0.03"), (month, shipped, orders)
        assert Decimal("0.02") <= Decimal(tickets) / orders <= Decimal("0.06")
        assert Decimal("0.08") <= complaints / tickets <= Decimal("0.16")  # about 12 % of tickets are complaints

    # synced figures arrive as a connector writes them: one run per source per day, audited once each
    runs = db_session.execute(select(SyncRun.source, SyncRun.covered_through)).all()
    assert len(runs) == len(set(runs)) == db_session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.entity == "sync_run"))
    per_source = defaultdict(set)
    for source, day in runs:
        per_source[source].add(day)
    assert per_source["amazon_sp_api"] == set(_days(date(2026, 8, 1), TODAY - timedelta(days=1)))
    assert len(TEAMS) == 5


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _total(session, indicator: str, first: date, last: date) -> Decimal:
    """The sum of an indicator's denominators over the days (what was shipped, complained about)."""
    return session.scalar(select(func.sum(Observation.denominator)).where(
        Observation.indicator_code == indicator, Observation.day.between(first, last))) or Decimal(0)
