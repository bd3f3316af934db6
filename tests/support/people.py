"""People and roles: an employee with WeChat bindings, the demo company's leads and members, and
the demo company cast in roles (`demo_cast`, behind the `cast` fixture of tests/app/services) with
October's reports published at a fixed time, plus look-ups of what belongs to a person.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Department,
    Employee,
    Observation,
    Position,
    ProgressEntry,
    Report,
    WeChatIdentity,
)
from app.services import authz
from app.services.scoring import report_window
from tests.support.clock import TODAY, local
from tests.support.demo import seeded_demo

OCT_PUBLISHED = local(3, 10)  # Tuesday 3 November, 10:00: October's reports go out
OCT_WINDOW_CLOSES = local(6, 10)  # 72 working-day hours later: Friday 6 November, 10:00
IN_OCT_WINDOW = local(4, 12)
NOV_NOW = local(27, 12)  # Friday 27 November, 12:00: November is open


def person(session, name: str, *, manager: Employee | None = None, department: str = "ops", rest: str = "6,7",
           **identities: str) -> Employee:
    """An employee with WeChat bindings given as channel=external id (mp=…, oa=…, wecom=…)."""
    dept = session.scalar(select(Department).where(Department.code == department))
    if dept is None:
        dept = Department(code=department, name=f"{department}部", rest_weekdays=rest)
        session.add(dept)
        session.flush()
    count = session.scalar(select(func.count()).select_from(Employee))
    employee = Employee(employee_no=f"N{count + 1:04d}", name=name, department_id=dept.id,
                        manager_id=manager.id if manager else None, joined_on=date(2025, 1, 1))
    session.add(employee)
    session.flush()
    for channel, external_id in identities.items():
        session.add(WeChatIdentity(employee_id=employee.id, channel=channel, external_id=external_id))
    session.commit()
    return employee


def lead(session, department: str) -> Employee:
    """The team lead of a demo department (reports to the general manager, id 1)."""
    return session.scalar(select(Employee).join(Employee.department).where(
        Employee.manager_id == 1, Employee.department.has(code=department)))


def member(session, manager: Employee, index: int) -> Employee:
    return session.scalars(select(Employee).where(Employee.manager_id == manager.id).order_by(Employee.id)).all()[index]


@dataclass
class Team:
    """One department's people: the lead, plain members, and a member who is also in HR."""

    department: str
    lead: int
    members: list[int]
    hr_member: int


@dataclass
class Cast:
    teams: dict[str, Team]
    hr: int  # an HR member with no reports (assessed as 人事行政)
    admin: int
    boss: int

    def member(self, dept: str, index: int) -> int:
        return self.teams[dept].members[index]


def actor(employee_id: int) -> authz.Actor:
    return authz.actor(employee_id)


def demo_cast(db_session) -> Cast:
    """The demo company, October published on 3 November 10:00, and one member per team in HR."""
    seeded_demo(today=TODAY, lived=False)
    october = db_session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 10))
    reports = db_session.scalars(select(Report).join(Assessment).where(Assessment.cycle_id == october.id)).all()
    windows = report_window.closes_at([r.assessment_id for r in reports], OCT_PUBLISHED)
    for report in reports:
        report.published_at, report.window_closes_at = OCT_PUBLISHED, windows[report.assessment_id]
    teams = {code: _team(db_session, code) for code in ("ops", "cs", "warehouse", "design")}
    for team in teams.values():
        db_session.get(Employee, team.hr_member).is_hr = True
    staff = db_session.scalars(select(Employee).join(Employee.department).where(Department.code.in_(("gm", "hr")))
                               .order_by(Employee.id)).all()
    db_session.commit()
    hr = next(e.id for e in staff if e.is_hr and e.manager_id is not None and not _reports_to(db_session, e.id))
    admin = next(e.id for e in staff if e.is_admin)
    boss = next(e.id for e in staff if e.manager_id is None)
    return Cast(teams, hr, admin, boss)


def _team(session, code: str) -> Team:
    """A department's lead and its members who held their position all of October and November."""
    dept = session.scalar(select(Department.id).where(Department.code == code))
    boss = select(Employee.id).where(Employee.manager_id.is_(None)).scalar_subquery()
    lead_id = session.scalar(select(Employee.id).where(
        Employee.department_id == dept, Employee.position_id.is_not(None), Employee.manager_id == boss))
    october = session.scalar(select(Cycle.id).where(Cycle.month == 10))
    whole = (select(Assessment.employee_id).where(Assessment.cycle_id == october)
             .group_by(Assessment.employee_id).having(func.count() == 1))
    members = session.scalars(select(Employee.id).where(
        Employee.manager_id == lead_id, Employee.department_id == dept, Employee.joined_on < date(2026, 10, 1),
        Employee.id.in_(whole)).order_by(Employee.id)).all()
    return Team(code, lead_id, list(members[:-1]), members[-1])


def _reports_to(session, employee_id: int) -> bool:
    return session.scalar(select(Employee.id).where(Employee.manager_id == employee_id).limit(1)) is not None


def assessment_of(employee_id: int, month: int) -> Assessment:
    return db.session.scalar(select(Assessment).join(Cycle).where(Assessment.employee_id == employee_id,
                                                                  Cycle.month == month))


def item_of(assessment: Assessment, code: str) -> AssessmentItem:
    return db.session.scalar(select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id,
                                                          AssessmentItem.indicator_code == code))


def report_of(employee_id: int, month: int = 10) -> Report:
    assessment = assessment_of(employee_id, month)
    return db.session.scalar(select(Report).where(Report.assessment_id == assessment.id)
                             .order_by(Report.version.desc()).limit(1))


def entry_of(employee_id: int, day: date) -> ProgressEntry:
    return db.session.scalar(select(ProgressEntry).where(ProgressEntry.employee_id == employee_id,
                                                         ProgressEntry.day == day))


def entries_with(employee_id: int, code: str, before: date) -> list[ProgressEntry]:
    """The person's entries with a self-reported figure of `code`, oldest first."""
    return list(db.session.scalars(
        select(ProgressEntry).join(Observation, Observation.progress_entry_id == ProgressEntry.id)
        .where(ProgressEntry.employee_id == employee_id, Observation.indicator_code == code,
               ProgressEntry.day < before, ProgressEntry.day >= date(2026, 11, 1))
        .order_by(ProgressEntry.day)))


def position_code(employee_id: int) -> str:
    return db.session.scalar(select(Position.code).join(Employee, Employee.position_id == Position.id)
                             .where(Employee.id == employee_id))
