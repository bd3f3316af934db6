"""The demo company on Friday 4 December 2026, 10:00 in Shanghai: November published on the 3rd,
most reports still inside their appeal window, one accepted appeal already at version 2."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import Assessment, Cycle, Employee, Report
from app.services.authz import actor, managers_of
from app.services.feedback import appeals
from tests.support.demo import seeded_demo

TODAY = date(2026, 12, 4)
NOW = datetime(2026, 12, 4, 2, 0)  # 10:00 in Shanghai
HR_NO = "E00002"


@pytest.fixture
def december(app, db_session, monkeypatch):
    """The seeded demo with the business clock stopped at NOW; returns November's cycle."""
    seeded_demo(TODAY)
    monkeypatch.setitem(app.config, "CLOCK", lambda: NOW)
    return db_session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 11))


def accept_an_appeal(db_session, cycle, *, raising_the_grade: bool = False) -> tuple[Employee, str, str]:
    """Someone appeals an unmet item of their pending report and their manager accepts it (report
    version 2). Returns (the person, the item's indicator, the claimed value as shown)."""
    report, code, claimed = pending_claim(db_session, cycle, raising_the_grade)
    person = db_session.get(Employee, db_session.get(Assessment, report.assessment_id).employee_id)
    appeal = appeals.file_appeal(report.id, code, claimed, "后台漏计了补发的订单", [], actor(person.id), now=NOW)
    appeals.decide_appeal(appeal.id, True, "核实无误", actor(managers_of(person.id)[0]), now=NOW)
    return person, code, claimed


def pending_claim(db_session, cycle, raising_the_grade: bool) -> tuple[Report, str, str]:
    """A pending version-1 report of someone with a manager, with an unmet higher-is-better ratio
    item: (report, item, a claimed value at its cap) — with `raising_the_grade`, one whose item at
    its cap lifts the total into the next grade (the default bands: 60, 75, 85)."""
    for report, employee_id in db_session.execute(select(Report, Assessment.employee_id).join(Assessment).where(
            Assessment.cycle_id == cycle.id, Report.response == "pending", Report.version == 1)
            .order_by(Report.id)):
        if not managers_of(employee_id):
            continue
        for row in report.body["items"]:
            if row["kind"] != "quantitative" or row["direction"] != "higher" or row["status"] != "unmet" \
                    or "method" in row:
                continue
            total = Decimal(report.body["total"])
            lifted = total + Decimal(row["weight"]) * Decimal(row["cap"]) - Decimal(row["score"])
            if raising_the_grade and not any(total < band <= lifted for band in (60, 75, 85)):
                continue
            return report, row["indicator"], format((Decimal(row["target"]) * Decimal(row["cap"])).normalize(), "f")
    raise AssertionError("the demo has a pending report with such an item")


def employee(employee_no: str) -> Employee:
    from app.extensions import db

    return db.session.scalar(select(Employee).where(Employee.employee_no == employee_no))
