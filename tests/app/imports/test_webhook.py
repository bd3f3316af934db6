"""An ERP pushes shipments as HMAC-signed JSON to /api/imports/erp_shipments: they take the file
importer's path (checked, all or nothing, audited once); an unsigned, wrongly signed, stale or
replayed push is refused and writes nothing."""

import hashlib
import hmac
import json
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from app.connectors import admin
from app.models import AuditLog, Shipment, SyncRun

SECRET = "erp-shared-secret-0123456789"


@pytest.fixture
def signed_client(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_SECRET", SECRET)
    return client


def post(client, body: dict, *, secret: str = SECRET, stamp: int | None = None, signature: str | None = None):
    raw = json.dumps(body, ensure_ascii=False).encode()
    stamp = int(time.time()) if stamp is None else stamp
    mac = hmac.new(secret.encode(), str(stamp).encode() + b"." + raw, hashlib.sha256).hexdigest()
    return client.post("/api/imports/erp_shipments", data=raw, content_type="application/json", headers={
        "X-Jixiao-Timestamp": str(stamp), "X-Jixiao-Signature": signature or f"sha256={mac}"})


ROWS = {"identity": "erp", "rows": [
    {"order_no": "SO1", "batch_no": "B1", "packer": "PK-07", "ordered_at": "2026-11-09 10:00",
     "shipped_at": "2026-11-10 09:00", "wrong_item": "否"},
    {"order_no": "SO2", "batch_no": "B1", "packer": "PK-07", "ordered_at": "2026-11-10 08:00",
     "shipped_at": "2026-11-10 10:00", "wrong_item": True}]}


def test_a_signed_push_is_imported_once_and_a_replay_is_refused(signed_client, company, db_session):
    admin.map_identity("erp", "PK-07", company.packer.id, date(2026, 11, 1), admin_id=company.admin.id)
    stamp = int(time.time())
    done = post(signed_client, ROWS, stamp=stamp)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["counts"] == {"shipments": 2, "inserted": 2}
    run = db_session.get(SyncRun, done.get_json()["run_id"])
    assert (run.kind, run.uploaded_by, run.source) == ("import", None, "erp")
    assert db_session.scalar(select(AuditLog.source).where(AuditLog.action == "import.run")) == "erp"
    again = post(signed_client, ROWS, stamp=stamp)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "webhook_replay")


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"secret": "not-the-secret"}, 401, "webhook_signature"),
    ({"stamp": int(time.time()) - 3600}, 401, "webhook_stale"),
    ({"signature": "sha256=00"}, 401, "webhook_signature"),
])
def test_a_push_not_signed_right_now_is_refused_with_nothing_written(signed_client, company, db_session, change,
                                                                     status, code):
    refused = post(signed_client, ROWS, **change)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (status, code)
    assert db_session.scalar(select(func.count()).select_from(Shipment)) == 0
    assert db_session.scalar(select(func.count()).select_from(SyncRun)) == 0


def test_a_push_with_a_bad_row_is_refused_with_its_row_number(signed_client, company, db_session):
    bad = {"rows": [dict(ROWS["rows"][0]), dict(ROWS["rows"][1], ordered_at="昨天")]}
    refused = post(signed_client, bad)
    assert refused.status_code == 422
    errors = refused.get_json()["error"]["fields"]["errors"]
    assert errors == ["第2条：下单时间：「昨天」不是时间（例如 2026-11-05 14:30）"]  # the second JSON row
    assert db_session.scalar(select(func.count()).select_from(Shipment)) == 0


def test_without_a_secret_configured_nothing_is_accepted(client, company, db_session):
    refused = post(client, ROWS)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "webhook_off")
