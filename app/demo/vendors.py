"""The demo shop's Amazon and Zendesk, for `make run`: from today on, its figures arrive through the
real connectors against the vendor stand-in (app/standins/vendors.py), as a connected company's do.

`connect` writes what the vendors would send into a folder of vendor-format files the stand-in serves
(Sales and Traffic documents and Ads rows for today and the month ahead — the daily syncs ask for
each day the morning after —, the listings report, and today's complaint tickets with their metrics),
maps the demo's SKUs to their operators and its agents to their Zendesk ids, and stores the
connectors with the stand-in's credentials. The days before today were seeded directly (one run per
source per day); the stand-in has no data for them, so the syncs' look-back days add nothing twice.
"""

import csv
import io
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from app.connectors import vault
from app.demo import demo_business
from app.demo.business import Market
from app.demo.company import Person
from app.extensions import db
from app.models import Connector, ExternalIdentity
from app.services.business_time import clock_now, zone

FOLDER = "vendor_payloads"
DAYS_AHEAD = 31
ZENDESK_IDS = 360_000_000  # + the employee's id: the agents' Zendesk user ids
MARKETPLACE, PROFILE = "ATVPDKIKX0DER", "3311441"
LWA = {"client_id": "amzn1.application-oa2-client.standin", "client_secret": "standin-secret",
       "refresh_token": "Atzr|standin-refresh"}
CREDENTIALS = {
    "amazon_sp_api": LWA | {"marketplace_id": MARKETPLACE, "new_product_days": "90"},
    "amazon_ads": LWA | {"profile_id": PROFILE, "currency": "USD", "sales_column": "sales7d"},
    "zendesk": {"subdomain": "demo", "email": "admin@example.com", "api_token": "zendesk-token",
                "complaint_tags": "complaint"},
}


def connect(instance: Path, today: date, employees: int = 50, seed: int = 2026) -> Path:
    """Write the vendor files, the mappings and the connectors; returns the payload folder."""
    people, market = demo_business(employees, today, seed)
    folder = instance / FOLDER
    _amazon(folder, market, today)
    _zendesk(folder, people, today, seed)
    start = min(s.listed_on for s in market.skus)
    db.session.add_all([ExternalIdentity(source="amazon", external_id=s.code, employee_id=s.operator_id,
                                         effective_from=start) for s in market.skus])
    db.session.add_all([ExternalIdentity(source="zendesk", external_id=str(ZENDESK_IDS + p.id), employee_id=p.id,
                                         effective_from=p.joined_on) for p in people if p.position == "cs"])
    checkpoints = {"amazon_sp_api": {"last_day": (today - timedelta(days=1)).isoformat()}}
    db.session.add_all([Connector(source=source, secret=vault.seal(values), status="valid", checked_at=clock_now(),
                                  checkpoint=checkpoints.get(source, {}), failures=0)
                        for source, values in CREDENTIALS.items()])
    db.session.commit()
    return folder


def _amazon(folder: Path, market: Market, today: date) -> None:
    sp, ads = folder / "amazon_sp_api", folder / "amazon_ads"
    sp.mkdir(parents=True, exist_ok=True)
    ads.mkdir(parents=True, exist_ok=True)
    rows = []
    for day in (today + timedelta(days=n) for n in range(DAYS_AHEAD)):
        trade = market.day(day)
        _write(sp / f"sales_and_traffic_report_{day.isoformat()}.json", {
            "reportSpecification": {"reportType": "GET_SALES_AND_TRAFFIC_REPORT",
                                    "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "SKU"},
                                    "dataStartTime": day.isoformat(), "dataEndTime": day.isoformat(),
                                    "marketplaceIds": [MARKETPLACE]},
            "salesAndTrafficByDate": [],
            "salesAndTrafficByAsin": [{
                "parentAsin": s.sku.code, "childAsin": s.sku.code, "sku": s.sku.code,
                "salesByAsin": {"unitsOrdered": s.units, "totalOrderItems": s.units,
                                "orderedProductSales": {"amount": float(s.sales), "currencyCode": "USD"}},
                "trafficByAsin": {"sessions": s.sessions, "pageViews": s.sessions * 2,
                                  "unitSessionPercentage": round(100 * s.units / s.sessions, 2) if s.sessions else 0}}
                for o in trade.operators for s in o.skus]})
        rows += [{"date": day.isoformat(), "advertisedSku": o.skus[0].sku.code, "advertisedAsin": o.skus[0].sku.code,
                  "campaignId": o.operator_id, "adGroupId": o.operator_id, "impressions": 0, "clicks": 0,
                  "cost": float(o.ad_spend), "sales7d": float(o.ad_sales)} for o in trade.operators if o.skus]
    _write(ads / "sp_advertised_product_rows.json", rows)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["item-name", "seller-sku", "price", "open-date", "asin1", "status"])
    writer.writerows([f"演示商品 {s.code}", s.code, str(s.price), f"{s.listed_on.isoformat()} 09:00:00 PST", s.code,
                      "Active"] for s in market.skus)
    (sp / "merchant_listings_all_data.tsv").write_text(out.getvalue(), encoding="utf-8")


def _zendesk(folder: Path, people: list[Person], today: date, seed: int) -> None:
    """Today's complaints per agent: created in the early morning, most solved within the day."""
    tickets, metrics = [], []
    for p in (p for p in people if p.position == "cs" and (p.left_on is None or p.left_on > today)):
        rng = random.Random(f"{seed}/zendesk/{today.isoformat()}/{p.id}")
        for n in range(rng.randint(1, 3)):
            ticket_id = p.id * 10_000 + today.toordinal() % 10_000 * 10 + n
            created = datetime.combine(today, time(0, 30), zone()) + timedelta(minutes=rng.randrange(420))
            solved = rng.random() < 0.8
            stamp, written = int(created.timestamp()), created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            tickets.append({"id": ticket_id, "assignee_id": ZENDESK_IDS + p.id,
                            "status": "solved" if solved else "open",
                            "created_at": written, "updated_at": written,
                            "generated_timestamp": stamp, "tags": ["complaint"], "type": "problem",
                            "subject": "客户投诉：物流延误", "via": {"channel": "email"}})
            if solved:
                minutes = rng.choice((45, 180, 600, 1500))
                metrics.append({"id": ticket_id, "ticket_id": ticket_id, "replies": 2, "reopens": 0,
                                "full_resolution_time_in_minutes": {"business": minutes, "calendar": minutes}})
    (folder / "zendesk").mkdir(parents=True, exist_ok=True)
    _write(folder / "zendesk" / "incremental_tickets_cursor_response.json",
           {"after_cursor": None, "after_url": None, "before_cursor": None, "before_url": None,
            "end_of_stream": True, "tickets": tickets})
    _write(folder / "zendesk" / "ticket_metrics_list_response.json", {"ticket_metrics": metrics})


def _write(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
