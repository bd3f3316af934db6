"""`flask seed demo`: a deterministic company with published history and an open month."""

from datetime import date

from sqlalchemy import func, select

from app.demo import seed_demo
from app.models import (
    Assessment,
    AuditLog,
    Cycle,
    Employee,
    Observation,
    ProgressEntry,
    Report,
    Score,
    SyncRun,
)
from tests.checksums import table_checksums

TODAY = date(2026, 11, 27)


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_company_has_history_and_an_open_month(db_session):
    counts = seed_demo(today=TODAY)
    assert counts["employee"] == 50
    cycles = db_session.execute(select(Cycle.year, Cycle.month, Cycle.status).order_by(Cycle.year, Cycle.month)).all()
    assert cycles == [(2026, 8, "published"), (2026, 9, "published"), (2026, 10, "published"), (2026, 11, "open")]
    assert db_session.scalar(select(func.count()).where(Employee.is_hr)) >= 1
    assert db_session.scalar(select(func.count()).where(Employee.is_admin)) == 1
    # everyone assessed in a past month has exactly one published report per assessment
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    assessments = count(db_session, Assessment, Assessment.cycle_id == october.id)
    reports = count(db_session, Report, Report.assessment_id.in_(select(Assessment.id).where(Assessment.cycle_id == october.id)))
    assert reports == assessments > 40
    # the current month has progress so far but no scores
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    assert november.visible_run_id is None
    assert count(db_session, ProgressEntry, ProgressEntry.day >= date(2026, 11, 1)) > 500
    assert count(db_session, Observation, Observation.day == TODAY) == 0  # nothing from the future
    assert count(db_session, Score, Score.assessment_id.in_(select(Assessment.id).where(Assessment.cycle_id == november.id))) == 0


def test_demo_shows_a_transfer_and_joiners(db_session):
    seed_demo(today=TODAY)
    october = db_session.scalar(select(Cycle).where(Cycle.month == 10))
    per_person = db_session.execute(
        select(Assessment.employee_id, func.count()).where(Assessment.cycle_id == october.id).group_by(Assessment.employee_id)
    ).all()
    assert sorted(n for _, n in per_person)[-1] == 2  # the mid-October transfer
    november = db_session.scalar(select(Cycle).where(Cycle.month == 11))
    late_starts = count(db_session, Assessment, Assessment.cycle_id == november.id, Assessment.first_day == date(2026, 11, 10))
    assert late_starts == 2


def test_observations_point_to_their_run_and_runs_are_audited_once(db_session):
    seed_demo(today=TODAY)
    synced = count(db_session, Observation, Observation.provenance != "self_reported")
    with_run = count(db_session, Observation, Observation.provenance != "self_reported", Observation.run_id.is_not(None))
    assert synced == with_run > 0
    assert count(db_session, Observation, Observation.provenance == "self_reported", Observation.progress_entry_id.is_(None)) == 0
    runs = count(db_session, SyncRun)
    assert count(db_session, AuditLog, AuditLog.action == "sync.run") == runs


def test_seeding_again_changes_no_table(db_session):
    seed_demo(today=TODAY)
    before = table_checksums(db_session)
    assert not seed_demo(today=TODAY)
    assert table_checksums(db_session) == before


def test_the_same_day_gives_the_same_company(db_session):
    seed_demo(today=TODAY)
    first = db_session.execute(select(Report.assessment_id, Report.total, Report.summary).order_by(Report.id)).all()
    names = db_session.scalars(select(Employee.name).order_by(Employee.id)).all()
    from tests.conftest import empty_database

    empty_database(db_session)
    seed_demo(today=TODAY)
    assert db_session.scalars(select(Employee.name).order_by(Employee.id)).all() == names
    again = db_session.execute(select(Report.assessment_id, Report.total, Report.summary).order_by(Report.id)).all()
    assert [(t, s) for _, t, s in again] == [(t, s) for _, t, s in first]
