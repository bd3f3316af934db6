"""Amazon Selling Partner API: each operator's sales (ops_sales) and their new products' conversion
(ops_new_conversion, units ordered over sessions), one Sales and Traffic report per day by SKU.

Per day, a `GET_SALES_AND_TRAFFIC_REPORT` (dateGranularity DAY, asinGranularity SKU, the day as both
start and end) is created, polled until DONE (IN_QUEUE and IN_PROGRESS wait; CANCELLED means Amazon
had no data for the day; FATAL fails the run) and its document downloaded, gunzipped when
`compressionAlgorithm` is GZIP. Its `salesAndTrafficByAsin` rows give, per SKU, the sales
(`orderedProductSales`), units (`unitsOrdered`) and sessions; conversion is kept as the ratio of
those sums, not Amazon's rounded `unitSessionPercentage`. Whether an SKU is new on a day (listed
within `new_product_days`) comes from the listings report's `open-date`, never from a guess.

A run covers the days from two before the last day synced (Amazon settles a day's sales over about
two days) to yesterday; the first one starts at the month's first day. Records are keyed by
marketplace, day and SKU. SP-API sends no Retry-After: its 429s are backed off exponentially.
"""

import csv
import gzip
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from app.connectors.base import Fetched, Field, Record, Window, created_report_id, finished_report
from app.connectors.http import Sleep, VendorError, VendorHttp
from app.connectors.lwa import AccessToken

SOURCE, VENDOR = "amazon_sp_api", "Amazon SP-API"
SALES, CONVERSION = "ops_sales", "ops_new_conversion"
FIELDS = (
    Field("client_id", "LWA 应用 Client ID"),
    Field("client_secret", "LWA 应用 Client Secret", secret=True),
    Field("refresh_token", "卖家授权 Refresh Token", secret=True),
    Field("marketplace_id", "站点 Marketplace ID", default="ATVPDKIKX0DER"),
    Field("new_product_days", "新品天数（上架后多少天内算新品）", default="90"),
)
REPORTS = "/reports/2021-06-30"
SALES_REPORT, LISTINGS_REPORT = "GET_SALES_AND_TRAFFIC_REPORT", "GET_MERCHANT_LISTINGS_ALL_DATA"
SETTLING_DAYS = 2
LONGEST_RUN_DAYS = 31
WAITING = ("IN_QUEUE", "IN_PROGRESS")


class SellingPartner:
    def __init__(self, credentials: dict[str, str], config: dict[str, Any], sleep: Sleep):
        self.base = config["SP_API_URL"].rstrip("/")
        self.marketplace = credentials["marketplace_id"]
        try:
            self.new_days = int(credentials["new_product_days"])
        except ValueError:
            raise VendorError("新品天数必须是整数") from None
        self.token = AccessToken(config["AMAZON_LWA_URL"], credentials, sleep)
        self.sleep = sleep
        self.http = VendorHttp(VENDOR, sleep=sleep, refresh=self.token.drop,
                               auth=lambda: {"x-amz-access-token": self.token(),
                                             "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")})
        self.download = VendorHttp("Amazon SP-API 报告文件", sleep=sleep)  # a pre-signed URL: no token

    def check(self) -> None:
        self.token.exchange()
        self.http.json("GET", f"{self.base}{REPORTS}/reports", params={
            "reportTypes": SALES_REPORT, "marketplaceIds": self.marketplace, "pageSize": 1})

    def fetch(self, checkpoint: dict[str, Any], window: Window) -> Fetched:
        yesterday = window.today - timedelta(days=1)
        days = _days(checkpoint.get("last_day"), yesterday)
        opened = self._open_dates() if days else {}
        records: list[Record] = []
        for day in days:
            document = self._report(SALES_REPORT, day, day, {"dateGranularity": "DAY", "asinGranularity": "SKU"})
            if document is not None:
                records += self._day_records(_json_of(document), day, opened)
        return Fetched(records, {"last_day": yesterday.isoformat()}, yesterday,
                       requests=self.http.calls + self.download.calls + self.token.http.calls)

    def _open_dates(self) -> dict[str, date]:
        """Each SKU's listing date, from the listings report (a tab-separated flat file)."""
        document = self._report(LISTINGS_REPORT, None, None, {})
        return _open_dates_of(document.decode("utf-8-sig") if document else "")

    def _report(self, report_type: str, start: date | None, end: date | None, options: dict[str, str]) -> bytes | None:
        """Create a report, wait for it and download its document; None when Amazon cancelled it
        (no data for the period)."""
        body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": [self.marketplace]}
        if start is not None and end is not None:
            body |= {"dataStartTime": start.isoformat(), "dataEndTime": end.isoformat()}
        if options:
            body["reportOptions"] = options
        report_id = created_report_id(self.http.json("POST", f"{self.base}{REPORTS}/reports", json=body), VENDOR)
        report = finished_report(self.http, f"{self.base}{REPORTS}/reports/{report_id}", "processingStatus",
                                 WAITING, self.sleep, VENDOR)
        status = report.get("processingStatus")
        if status == "CANCELLED":
            return None
        if status == "FATAL":
            raise VendorError(f"Amazon SP-API 报告 {report_type} 生成失败（FATAL，{start or ''}）")
        if status != "DONE" or not isinstance(report.get("reportDocumentId"), str):
            raise VendorError(f"Amazon SP-API 报告状态不对：{str(status)[:40]}")
        return self._document(report["reportDocumentId"])

    def _document(self, document_id: str) -> bytes:
        meta = self.http.json("GET", f"{self.base}{REPORTS}/documents/{document_id}")
        if not isinstance(meta, dict) or not isinstance(meta.get("url"), str):
            raise VendorError("Amazon SP-API 报告文件的回应里没有 url")
        content = self.download.call("GET", meta["url"]).content
        if meta.get("compressionAlgorithm") == "GZIP":
            try:
                return gzip.decompress(content)
            except (OSError, EOFError):
                raise VendorError("Amazon SP-API 报告文件不是有效的 GZIP") from None
        return content

    def _day_records(self, document: dict[str, Any], day: date, opened: dict[str, date]) -> list[Record]:
        spec = document.get("reportSpecification")
        rows = document.get("salesAndTrafficByAsin")
        if not isinstance(spec, dict) or spec.get("reportType") != SALES_REPORT or not isinstance(rows, list):
            raise VendorError("Amazon SP-API 销售与流量报告的格式不对")
        if str(spec.get("dataStartTime", ""))[:10] != day.isoformat():
            raise VendorError(f"Amazon SP-API 报告的日期不是 {day}")
        records = []
        for row in rows:
            sku, sales, units, sessions, currency = _sku_figures(row)
            ref = f"{self.marketplace}/{day.isoformat()}/{sku}"
            records.append(Record(sku, SALES, day, sales, None, f"{ref}/sales", currency))
            listed = opened.get(sku)
            if listed is not None and 0 <= (day - listed).days < self.new_days:
                records.append(Record(sku, CONVERSION, day, units, sessions, f"{ref}/conversion"))
        return records


def _days(last_day: str | None, yesterday: date) -> list[date]:
    """The days a run asks for: from SETTLING_DAYS before the last one synced (or the month's first
    day on a first run) to yesterday, at most LONGEST_RUN_DAYS."""
    start = (date.fromisoformat(last_day) - timedelta(days=SETTLING_DAYS) if last_day
             else min(yesterday, yesterday.replace(day=1)))
    start = max(start, yesterday - timedelta(days=LONGEST_RUN_DAYS - 1))
    return [start + timedelta(days=n) for n in range((yesterday - start).days + 1)]


def _json_of(document: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(document, parse_float=Decimal)
    except ValueError:
        raise VendorError("Amazon SP-API 报告文件不是 JSON") from None
    if not isinstance(parsed, dict):
        raise VendorError("Amazon SP-API 报告文件的格式不对")
    return parsed


def _sku_figures(row: Any) -> tuple[str, Decimal, Decimal, Decimal, str]:
    """(sku, sales, units, sessions, currency) of one salesAndTrafficByAsin row."""
    try:
        sales = row["salesByAsin"]["orderedProductSales"]
        return (str(row["sku"]), _exact(sales["amount"]), _exact(row["salesByAsin"]["unitsOrdered"]),
                _exact(row["trafficByAsin"]["sessions"]), str(sales["currencyCode"]))
    except (KeyError, TypeError):
        raise VendorError("Amazon SP-API 报告的 SKU 行缺少字段") from None


def _exact(value: Any) -> Decimal:
    """A JSON number as the exact decimal it was written as (documents are parsed with Decimal floats)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise VendorError("Amazon SP-API 报告里的数字格式不对")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise VendorError("Amazon SP-API 报告里的数字格式不对") from None


def _open_dates_of(flat_file: str) -> dict[str, date]:
    """`seller-sku` → the date part of `open-date` ("2021-03-15 08:12:34 PDT") of the listings report."""
    reader = csv.DictReader(io.StringIO(flat_file), delimiter="\t")
    if flat_file and not {"seller-sku", "open-date"} <= set(reader.fieldnames or ()):
        raise VendorError("Amazon SP-API 商品报告缺少 seller-sku 或 open-date 列")
    found = {}
    for row in reader:
        try:
            found[row["seller-sku"]] = date.fromisoformat((row["open-date"] or "")[:10])
        except ValueError:
            continue  # a listing without a readable open date is not new
    return found
