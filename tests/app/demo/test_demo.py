"""`flask seed demo`: a deterministic company with published history and an open month."""

from datetime import date, timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select

from app import jobs
from app.demo import evidence, seed_demo
from app.models import (
    Assessment,
    AssessmentItem,
    AuditLog,
    Cycle,
    Employee,
    LeaveRecord,
    Observation,
    Position,
    PrivacyConsent,
    ProgressEntry,
    Rating,
    Report,
    Score,
    Screenshot,
    SyncRun,
)
from app.services.blobs import blob_store
from tests.support.checksums import table_checksums
from tests.support.database import empty_database
from tests.support.demo import seeded_demo

TODAY = date(2026, 11, 27)  # a Friday; November 2026 has no public holiday
REST = {"warehouse": {7}}  # the warehouse works Saturdays; everyone else rests on Saturday and Sunday


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def worked_in_november(session) -> set[tuple[int, str, date]]:
    """(person, position, day) of every November day before today that an assessed person works (by
    their position's weekdays, within their assessment), and not on leave."""
    leave = {(employee_id, first + timedelta(days=n))
             for employee_id, first, last in session.execute(select(LeaveRecord.employee_id, LeaveRecord.first_day,
                                                                    LeaveRecord.last_day))
             for n in range((last - first).days + 1)}
    worked = set()
    for employee_id, position, first, last in session.execute(
            select(Assessment.employee_id, Position.code, Assessment.first_day, Assessment.last_day)
            .join(Position, Position.id == Assessment.position_id).join(Cycle).where(Cycle.month == 11)):
        for n in range((min(last, TODAY - timedelta(days=1)) - first).days + 1):
            day = first + timedelta(days=n)
            if day.isoweekday() not in REST.get(position, {6, 7}) and (employee_id, day) not in leave:
                worked.add((employee_id, position, day))
    return worked


def leave_days_in_november(session) -> int:
    """The leave days that fall on a working day of November before today, once the person is here."""
    days = 0
    for position, joined_on, first, last in session.execute(
            select(Position.code, Employee.joined_on, LeaveRecord.first_day, LeaveRecord.last_day)
            .select_from(LeaveRecord).join(Employee, Employee.id == LeaveRecord.employee_id)
            .join(Position, Position.id == Employee.position_id)):
        leave = (first + timedelta(days=n) for n in range((last - first).days + 1))
        days += sum(1 for day in leave if max(joined_on, date(2026, 11, 1)) <= day < TODAY
                    and day.isoweekday() not in REST.get(position, {6, 7}))
    return days


def test_demo_company_has_history_and_an_open_month(db_session):
    counts = seed_demo(today=TODAY)
    assert counts["employee"] == 50
    cycles = db_session.execute(select(Cycle.year, Cycle.month, Cycle.status).order_by(Cycle.year, Cycle.month)).all()
    # the past months were published and, every report answered, made final (app.demo.history)
    assert cycles == [(2026, 8, "final"), (2026, 9, "final"), (2026, 10, "final"), (2026, 11, "open")]
    # HR/admin: its head and one member in HR, the third the admin
    assert db_session.scalar(select(func.count()).where(Employee.is_hr)) == 2
    assert db_session.scalar(select(func.count()).where(Employee.is_admin)) == 1
    # everyone assessed in a past month has exactly one first report per assessment (an accepted
    # appeal adds a second version)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    assessments = count(db_session, Assessment, Assessment.cycle_id == october.id)
    reports = count(db_session, Report, Report.version == 1,
                    Report.assessment_id.in_(select(Assessment.id).where(Assessment.cycle_id == october.id)))
    # 50 people less the agent who left in August and the two who join on 10 November, plus a second
    # assessment for the specialist moved from operations to design on 16 October
    assert reports == assessments == 50 - 1 - 2 + 1
    # the current month has progress so far but no scores
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    assert november.visible_run_id is None
    worked = worked_in_november(db_session)
    # 19 working days before the 27th (22 for the warehouse, with three Saturdays): 11 operators (one
    # moved to design, one joins), 10 agents (one left), 8 packers (one joins), 6 designers, 3 buyers,
    # 7 department heads (the general manager among them) and 2 in HR, and the operator and the packer
    # who join on the 10th (13 days; 15 in the warehouse), less the days on leave
    assert len(worked) == (11 * 19 + 10 * 19 + 8 * 22 + 6 * 19 + 3 * 19 + 7 * 19 + 2 * 19 + 13 + 15
                           - leave_days_in_november(db_session))
    entries = set(db_session.execute(select(ProgressEntry.employee_id, ProgressEntry.day)
                                     .where(ProgressEntry.day >= date(2026, 11, 1))).all())
    # only on days the person worked; whether they submitted is the seed's draw (93 % of days)
    assert entries <= {(employee_id, day) for employee_id, _, day in worked}
    assert len(entries) > len(worked) // 2
    assert count(db_session, Observation, Observation.day == TODAY) == 0  # nothing from the future
    assert count(db_session, Score,
                 Score.assessment_id.in_(select(Assessment.id).where(Assessment.cycle_id == november.id))) == 0


def test_demo_shows_a_transfer_and_joiners(db_session):
    seeded_demo(today=TODAY)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    per_person = db_session.execute(
        select(Assessment.employee_id, func.count()).where(Assessment.cycle_id == october.id)
        .group_by(Assessment.employee_id)
    ).all()
    assert sorted(n for _, n in per_person)[-1] == 2  # the mid-October transfer
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    late_starts = count(db_session, Assessment, Assessment.cycle_id == november.id,
                        Assessment.first_day == date(2026, 11, 10))
    assert late_starts == 2


def test_observations_point_to_their_run_and_runs_are_audited_once(db_session):
    seeded_demo(today=TODAY)
    synced = count(db_session, Observation, Observation.provenance != "self_reported")
    with_run = count(db_session, Observation, Observation.provenance != "self_reported",
                     Observation.run_id.is_not(None))
    assert synced == with_run
    # the shop sells every calendar day: each operator's listings bring a synced sale for every November
    # day they held the position before today, rest days too, one record per listing
    sales = db_session.execute(select(Observation.employee_id, Observation.day, Observation.external_ref).where(
        Observation.indicator_code == "ops_sales", Observation.run_id.is_not(None),
        Observation.day >= date(2026, 11, 1))).all()
    operating = {(e, first + timedelta(days=n)) for e, first, last in db_session.execute(
        select(Assessment.employee_id, Assessment.first_day, Assessment.last_day).join(Position)
        .join(Cycle).where(Cycle.month == 11, Position.code == "ops"))
        for n in range((min(last, TODAY - timedelta(days=1)) - first).days + 1)}
    assert {(e, day) for e, day, _ in sales} == operating
    assert len({ref for _, _, ref in sales}) == len(sales)
    assert count(db_session, Observation, Observation.provenance == "self_reported",
                 Observation.progress_entry_id.is_(None)) == 0
    runs = count(db_session, SyncRun)
    assert count(db_session, AuditLog, AuditLog.entity == "sync_run") == runs  # sync.run or import.run


@pytest.mark.embedded_only  # determinism: see tests/pytest.ini
def test_seeding_again_changes_no_table(db_session):
    seed_demo(today=TODAY)
    before = table_checksums(db_session)
    assert not seed_demo(today=TODAY)
    assert table_checksums(db_session) == before


@pytest.mark.embedded_only  # determinism: see tests/pytest.ini
def test_the_same_day_gives_the_same_company(db_session):
    seed_demo(today=TODAY)
    first = db_session.execute(select(Report.assessment_id, Report.total, Report.summary).order_by(Report.id)).all()
    names = db_session.scalars(select(Employee.name).order_by(Employee.id)).all()
    empty_database(db_session)
    seed_demo(today=TODAY)
    assert db_session.scalars(select(Employee.name).order_by(Employee.id)).all() == names
    again = db_session.execute(select(Report.assessment_id, Report.total, Report.summary).order_by(Report.id)).all()
    assert [(t, s) for _, t, s in again] == [(t, s) for _, t, s in first]


def test_hr_and_the_general_manager_are_assessed_every_month(db_session):
    seeded_demo(today=TODAY)
    boss = db_session.scalar(select(Employee).where(Employee.manager_id.is_(None)))
    head = db_session.scalar(select(Employee).where(Employee.manager_id == boss.id, Employee.is_hr))
    held = db_session.execute(
        select(Employee.id, Position.code, func.count(Assessment.id))
        .join(Position, Position.id == Employee.position_id).join(Assessment, Assessment.employee_id == Employee.id)
        .where(Employee.department.has(code="hr")).group_by(Employee.id, Position.code).order_by(Employee.id)).all()
    # the head of 人事行政部 as 部门主管, the HR member and the admin under them as 人事行政: August to November
    team = db_session.scalars(select(Employee.id).where(Employee.manager_id == head.id).order_by(Employee.id)).all()
    assert held == [(head.id, "dept_head", 4)] + [(member, "hr_admin", 4) for member in team]
    assert len(team) == 2
    # the general manager is assessed as a head too; with nobody above, HR rates their management
    assert count(db_session, Assessment, Assessment.employee_id == boss.id) == 4
    boss_raters = db_session.scalars(select(Rating.rater_id).distinct().join(AssessmentItem)
                                     .join(Assessment).where(Assessment.employee_id == boss.id)).all()
    assert boss_raters and all(db_session.get(Employee, rater).is_hr for rater in boss_raters)

    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    mine = select(Assessment.id).where(Assessment.cycle_id == october.id, Assessment.employee_id.in_([head.id, *team]))
    assert count(db_session, Report, Report.assessment_id.in_(mine)) == 3
    # the general manager rated the head's management, the head rated the two under them
    raters = db_session.execute(
        select(Assessment.employee_id, Rating.rater_id).distinct()
        .join(AssessmentItem, AssessmentItem.assessment_id == Assessment.id)
        .join(Rating, Rating.assessment_item_id == AssessmentItem.id).where(Assessment.id.in_(mine))).all()
    assert sorted(raters) == [(head.id, boss.id)] + [(member, head.id) for member in team]
    # the month-end report is self-reported with the day's entry: the team's average of its two people
    average = db_session.scalar(select(Observation).where(
        Observation.employee_id == head.id, Observation.indicator_code == "head_team_avg_score",
        Observation.day.between(date(2026, 10, 1), date(2026, 10, 31))))
    assert (average.denominator, average.provenance, average.source) == (2, "self_reported", "self_report")
    assert average.progress_entry_id is not None
    # November is open: its month-end figures are not in yet, the daily ones are
    november = [code for (code,) in db_session.execute(select(Observation.indicator_code).distinct().where(
        Observation.employee_id.in_([head.id, *team]), Observation.day >= date(2026, 11, 1)))]
    assert "head_team_avg_score" not in november and "hr_payroll_accuracy" not in november
    assert {"head_key_work_completion", "hr_kpi_cycle_on_time"} <= set(november)


def test_the_demo_entries_carry_screenshots_of_their_tools_stored_and_queued_for_ocr(db_session, redis_client):
    seed_demo(today=TODAY)
    shots = db_session.scalars(select(Screenshot).order_by(Screenshot.id)).all()
    # every entry of the month so far (31 days before the 27th) with figures typed in by hand, of the
    # people whose tools have a screen: one screenshot each, checked by WeChat when uploaded
    typed = set(db_session.scalars(
        select(Observation.progress_entry_id).join(ProgressEntry, ProgressEntry.id == Observation.progress_entry_id)
        .join(Employee, Employee.id == ProgressEntry.employee_id).join(Position, Position.id == Employee.position_id)
        .where(ProgressEntry.day >= TODAY - timedelta(days=31), Position.code.in_(evidence.TOOLS))))
    assert sorted(s.progress_entry_id for s in shots) == sorted(typed) and len(shots) == 103
    assert {s.check_status for s in shots} == {"pass"}
    assert all(blob_store().get(s.storage_key)[:8] == b"\x89PNG\r\n\x1a\n" for s in shots)
    consented = set(db_session.scalars(select(PrivacyConsent.employee_id)))
    assert consented == {s.owner_id for s in shots}
    queued = Queue(jobs.EVIDENCE, connection=redis_client).job_ids
    assert len(queued) == len(shots)  # a worker reads them once `make run` starts
