"""Zendesk Support: complaints closed within 24 hours, per agent (cs_complaint_closed_24h).

Auth is HTTP Basic with an API token (`{email}/token:{api_token}`). Each run reads the incremental
ticket export from the saved cursor (`/api/v2/incremental/tickets/cursor`, following `after_cursor`
until `end_of_stream`; the first run starts at the month's first day) and, for each complaint among
the changed tickets (a configured tag), its metrics (`/api/v2/tickets/{id}/metrics`; the docs give
the object both bare and in a one-element array). A complaint is one record of its ticket, on the
business day it was created, owned by its assignee: 1/1 once solved within 24 calendar hours
(`full_resolution_time_in_minutes.calendar` ≤ 1440), else 0/1 — an open complaint counts as not yet
closed, and the export brings it back when it is solved. A deleted ticket counts for nothing (0/0).
Zendesk's 429 carries Retry-After, which the session honours.

Where the company chose so, each ticket's satisfaction rating (good/bad) is a customer rating of its
assignee's 服务态度 (the item customers rate): good 5, bad 1, keyed by Zendesk's rating id.
"""

import base64
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.connectors.base import CustomerRating, Fetched, Field, Record, Window
from app.connectors.http import Sleep, VendorError, VendorHttp

Ticket = dict[str, Any]
SOURCE = "zendesk"
INDICATOR = "cs_complaint_closed_24h"
FIELDS = (
    Field("subdomain", "Zendesk 子域名（xxx.zendesk.com 的 xxx）"),
    Field("email", "管理员邮箱"),
    Field("api_token", "API 令牌", secret=True),
    Field("complaint_tags", "投诉工单的标签（逗号分隔）", default="complaint,投诉"),
    Field("customer_ratings", "客户好评/差评计入「服务态度」（是/否）", default="是"),
)
SCORES = {"good": Decimal(5), "bad": Decimal(1)}  # Zendesk's two answers on the 1–5 rating scale
WITHIN_MINUTES = 24 * 60
MAX_PAGES = 500  # a run reads at most this many export pages; the cursor resumes the rest
SOLVED = ("solved", "closed")


class Zendesk:
    def __init__(self, credentials: dict[str, str], config: dict[str, Any], sleep: Sleep):
        self.base = config["ZENDESK_URL"].format(subdomain=credentials["subdomain"]).rstrip("/")
        basic = base64.b64encode(f"{credentials['email']}/token:{credentials['api_token']}".encode()).decode()
        self.http = VendorHttp("Zendesk", sleep=sleep, auth=lambda: {"Authorization": f"Basic {basic}"})
        self.tags = {tag.strip() for tag in credentials["complaint_tags"].split(",") if tag.strip()}
        self.rated = credentials.get("customer_ratings", "是").strip() in ("是", "yes", "1", "true")

    def check(self) -> None:
        body = self.http.json("GET", f"{self.base}/api/v2/users/me.json")
        if not isinstance(body, dict) or not isinstance(body.get("user"), dict) or not body["user"].get("id"):
            raise VendorError("Zendesk 没有认出这个账号：请检查邮箱和 API 令牌")

    def fetch(self, checkpoint: dict[str, Any], window: Window) -> Fetched:
        tickets, cursor = self._changed_tickets(checkpoint, window)
        records = [self._complaint(ticket, window) for ticket in tickets.values()
                   if self.tags & set(ticket.get("tags") or ())]
        ratings = [rating for ticket in tickets.values() if (rating := _rating(ticket, window))] if self.rated else []
        return Fetched(records, {"cursor": cursor}, None, requests=self.http.calls, ratings=ratings)

    def _changed_tickets(self, checkpoint: dict[str, Any], window: Window) -> tuple[dict[int, Ticket], str]:
        """Tickets changed since the cursor (the latest version of each), and the cursor to resume at."""
        url = f"{self.base}/api/v2/incremental/tickets/cursor"
        if checkpoint.get("cursor"):
            params: dict[str, Any] = {"cursor": checkpoint["cursor"]}
        else:
            first = datetime.combine(window.today.replace(day=1), datetime.min.time(), window.zone)
            params = {"start_time": int(first.astimezone(UTC).timestamp())}
        tickets: dict[int, Ticket] = {}
        cursor = str(checkpoint.get("cursor") or "")
        for _ in range(MAX_PAGES):
            page = self.http.json("GET", url, params=params)
            if not isinstance(page, dict) or not isinstance(page.get("tickets"), list):
                raise VendorError("Zendesk 工单导出的格式不对：缺少 tickets")
            for ticket in page["tickets"]:
                tickets[_int(ticket, "id")] = ticket
            cursor = page.get("after_cursor") or cursor
            if page.get("end_of_stream") or not page.get("after_cursor"):
                break
            params = {"cursor": page["after_cursor"]}
        return tickets, cursor

    def _complaint(self, ticket: Ticket, window: Window) -> Record:
        ticket_id = _int(ticket, "id")
        day = window.local_day(_text(ticket, "created_at"))
        assignee = ticket.get("assignee_id")
        owner = str(assignee) if assignee is not None else "unassigned"
        ref = f"ticket/{ticket_id}"
        if ticket.get("status") == "deleted":
            return Record(owner, INDICATOR, day, Decimal(0), Decimal(0), ref)
        closed = ticket.get("status") in SOLVED and self._resolved_within(ticket_id)
        return Record(owner, INDICATOR, day, Decimal(int(closed)), Decimal(1), ref)

    def _resolved_within(self, ticket_id: int) -> bool:
        body = self.http.json("GET", f"{self.base}/api/v2/tickets/{ticket_id}/metrics")
        metric = body.get("ticket_metric") if isinstance(body, dict) else None
        if isinstance(metric, list):  # the current docs' example wraps the object in an array
            metric = metric[0] if len(metric) == 1 else None
        if not isinstance(metric, dict):
            raise VendorError(f"Zendesk 工单 {ticket_id} 的指标格式不对")
        minutes = metric.get("full_resolution_time_in_minutes")
        calendar = minutes.get("calendar") if isinstance(minutes, dict) else None
        return isinstance(calendar, int) and calendar <= WITHIN_MINUTES


def _rating(ticket: Ticket, window: Window) -> CustomerRating | None:
    """The customer's good/bad on a ticket (the export carries `satisfaction_rating`), given to its
    assignee on the business day the ticket last changed; offered or unoffered is no rating."""
    rating = ticket.get("satisfaction_rating")
    if not isinstance(rating, dict) or rating.get("score") not in SCORES or ticket.get("assignee_id") is None:
        return None
    ref = f"zendesk:{rating.get('id') or 'ticket-' + str(_int(ticket, 'id'))}"
    return CustomerRating(str(ticket["assignee_id"]), window.local_day(_text(ticket, "updated_at")),
                          SCORES[rating["score"]], ref)


def _int(item: Ticket, key: str) -> int:
    value = item.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise VendorError(f"Zendesk 数据缺少整数字段 {key}")
    return value


def _text(item: Ticket, key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise VendorError(f"Zendesk 数据缺少字段 {key}")
    return value
