"""A stand-in for the vendors' APIs (Zendesk now; Login with Amazon, SP-API and Amazon Ads beside it),
over real HTTP, so the connectors' real client code runs against the documented protocol.

It serves the vendors' own example payloads unchanged from a folder of vendor-format files (a
setting: a new sample from a vendor's documentation replays without code) plus generated volume
added through `/_standin/…` controls, pages it, and plays scripted trouble: 429 with or without
Retry-After, a 5xx, an expired token. Every request it receives is recorded for the tests.
"""

import base64
import json
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, request

from config import BASE_DIR

PAYLOADS = BASE_DIR / "tests" / "fixtures" / "vendors"


class VendorState:
    """What the stand-in holds between requests; one lock around all of it."""

    def __init__(self, payloads: Path):
        self.payloads = payloads
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

    def file(self, name: str) -> Any:
        return json.loads((self.payloads / name).read_text(encoding="utf-8"))

    def scripted(self, path: str) -> dict[str, Any] | None:
        """The first scripted answer for a path prefix, used up one time at a time."""
        for script in self.scripts:
            if path.startswith(script["path"]) and script["times"] > 0:
                script["times"] -= 1
                return script
        return None


def create_vendor_standin(payloads: Path | None = None) -> Flask:
    app = Flask("vendor_standin")
    state = VendorState(payloads or PAYLOADS)
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

    _zendesk(app, state)
    _controls(app, state)
    return app


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
