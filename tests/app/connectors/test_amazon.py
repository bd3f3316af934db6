"""Amazon SP-API and Amazon Ads end to end: the real connectors against the stand-in.

SP-API, worked by hand from Amazon's own example document (tests/fixtures/vendors/amazon_sp_api/
sales_and_traffic_report_example1_day_sku.json, SKU granularity, starting 2021-06-11), which the
stand-in serves for a report starting that day: SKU AB-1C2D-EFGH sold 16.79 USD, 1 unit in 18
sessions; CD-2E3F-GHIJ 26.25 USD (3 units, 13 sessions); EF-3G4H-IJKL 45.0 USD. The listings report's
rows and the Ads report rows are built by the tests from the documented schemas (Amazon publishes
no example of either): the listings flat file's `seller-sku` and `open-date` columns, and the v3
spAdvertisedProduct columns date, advertisedSku, cost and sales7d.
"""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.connectors import admin, runs
from app.connectors.http import LONGEST_BACKOFF
from app.extensions import db
from app.models import Connector, Cycle, Observation, Restatement, UnmappedRecord
from tests.support.company import department, hire

NOW = datetime(2021, 6, 12, 1, 0)  # 09:00 on 12 June 2021 in Shanghai: yesterday is the 11th
LWA = {"client_id": "amzn1.application-oa2-client.standin", "client_secret": "standin-secret",
       "refresh_token": "Atzr|standin-refresh"}
NEW, OLD, NOBODYS = "AB-1C2D-EFGH", "CD-2E3F-GHIJ", "EF-3G4H-IJKL"


def operator_owns(company, *skus):
    for sku in skus:
        admin.map_identity("amazon", sku, company.operator.id, date(2021, 1, 1), admin_id=company.admin.id, now=NOW)


def sp_connected(vendors, company, sleeps, last_day="2021-06-10"):
    vendors.amazon(listings=[
        {"item-name": "新品 A", "seller-sku": NEW, "asin1": "B123456789", "open-date": "2021-06-01 10:00:00 PDT"},
        {"item-name": "老品 C", "seller-sku": OLD, "asin1": "B234567890", "open-date": "2020-01-15 08:12:34 PST"}])
    admin.save_credentials("amazon_sp_api", LWA, admin_id=company.admin.id, sleep=sleeps)
    operator_owns(company, NEW, OLD)
    connector_of("amazon_sp_api").checkpoint = {"last_day": last_day}


def connector_of(source):
    return db.session.scalar(select(Connector).where(Connector.source == source))


def figures(db_session, source):
    return {(o.external_ref, o.indicator_code, o.day, o.numerator, o.denominator, o.currency)
            for o in db_session.scalars(select(Observation).where(Observation.source == source))}


def test_sp_api_sales_and_new_product_conversion_per_sku_and_day(vendors, company, sleeps, db_session):
    sp_connected(vendors, company, sleeps)
    vendors.amazon(sales={"2021-06-10": [{"sku": NEW, "asin": "B123456789", "sales": 33.58, "units": 2,
                                          "sessions": 40}]}, cancelled=["2021-06-09"])
    db_session.commit()
    run = runs.sync_now("amazon_sp_api", now=NOW, sleep=sleeps)
    assert run.status == "done", run.error
    assert figures(db_session, "amazon_sp_api") == {
        ("ATVPDKIKX0DER/2021-06-11/AB-1C2D-EFGH/sales", "ops_sales", date(2021, 6, 11), Decimal("16.79"), None, "USD"),
        ("ATVPDKIKX0DER/2021-06-11/AB-1C2D-EFGH/conversion", "ops_new_conversion", date(2021, 6, 11), Decimal(1),
         Decimal(18), None),
        ("ATVPDKIKX0DER/2021-06-11/CD-2E3F-GHIJ/sales", "ops_sales", date(2021, 6, 11), Decimal("26.25"), None, "USD"),
        ("ATVPDKIKX0DER/2021-06-10/AB-1C2D-EFGH/sales", "ops_sales", date(2021, 6, 10), Decimal("33.58"), None, "USD"),
        ("ATVPDKIKX0DER/2021-06-10/AB-1C2D-EFGH/conversion", "ops_new_conversion", date(2021, 6, 10), Decimal(2),
         Decimal(40), None),
    }  # CD-2E3F-GHIJ was listed in 2020: not new, so no conversion record
    assert {o.employee_id for o in db_session.scalars(select(Observation))} == {company.operator.id}
    assert [(u.external_id, u.indicator_code) for u in db_session.scalars(select(UnmappedRecord))] == [
        (NOBODYS, "ops_sales")]  # EF-3G4H-IJKL: nobody's yet, kept
    assert run.covered_through == date(2021, 6, 11)
    assert connector_of("amazon_sp_api").checkpoint == {"last_day": "2021-06-11"}

    token_calls = vendors.requests("/auth/o2/token")
    assert len(token_calls) == 1  # the token the credentials' check got is cached (in Redis) and reused
    assert token_calls[-1]["form"] == {"grant_type": "refresh_token", **LWA}
    assert token_calls[-1]["headers"]["Content-Type"] == "application/x-www-form-urlencoded;charset=UTF-8"
    created = [r for r in vendors.requests("/reports/2021-06-30/reports") if r["method"] == "POST"]
    assert [r["body"] for r in created][0].startswith('{"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA"')
    days = [json.loads(r["body"]) for r in created[1:]]
    assert [(d["dataStartTime"], d["dataEndTime"], d["reportOptions"]) for d in days] == [
        (f"2021-06-{n:02d}", f"2021-06-{n:02d}", {"dateGranularity": "DAY", "asinGranularity": "SKU"})
        for n in (8, 9, 10, 11)]  # two settling days before the last synced day, to yesterday
    sp_calls = vendors.requests("/reports/")
    assert sp_calls and all(r["headers"]["X-Amz-Access-Token"].startswith("Atza|standin-") for r in sp_calls)
    assert sleeps.count(30.0) == 5  # each report polled once IN_PROGRESS before DONE (the 9th was cancelled too)

    before = figures(db_session, "amazon_sp_api")
    connector_of("amazon_sp_api").checkpoint = {"last_day": "2021-06-10"}
    db_session.commit()
    again = runs.sync_now("amazon_sp_api", now=NOW, sleep=sleeps)
    assert again.counts["unchanged"] == 5 and "inserted" not in again.counts
    assert figures(db_session, "amazon_sp_api") == before


def test_sp_api_refreshes_an_expired_token_once_and_backs_off_429s_within_bounds(vendors, company, sleeps,
                                                                                 db_session):
    sp_connected(vendors, company, sleeps, last_day="2021-06-13")  # only yesterday: 2021-06-11
    db_session.commit()
    vendors.amazon(expire_tokens=True)  # the token cached when the credentials were checked is dead now
    vendors.script("/reports/2021-06-30/reports", 429, times=2)  # SP-API sends no Retry-After
    run = runs.sync_now("amazon_sp_api", now=NOW, sleep=sleeps)
    assert run.status == "done", run.error
    assert len(vendors.requests("/auth/o2/token")) == 2  # the check's, then one refresh
    waits = [s for s in sleeps if s != 30.0]
    assert len(waits) == 2 and 0.5 <= waits[0] <= 1 and 1 <= waits[1] <= min(2, LONGEST_BACKOFF)


@pytest.mark.parametrize(("trouble", "error"), [
    ({"fatal": ["2021-06-11"]}, "FATAL"),
    ({"sales": {}}, "不是有效的 GZIP"),
])
def test_sp_api_a_fatal_report_or_a_broken_document_fails_the_run_with_nothing_written(
        vendors, company, sleeps, db_session, trouble, error):
    sp_connected(vendors, company, sleeps, last_day="2021-06-13")
    db_session.commit()
    vendors.amazon(**trouble)
    if "sales" in trouble:
        vendors.script("/_documents/amzn1.spdoc", 200, times=5, body={"not": "gzip"})
    run = runs.sync_now("amazon_sp_api", now=NOW, sleep=sleeps)
    assert run.status == "failed" and error in run.error
    assert db_session.scalar(select(func.count()).select_from(Observation)) == 0
    assert db_session.scalar(select(func.count()).select_from(UnmappedRecord)) == 0
    assert connector_of("amazon_sp_api").checkpoint == {"last_day": "2021-06-13"}


def ads_row(day, sku, cost, sales7d, clicks=10, impressions=1000):
    return {"date": day, "advertisedSku": sku, "advertisedAsin": "B123456789", "campaignId": 1, "adGroupId": 2,
            "impressions": impressions, "clicks": clicks, "cost": cost, "sales7d": sales7d}


ADS_LOGIN = LWA | {"profile_id": "3311441"}


def test_ads_roi_is_a_ratio_of_sums_per_sku_and_day_with_the_documented_request_shape(vendors, company, sleeps,
                                                                                      db_session):
    vendors.amazon(ads_rows=[ads_row("2021-06-05", NEW, 10.0, 40.0), ads_row("2021-06-05", NEW, 5.5, 6.0),
                             ads_row("2021-06-11", NOBODYS, 3.25, 0.0), ads_row("2021-05-01", NEW, 9.0, 9.0)])
    admin.save_credentials("amazon_ads", ADS_LOGIN, admin_id=company.admin.id, sleep=sleeps)
    operator_owns(company, NEW)
    designer = hire("吴美工", department("design", "设计部"), position="designer", manager=company.admin)
    admin.map_identity("amazon_design", NEW, designer.id, date(2021, 1, 1), admin_id=company.admin.id, now=NOW)
    vendors.script("/reporting/reports", 429, retry_after=3)
    run = runs.sync_now("amazon_ads", now=NOW, sleep=sleeps)
    assert run.status == "done", run.error
    assert figures(db_session, "amazon_ads") == {
        ("3311441/2021-06-05/AB-1C2D-EFGH/roi", "ops_ad_roi", date(2021, 6, 5), Decimal("46.0"), Decimal("15.5"),
         "USD"),  # two campaigns' rows of one SKU and day: (40 + 6) / (10 + 5.5); May is outside the 14 days
        ("3311441/2021-06-05/AB-1C2D-EFGH/ctr", "design_main_image_ctr", date(2021, 6, 5), Decimal(20),
         Decimal(2000), None)}  # the main image's clicks over impressions, for the SKU's designer
    owners = {o.indicator_code: o.employee_id for o in db_session.scalars(select(Observation))}
    assert owners == {"ops_ad_roi": company.operator.id, "design_main_image_ctr": designer.id}
    assert sorted((u.identity, u.external_id) for u in db_session.scalars(select(UnmappedRecord))) == [
        ("amazon", NOBODYS), ("amazon_design", NOBODYS)]
    before = figures(db_session, "amazon_ads")
    again = runs.sync_now("amazon_ads", now=NOW, sleep=sleeps)
    assert again.counts["unchanged"] == 2 and "inserted" not in again.counts and "updated" not in again.counts
    assert figures(db_session, "amazon_ads") == before
    assert sleeps[0] == 3  # Amazon Ads' Retry-After
    create = [r for r in vendors.requests("/reporting/reports") if r["method"] == "POST"][-1]
    headers = {name.lower(): value for name, value in create["headers"].items()}
    assert headers["content-type"] == "application/vnd.createasyncreportrequest.v3+json"
    assert headers["amazon-advertising-api-scope"] == "3311441"
    assert headers["amazon-advertising-api-clientid"] == LWA["client_id"]
    assert headers["authorization"].startswith("Bearer Atza|standin-")
    body = json.loads(create["body"])
    assert (body["startDate"], body["endDate"]) == ("2021-05-29", "2021-06-11")
    assert body["configuration"]["reportTypeId"] == "spAdvertisedProduct"
    assert body["configuration"]["groupBy"] == ["advertiser"] and "sales7d" in body["configuration"]["columns"]


def test_ads_attribution_restating_a_published_month_goes_to_hr(vendors, company, sleeps, db_session):
    vendors.amazon(ads_rows=[ads_row("2021-06-05", NEW, 10.0, 40.0)])
    admin.save_credentials("amazon_ads", ADS_LOGIN, admin_id=company.admin.id, sleep=sleeps)
    operator_owns(company, NEW)
    runs.sync_now("amazon_ads", now=NOW, sleep=sleeps)
    db_session.add(Cycle(year=2021, month=6, status="published"))
    db_session.commit()
    vendors.amazon(ads_rows=[ads_row("2021-06-05", NEW, 0.0, 12.0)])  # 12 more sales attributed later
    later = runs.sync_now("amazon_ads", now=datetime(2021, 6, 13, 1, 0), sleep=sleeps)
    assert later.counts["restated"] == 1
    held = db_session.scalar(select(Restatement))
    assert (held.old_numerator, held.new_numerator, held.new_denominator) == (Decimal(40), Decimal(52), Decimal(10))
    assert db_session.scalar(select(Observation.numerator).where(
        Observation.indicator_code == "ops_ad_roi")) == Decimal(40)  # the published figure stays


def test_ads_a_failed_report_fails_the_run_with_nothing_written(vendors, company, sleeps, db_session):
    vendors.amazon(ads_rows=[ads_row("2021-06-05", NEW, 10.0, 40.0)], fatal=["spAdvertisedProduct"])
    admin.save_credentials("amazon_ads", ADS_LOGIN, admin_id=company.admin.id, sleep=sleeps)
    operator_owns(company, NEW)
    run = runs.sync_now("amazon_ads", now=NOW, sleep=sleeps)
    assert run.status == "failed" and run.error.startswith("Amazon Ads 报告生成失败（FAILED")
    assert db_session.scalar(select(func.count()).select_from(Observation)) == 0
    assert connector_of("amazon_ads").checkpoint == {}
