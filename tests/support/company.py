"""A small company built for a test, so every count the test asserts can be worked out from the
handful of people and figures made here rather than read from the code under test.

The built-in positions and templates and the shipped public holidays are loaded as `flask seed
demo` would; the people are few and in known places:

    总经办  boss     the general manager: no position, so no assessment; rates the lead
    人事    hr       HR, reporting to the boss: no position, no assessment
    运营    lead     the operations lead, reporting to the boss: assessed, rates star and trainee
    运营    star     an operations specialist under the lead: assessed
    运营    trainee  another operations specialist under the lead: assessed

The operations template (运营专员) has three figures from sources and two ratings by the manager
(团队协作, 创新建议), all in USD, so no exchange rate is needed.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from app.domain.workcalendar import month_bounds
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Department,
    Employee,
    Indicator,
    Observation,
    Position,
    Rating,
    SourceSetting,
)
from app.services.calendar import load_public_holidays
from app.services.cycle import lifecycle
from app.services.org.catalog import load_templates
from app.services.scoring import runs

JOINED = date(2025, 1, 1)
OPS_MANAGER_ITEMS = ("ops_teamwork", "ops_innovation")  # the two items of 运营专员 the manager rates


@dataclass
class SmallCompany:
    boss: Employee
    hr: Employee
    lead: Employee
    star: Employee
    trainee: Employee

    @property
    def assessed(self) -> list[Employee]:
        """Everyone with a position, and so an assessment each month."""
        return [self.lead, self.star, self.trainee]

    @property
    def raters(self) -> list[Employee]:
        """Everyone who owes manager ratings: the boss (for the lead) and the lead (for the others)."""
        return [self.boss, self.lead]


def department(code: str, name: str, rest: str = "6,7") -> Department:
    found = db.session.scalar(select(Department).where(Department.code == code))
    if found is None:
        found = Department(code=code, name=name, rest_weekdays=rest)
        db.session.add(found)
        db.session.flush()
    return found


def hire(name: str, dept: Department, *, position: str | None = None, manager: Employee | None = None,
         is_hr: bool = False, joined_on: date = JOINED) -> Employee:
    """An active employee; `position` is a built-in position code (load_templates first)."""
    position_id = db.session.scalar(select(Position.id).where(Position.code == position)) if position else None
    number = len(db.session.scalars(select(Employee.id)).all()) + 1
    employee = Employee(employee_no=f"S{number:03d}", name=name, department_id=dept.id, position_id=position_id,
                        manager_id=manager.id if manager else None, is_hr=is_hr, joined_on=joined_on)
    db.session.add(employee)
    db.session.flush()
    return employee


def small_company() -> SmallCompany:
    """The five people above, committed; no cycle yet."""
    load_templates()
    load_public_holidays()
    boss = hire("王总", department("gm", "总经办"))
    hr = hire("李人事", department("hr", "人事行政部"), manager=boss, is_hr=True)
    ops = department("ops", "运营部")
    lead = hire("张组长", ops, position="ops", manager=boss)
    star = hire("赵明星", ops, position="ops", manager=lead)
    trainee = hire("钱新人", ops, position="ops", manager=lead)
    db.session.commit()
    return SmallCompany(boss, hr, lead, star, trainee)


def reported_by_hand(code: str) -> None:
    """A company without that connector: its people report the indicator themselves, so the evening
    reminder has something to ask them for (an all-synced operations team has nothing to submit)."""
    db.session.execute(update(Indicator).where(Indicator.code == code).values(source="self_report"))
    db.session.commit()


def configured(*sources: str) -> None:
    """The company connected these sources (as a connector whose credentials validated marks them):
    the close expects their figures every working day and their bars follow their sync runs (数据未更新
    when a run is missing). A source left out is not configured: its items read like self-reports."""
    for source in sources:
        db.session.add(SourceSetting(source=source, configured=True))
    db.session.commit()


def open_month(year: int, month: int) -> Cycle:
    """The month opened on day 1 at 09:00 Shanghai time: an assessment for each of `assessed`."""
    return lifecycle.open_cycle(year, month, now=datetime(year, month, 1, 1, 0))


def assessment_of(employee: Employee, cycle: Cycle) -> Assessment:
    return db.session.scalar(select(Assessment).where(Assessment.employee_id == employee.id,
                                                      Assessment.cycle_id == cycle.id))


def on_target(employee: Employee, cycle: Cycle) -> None:
    """The month's figures exactly on the operations targets, on its first day: sales of 100,000 USD,
    5 new-product orders in 100 sessions, 300 USD of ad revenue on 100 USD of spend."""
    day, _ = month_bounds(cycle.year, cycle.month)
    for code, numerator, denominator, currency, source in (
            ("ops_sales", "100000", None, "USD", "amazon_sp_api"),
            ("ops_new_conversion", "5", "100", None, "amazon_sp_api"),
            ("ops_ad_roi", "300", "100", "USD", "amazon_ads")):
        db.session.add(Observation(
            employee_id=employee.id, indicator_code=code, day=day, numerator=Decimal(numerator),
            denominator=Decimal(denominator) if denominator else None, currency=currency, source=source,
            provenance="verified", external_ref=f"{employee.employee_no}/{code}/{day.isoformat()}"))
    db.session.commit()


def rate_all(employee: Employee, cycle: Cycle, value: int) -> None:
    """The manager's rating `value` (1–5) on each of the person's manager-rated items."""
    assessment = assessment_of(employee, cycle)
    for item in db.session.scalars(select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id,
                                                                AssessmentItem.rater == "manager")):
        db.session.add(Rating(assessment_item_id=item.id, rater_kind="manager", rater_id=employee.manager_id,
                              rater_ref=str(employee.manager_id), value=Decimal(value)))
    db.session.commit()


def publish(cycle: Cycle) -> int:
    """Score the month as the clock would (day 3 of the next month, 09:00 in Shanghai) and publish it
    then, as a company that publishes without waiting for HR would."""
    _, last = month_bounds(cycle.year, cycle.month)
    scored = datetime.combine(last + timedelta(days=3), time(1, 0))
    run_id = runs.score_cycle(cycle.id, reason="小公司历史", now=scored)
    runs.publish_reviewed(db.session.get(Cycle, cycle.id), actor_id=None, now=scored)
    db.session.commit()
    return run_id


def publish_history(people: SmallCompany) -> list[Cycle]:
    """August to October 2026 scored and published on day 3 of the next month, the same each month:
    the star exactly on target and rated 5 (100 points, 优秀), the lead on target but rated 1
    (70 + 30 × 1/5 = 76, 良好) and the trainee without figures and rated 1 (30 × 1/5 = 6, 不合格).
    Three reports a month, all pending; the November tick finds every window closed."""
    months = []
    for month in (8, 9, 10):
        cycle = open_month(2026, month)
        on_target(people.star, cycle)
        rate_all(people.star, cycle, 5)
        on_target(people.lead, cycle)
        rate_all(people.lead, cycle, 1)
        rate_all(people.trainee, cycle, 1)
        publish(cycle)
        months.append(cycle)
    return months
