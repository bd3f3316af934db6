"""`make run`: from the seed day on, the demo's Amazon and Zendesk figures arrive through the real
connectors against the vendor stand-in serving the files `flask seed demo` wrote; the days seeded
directly before it are not counted twice by the syncs' look-back."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.connectors import runs
from app.demo import demo_business
from app.demo.vendors import connect
from app.models import Observation, SyncRun
from app.standins.harness import RunningVendors
from tests.support.demo import seeded_demo

pytestmark = pytest.mark.embedded_only  # see tests/pytest.ini

TODAY = date(2026, 11, 27)


def at(day: date, hour: int) -> datetime:
    """Naive UTC of `hour` o'clock in Shanghai on `day`."""
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour - 8)


@pytest.fixture
def demo_vendors(app, db_session, tmp_path, monkeypatch):
    seeded_demo(TODAY)
    folder = connect(tmp_path, TODAY)
    running = RunningVendors(payloads=folder, waits=0)
    for key, path in (("ZENDESK_URL", ""), ("SP_API_URL", ""), ("AMAZON_ADS_URL", ""),
                      ("AMAZON_LWA_URL", "/auth/o2/token")):
        monkeypatch.setitem(app.config, key, running.url + path)
    yield running
    running.stop()


def sales_by_operator(db_session, day: date) -> dict[int, Decimal]:
    """Each operator's sales on `day`, summed exactly (SQLite's SUM of NUMERIC is a float)."""
    totals: dict[int, Decimal] = {}
    for figure in db_session.scalars(select(Observation).where(Observation.indicator_code == "ops_sales",
                                                               Observation.day == day)):
        totals[figure.employee_id] = totals.get(figure.employee_id, Decimal(0)) + figure.numerator
    return totals


def test_todays_figures_arrive_through_the_connectors_and_nothing_is_counted_twice(demo_vendors, db_session):
    _, market = demo_business(today=TODAY)
    seeded_yesterday = sales_by_operator(db_session, TODAY - timedelta(days=1))
    assert seeded_yesterday  # seeded directly

    zendesk = runs.sync_now("zendesk", now=at(TODAY, 10))
    assert zendesk.status == "done", zendesk.error
    complaints = db_session.scalars(select(Observation).where(Observation.run_id == zendesk.id)).all()
    assert complaints and {o.day for o in complaints} == {TODAY}
    assert {o.indicator_code for o in complaints} == {"cs_complaint_closed_24h"}
    assert zendesk.counts["unmapped"] == 0

    # the next morning: the SP-API and Ads syncs bring today's sales and ads, and add nothing to the
    # days before (the stand-in has no data for them)
    sales = runs.sync_now("amazon_sp_api", now=at(TODAY + timedelta(days=1), 6))
    ads = runs.sync_now("amazon_ads", now=at(TODAY + timedelta(days=1), 6))
    assert (sales.status, ads.status) == ("done", "done"), (sales.error, ads.error)
    assert sales.counts["unmapped"] == 0 and sales.counts["inserted"] > 0
    assert sales_by_operator(db_session, TODAY) == {o.operator_id: o.sales for o in market.day(TODAY).operators}
    assert sales_by_operator(db_session, TODAY - timedelta(days=1)) == seeded_yesterday
    roi = {o.employee_id: (o.numerator, o.denominator) for o in db_session.scalars(
        select(Observation).where(Observation.run_id == ads.id))}
    assert roi == {o.operator_id: (o.ad_sales, o.ad_spend) for o in market.day(TODAY).operators if o.skus}
    assert {r.source for r in db_session.scalars(select(SyncRun).where(SyncRun.started_at >= at(TODAY, 10)))} == {
        "zendesk", "amazon_sp_api", "amazon_ads"}
