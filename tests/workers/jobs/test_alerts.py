"""The daily alert run on a real RQ worker: queued once per day, safe to run twice, retried when it
fails, and marked done only when it succeeded."""

from datetime import date, datetime, timedelta

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.models import Alert, AuditLog, Shipment
from app.services import tick
from app.services.news import alerts
from tests.support.company import department, hire
from tests.support.workers import burst, retries_due_now, unreachable
from workers.jobs.alerts import evaluate_day, evaluate_employee

DAY = date(2026, 11, 26)


def test_a_worker_runs_the_daily_evaluation_once_and_a_second_run_adds_nothing(app, db_session, redis_client):
    warehouse = department("warehouse", "仓储部", rest="7")
    packer = hire("孙打包", warehouse, manager=hire("周组长", warehouse))
    db_session.commit()
    alerts.load_default_rules()
    shipped_at = datetime(2026, 11, 26, 3, 0)
    db_session.execute(Shipment.__table__.insert(), [
        {"source": "erp", "order_no": f"SO{i}", "batch_no": "B20261126-01", "packer_id": packer.id,
         "packer_code": "PK1", "ordered_at": shipped_at - timedelta(hours=5), "shipped_at": shipped_at,
         "wrong_item": i == 0} for i in range(300)])
    db_session.commit()

    assert alerts.request_day(DAY) is True
    assert alerts.request_day(DAY) is False  # already queued: the clock may ask twice
    queue = Queue(jobs.DEFAULT, connection=redis_client)
    assert len(queue) == 1
    with app.app_context():
        SimpleWorker([queue], connection=redis_client).work(burst=True)
    job = queue.fetch_job(f"alerts-{DAY.isoformat()}")
    # one wrong item in a batch of 300 (0.33 % > 0.1 %): the batch alert, and nothing else to find
    assert job.get_status(refresh=True) == "finished" and job.return_value() == 1

    db_session.rollback()  # MariaDB: see what the worker committed
    raised = db_session.scalar(select(func.count()).select_from(Alert))
    assert raised == job.return_value()
    assert db_session.scalar(select(Alert.fingerprint).where(Alert.employee_id.is_(None))) == \
        "wh_batch_misship:erp:B20261126-01"
    assert evaluate_day(DAY.isoformat()) == 0
    assert evaluate_employee(packer.id, DAY.isoformat()) == 0
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Alert)) == raised


SIX_THIRTY = datetime(2026, 11, 26, 22, 30)  # Friday 27 November, 06:30 in Shanghai, as naive UTC


def evaluated_days(session) -> list[str]:
    """The days whose daily run committed (each writes one audit row with its scope)."""
    session.rollback()
    rows = session.scalars(select(AuditLog.after).where(AuditLog.action == "alerts.evaluate")).all()
    return sorted(row["day"] for row in rows if row.get("scope") == "all")


def work_default_queue(redis_client) -> None:
    """A worker with its scheduler, as production runs it, after making the scheduled retries due."""
    retries_due_now(redis_client, jobs.DEFAULT)
    SimpleWorker([Queue(jobs.DEFAULT, connection=redis_client)], connection=redis_client).work(
        burst=True, with_scheduler=True)


def test_a_failed_daily_run_is_retried_and_only_its_success_marks_the_day_done(app, db_session, redis_client,
                                                                              tmp_path):
    log = tmp_path / "worker.log"
    assert tick.run_due(SIX_THIRTY)["alerts"] is True

    burst(app, log, database_url=unreachable(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path))

    assert evaluated_days(db_session) == []
    assert "OperationalError" in log.read_text(errors="replace")
    assert tick.run_due(SIX_THIRTY + timedelta(minutes=1))["alerts"] is False  # its retry is on the way
    work_default_queue(redis_client)
    assert evaluated_days(db_session) == ["2026-11-26"], log.read_text(errors="replace")[-3000:]
    assert tick.run_due(SIX_THIRTY + timedelta(minutes=2))["alerts"] is False  # done
    assert len(Queue(jobs.DEFAULT, connection=redis_client)) == 0


def test_a_daily_run_that_failed_for_good_is_asked_for_again_an_hour_later(app, db_session, redis_client, tmp_path):
    log = tmp_path / "worker.log"
    down = unreachable(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    assert tick.run_due(SIX_THIRTY)["alerts"] is True
    burst(app, log, database_url=down)
    while retries_due_now(redis_client, jobs.DEFAULT):  # every retry fails too
        burst(app, log, database_url=down)
    failed = Queue(jobs.DEFAULT, connection=redis_client).failed_job_registry
    assert failed.get_job_ids() == ["alerts-2026-11-26"]

    assert tick.run_due(SIX_THIRTY + timedelta(minutes=1))["alerts"] is False  # not at once: it just failed
    job = failed.job_class.fetch("alerts-2026-11-26", connection=redis_client)
    job.ended_at -= timedelta(hours=1)  # RQ's record of when it failed: an hour ago
    job.save()
    assert tick.run_due(SIX_THIRTY + timedelta(hours=1))["alerts"] is True
    work_default_queue(redis_client)
    assert evaluated_days(db_session) == ["2026-11-26"]
