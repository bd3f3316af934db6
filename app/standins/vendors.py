"""A stand-in for the vendors' APIs — Login with Amazon, Amazon SP-API, Amazon Ads and Zendesk — over
real HTTP, so the connectors' real client code runs against the documented protocol.

It serves the vendors' own example payloads unchanged from a folder of vendor-format files (a
setting: a new sample from a vendor's documentation replays without code) plus generated volume
added through `/_standin/…` controls, pages it, and plays scripted trouble: 429 with or without
Retry-After, a 5xx, an expired token, a report that never finishes (FATAL). Every request it
receives is recorded for the tests. Amazon's report documents are served gzip-compressed from
`/_documents/…`, standing in for the pre-signed S3 URLs.
"""

import base64
import csv
import gzip
import io
import itertools
import json
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, request

from config import BASE_DIR

PAYLOADS = BASE_DIR / "tests" / "fixtures" / "vendors"


class VendorState:
    """What the stand-in holds between requests; one lock around all of it."""

    def __init__(self, payloads: Path, waits: int = 1):
        self.payloads, self.initial_waits = payloads, waits
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.scripts: list[dict[str, Any]] = []
        self.zendesk_login = {"email": "admin@example.com", "api_token": "zendesk-token"}
        self.tickets = list(self.file("zendesk/incremental_tickets_cursor_response.json")["tickets"])
        self.metrics = {m["ticket_id"]: m for m in self.file("zendesk/ticket_metrics_list_response.json")
                        ["ticket_metrics"]}
        self.page_size = 100
        self.lwa = {"client_id": "amzn1.application-oa2-client.standin", "client_secret": "standin-secret",
                    "refresh_token": "Atzr|standin-refresh"}
        self.tokens: set[str] = set()
        self.numbers = itertools.count(1)
        self.reports: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, tuple[bytes, bool]] = {}  # id → (content, gzip-compressed)
        self.waits = self.initial_waits  # polls answered IN_PROGRESS (SP-API) / PENDING (Ads) before done
        self.fatal: set[str] = set()  # report types (or "YYYY-MM-DD" start days) that end FATAL
        self.cancelled: set[str] = set()  # start days Amazon has no data for
        self.sales: dict[str, list[dict[str, Any]]] = {}  # day → SKU rows of generated S&T documents
        self.listings: list[dict[str, str]] = []  # seller-sku, asin1, open-date, item-name
        ads = "amazon_ads/sp_advertised_product_rows.json"
        self.ads_rows: list[dict[str, Any]] = self.file(ads) if (self.payloads / ads).exists() else []
        self.profiles = [{"profileId": 3311441, "countryCode": "US", "currencyCode": "USD", "timezone":
                          "America/Los_Angeles", "accountInfo": {"type": "seller", "marketplaceStringId":
                                                                 "ATVPDKIKX0DER"}}]

    def file(self, name: str) -> Any:
        return json.loads((self.payloads / name).read_text(encoding="utf-8"))

    def scripted(self, path: str) -> dict[str, Any] | None:
        """The first scripted answer for a path prefix, used up one time at a time."""
        for script in self.scripts:
            if path.startswith(script["path"]) and script["times"] > 0:
                script["times"] -= 1
                return script
        return None


def create_vendor_standin(payloads: Path | None = None, waits: int = 1) -> Flask:
    app = Flask("vendor_standin")
    state = VendorState(payloads or PAYLOADS, waits)
    app.extensions["vendor_standin"] = state

    @app.before_request
    def record_and_script():
        if request.path.startswith("/_standin/"):
            return None
        with state.lock:
            state.received.append({"method": request.method, "path": request.path, "args": request.args.to_dict(),
                                   "headers": dict(request.headers), "form": request.form.to_dict(),
                                   "body": request.get_data(as_text=True)})
            script = state.scripted(request.path)
        if script is None:
            return None
        headers = {"Retry-After": str(script["retry_after"])} if script.get("retry_after") is not None else {}
        body = script.get("body") or {"errors": [{"code": "QuotaExceeded" if script["status"] == 429
                                                  else "InternalFailure", "message": "stand-in"}]}
        return Response(json.dumps(body), script["status"], headers, content_type="application/json")

    _amazon(app, state)
    _zendesk(app, state)
    _controls(app, state)
    return app


# -- Login with Amazon, SP-API and Amazon Ads ---------------------------------------------------------

def _amazon(app: Flask, state: VendorState) -> None:
    _lwa(app, state)
    _sp_api(app, state)
    _ads(app, state)


def _lwa(app: Flask, state: VendorState) -> None:
    @app.post("/auth/o2/token")
    def lwa_token():
        """The refresh-token grant: form fields exactly as documented, a fresh token good for an hour."""
        form = request.form
        if form.get("grant_type") != "refresh_token" or any(form.get(k) != v for k, v in state.lwa.items()):
            return jsonify({"error": "invalid_grant", "error_description": "The request has an invalid grant"}), 400
        with state.lock:
            token = f"Atza|standin-{next(state.numbers)}"
            state.tokens.add(token)
        return jsonify({"access_token": token, "token_type": "bearer", "expires_in": 3600,
                        "refresh_token": form["refresh_token"]}), 200, {"Cache-Control": "no-store"}


def _sp_api(app: Flask, state: VendorState) -> None:
    def sp_authorised() -> None:
        if request.headers.get("x-amz-access-token") not in state.tokens:
            abort(Response(json.dumps({"errors": [{"code": "Unauthorized", "message": "Access to requested resource "
                                                   "is denied.", "details": "The access token you provided has "
                                                   "expired."}]}), 403, content_type="application/json"))

    @app.get("/reports/2021-06-30/reports")
    def sp_reports():
        sp_authorised()
        return jsonify({"reports": []})

    @app.post("/reports/2021-06-30/reports")
    def sp_create_report():
        sp_authorised()
        body = request.get_json()
        start = str(body.get("dataStartTime", ""))[:10]
        outcome = ("FATAL" if {body["reportType"], start} & state.fatal else
                   "CANCELLED" if start in state.cancelled else "DONE")
        with state.lock:
            report_id = str(50000 + next(state.numbers))
            state.reports[report_id] = {"body": body, "waits": state.waits, "outcome": outcome}
        return jsonify({"reportId": report_id}), 202

    @app.get("/reports/2021-06-30/reports/<report_id>")
    def sp_get_report(report_id: str):
        sp_authorised()
        with state.lock:
            report, status = _polled(state, report_id, "IN_PROGRESS")
            body = report["body"]
            answer = {"reportId": report_id, "reportType": body["reportType"], "marketplaceIds": body["marketplaceIds"],
                      "dataStartTime": body.get("dataStartTime"), "dataEndTime": body.get("dataEndTime"),
                      "createdTime": "2026-01-01T00:00:00Z", "processingStatus": status}
            if status == "DONE":
                answer["reportDocumentId"] = f"amzn1.spdoc.1.4.na.{report_id}"
                state.documents[answer["reportDocumentId"]] = (_sp_document(state, body), True)
        return jsonify(answer)

    @app.get("/reports/2021-06-30/documents/<document_id>")
    def sp_document(document_id: str):
        sp_authorised()
        if document_id not in state.documents:
            abort(404)
        return jsonify({"reportDocumentId": document_id, "compressionAlgorithm": "GZIP",
                        "url": f"{request.host_url}_documents/{document_id}"})

    @app.get("/_documents/<document_id>")
    def document(document_id: str):
        content, compressed = state.documents.get(document_id) or abort(404)
        return Response(gzip.compress(content) if compressed else content, content_type="application/octet-stream")


def _ads(app: Flask, state: VendorState) -> None:
    def ads_authorised() -> None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in state.tokens or not request.headers.get("Amazon-Advertising-API-ClientId"):
            abort(Response(json.dumps({"code": "UNAUTHORIZED", "details": "Not authorized to access scope"}), 401,
                           content_type="application/json"))

    @app.get("/v2/profiles")
    def ads_profiles():
        ads_authorised()
        return jsonify(state.profiles)

    @app.post("/reporting/reports")
    def ads_create_report():
        ads_authorised()
        if request.content_type != "application/vnd.createasyncreportrequest.v3+json":
            return jsonify({"code": "415", "detail": "Unsupported content type"}), 415
        if not request.headers.get("Amazon-Advertising-API-Scope"):
            return jsonify({"code": "400", "detail": "Amazon-Advertising-API-Scope header is missing"}), 400
        body = json.loads(request.get_data())
        with state.lock:
            report_id = f"0b8c2d3e-0000-4000-8000-{next(state.numbers):012d}"
            outcome = "FAILED" if body["configuration"]["reportTypeId"] in state.fatal else "COMPLETED"
            state.reports[report_id] = {"body": body, "waits": state.waits, "outcome": outcome}
        return jsonify(_ads_report(report_id, body, "PENDING", None)), 200, {
            "Content-Type": "application/vnd.createasyncreportresponse.v3+json"}

    @app.get("/reporting/reports/<report_id>")
    def ads_get_report(report_id: str):
        ads_authorised()
        with state.lock:
            report, status = _polled(state, report_id, "PENDING")
            url = None
            if status == "COMPLETED":
                state.documents[report_id] = (_ads_document(state, report["body"]), True)
                url = f"{request.host_url}_documents/{report_id}"
        return jsonify(_ads_report(report_id, report["body"], status, url)), 200, {
            "Content-Type": "application/vnd.getasyncreportresponse.v3+json"}


def _polled(state: VendorState, report_id: str, waiting: str) -> tuple[dict[str, Any], str]:
    """A report asked about once more (the caller holds the lock): `waiting` until its waits are
    used up, then its outcome."""
    report = state.reports.get(report_id) or abort(404)
    status = waiting if report["waits"] > 0 else report["outcome"]
    report["waits"] -= 1
    return report, status


def _sp_document(state: VendorState, body: dict[str, Any]) -> bytes:
    """A report's document: the vendor's own example when one in the payload folder is of this report
    type and starts on this day, else one generated in the documented format."""
    if body["reportType"] == "GET_MERCHANT_LISTINGS_ALL_DATA":
        listed = state.payloads / "amazon_sp_api" / "merchant_listings_all_data.tsv"
        if listed.exists() and not state.listings:
            return listed.read_bytes()
        out = io.StringIO()
        writer = csv.DictWriter(out, ["item-name", "listing-id", "seller-sku", "price", "quantity", "open-date",
                                      "asin1", "fulfillment-channel", "status"], delimiter="\t", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(state.listings)
        return out.getvalue().encode()
    start = str(body.get("dataStartTime", ""))[:10]
    for path in sorted((state.payloads / "amazon_sp_api").glob("sales_and_traffic_report_*.json")):
        example = json.loads(path.read_text(encoding="utf-8"))
        if example["reportSpecification"]["dataStartTime"][:10] == start and \
                example["reportSpecification"]["reportOptions"].get("asinGranularity") == "SKU":
            return path.read_bytes()
    rows = [{"parentAsin": r["asin"], "childAsin": r["asin"], "sku": r["sku"],
             "salesByAsin": {"unitsOrdered": r["units"], "orderedProductSales": {"amount": r["sales"],
                                                                                  "currencyCode": "USD"},
                             "totalOrderItems": r["units"]},
             "trafficByAsin": {"sessions": r["sessions"], "pageViews": r["sessions"] * 2,
                               "unitSessionPercentage": round(100 * r["units"] / r["sessions"], 2)
                               if r["sessions"] else 0}}
            for r in state.sales.get(start, [])]
    return json.dumps({"reportSpecification": {"reportType": body["reportType"],
                                               "reportOptions": body.get("reportOptions", {}),
                                               "dataStartTime": start, "dataEndTime": str(body.get("dataEndTime"))[:10],
                                               "marketplaceIds": body["marketplaceIds"]},
                       "salesAndTrafficByDate": [], "salesAndTrafficByAsin": rows}).encode()


def _ads_report(report_id: str, body: dict[str, Any], status: str, url: str | None) -> dict[str, Any]:
    """A report object in the shape of the vendor's recorded create/status responses."""
    return {"configuration": {**body["configuration"], "filters": None}, "createdAt": "2026-01-01T00:00:00.000Z",
            "endDate": body["endDate"], "failureReason": "Report generation failed" if status == "FAILED" else None,
            "fileSize": None, "generatedAt": None, "name": body.get("name"), "reportId": report_id,
            "startDate": body["startDate"], "status": status, "updatedAt": "2026-01-01T00:00:00.000Z", "url": url,
            "urlExpiresAt": None}


def _ads_document(state: VendorState, body: dict[str, Any]) -> bytes:
    """The report's rows: the requested columns of the generated rows in its date range."""
    columns = body["configuration"]["columns"]
    rows = [{c: row.get(c, 0) for c in columns} for row in state.ads_rows
            if body["startDate"] <= row["date"] <= body["endDate"]]
    return json.dumps(rows).encode()


# -- Zendesk Support ---------------------------------------------------------------------------------

def _zendesk(app: Flask, state: VendorState) -> None:
    def authenticated() -> None:
        expected = "{email}/token:{api_token}".format(**state.zendesk_login)
        given = request.headers.get("Authorization", "")
        if given != "Basic " + base64.b64encode(expected.encode()).decode():
            abort(Response(json.dumps({"error": "Couldn't authenticate you"}), 401, content_type="application/json"))

    @app.get("/api/v2/users/me.json")
    def zendesk_me():
        authenticated()
        return jsonify({"user": {"id": 1900000001, "email": state.zendesk_login["email"], "role": "admin"}})

    @app.get("/api/v2/incremental/tickets/cursor")
    def zendesk_tickets():
        """Cursor export: tickets in the order they last changed, `per_page` at a time. The cursor
        names the last ticket sent (when it changed, its id), so a later run resumes after it and a
        ticket changed since comes again."""
        authenticated()
        if "cursor" in request.args:
            since = _position(request.args["cursor"])
        elif "start_time" in request.args:
            since = (int(request.args["start_time"]) - 1, 2 ** 62)
        else:
            return jsonify({"error": "InvalidPaginationParameter", "description": "start_time or cursor"}), 400
        size = min(int(request.args.get("per_page", state.page_size)), 1000)
        with state.lock:
            after = [t for t in sorted(state.tickets, key=_changed) if _changed(t) > since]
        page, end = after[:size], len(after) <= size
        cursor = _cursor(_changed(page[-1]) if page else since)
        return jsonify({"after_cursor": cursor, "after_url": f"{request.base_url}?cursor={cursor}",
                        "before_cursor": None, "before_url": None, "end_of_stream": end, "tickets": page})

    @app.get("/api/v2/tickets/<int:ticket_id>/metrics")
    def zendesk_ticket_metrics(ticket_id: int):
        authenticated()
        with state.lock:
            metric = state.metrics.get(ticket_id)
        if metric is None:
            return jsonify({"error": "RecordNotFound", "description": "Not found"}), 404
        return jsonify({"ticket_metric": [metric]})  # the shape of the current docs' example


def _changed(ticket: dict[str, Any]) -> tuple[int, int]:
    """When a ticket last changed (the export's `generated_timestamp`), then its id: the export's order."""
    return int(ticket.get("generated_timestamp") or 0), int(ticket["id"])


def _cursor(position: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(f"{position[0]}:{position[1]}".encode()).decode()


def _position(cursor: str) -> tuple[int, int]:
    try:
        changed, ticket_id = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        return int(changed), int(ticket_id)
    except ValueError:
        abort(Response(json.dumps({"error": "InvalidCursor"}), 400, content_type="application/json"))


# -- controls ------------------------------------------------------------------------------------------

def _controls(app: Flask, state: VendorState) -> None:
    @app.post("/_standin/reset")
    def reset():
        with state.lock:
            state.reset()
        return jsonify({"ok": True})

    @app.get("/_standin/requests")
    def received():
        with state.lock:
            found = [r for r in state.received if r["path"].startswith(request.args.get("path", ""))]
        return jsonify({"requests": found})

    @app.post("/_standin/script")
    def script():
        """Answer the next `times` requests under `path` with `status` (and Retry-After, a body)."""
        body = request.get_json()
        with state.lock:
            state.scripts.append({"path": body["path"], "status": int(body["status"]),
                                  "times": int(body.get("times", 1)), "retry_after": body.get("retry_after"),
                                  "body": body.get("body")})
        return jsonify({"ok": True})

    @app.post("/_standin/amazon")
    def amazon_data():
        """Generated volume and trouble for Amazon: S&T rows per day, listings, Ads rows, how many
        polls wait, FATAL / cancelled reports, the LWA app's login, tokens expired now."""
        body = request.get_json()
        with state.lock:
            for day, rows in body.get("sales", {}).items():
                state.sales[day] = rows
            state.listings += body.get("listings", [])
            state.ads_rows += body.get("ads_rows", [])
            state.waits = int(body.get("waits", state.waits))
            state.fatal |= set(body.get("fatal", []))
            state.cancelled |= set(body.get("cancelled", []))
            state.lwa.update(body.get("lwa", {}))
            if body.get("expire_tokens"):
                state.tokens.clear()
        return jsonify({"ok": True})

    @app.post("/_standin/zendesk")
    def zendesk_data():
        """Add or change tickets (a changed ticket, with its new generated_timestamp, comes again
        after the cursor, as in Zendesk) and their metrics; set the page size and the account's login."""
        body = request.get_json()
        with state.lock:
            for ticket in body.get("tickets", []):
                state.tickets = [t for t in state.tickets if t["id"] != ticket["id"]] + [ticket]
            for metric in body.get("metrics", []):
                state.metrics[metric["ticket_id"]] = metric
            state.page_size = int(body.get("page_size", state.page_size))
            state.zendesk_login.update(body.get("login", {}))
        return jsonify({"tickets": len(state.tickets)})


def main(argv: list[str] | None = None) -> None:
    """`make run`: the vendors' stand-in in the foreground, serving a folder of vendor files."""
    import argparse

    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(prog="python -m app.standins.vendors")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payloads", type=Path, default=PAYLOADS, help="the folder of vendor-format files")
    parser.add_argument("--waits", type=int, default=0, help="polls a report answers 'in progress' first")
    args = parser.parse_args(argv)
    run_simple(args.host, args.port, create_vendor_standin(args.payloads, args.waits), threaded=True)


if __name__ == "__main__":
    main()
