"""The daily alert run on a real RQ worker: queued once per day, and safe to run twice."""

from datetime import date, datetime, timedelta

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app import jobs
from app.models import Alert, Shipment
from app.services.news import alerts
from tests.support.company import department, hire
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
