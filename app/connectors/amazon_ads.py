"""Amazon Ads (Sponsored Products, reporting v3): each operator's ad ROI (ops_ad_roi), attributed
sales over spend per SKU and day — a ratio of sums, never an average of per-row ratios — and each
designer's main-image click-through (design_main_image_ctr: clicks / impressions of the SKUs mapped to
them under `amazon_design`).

One `spAdvertisedProduct` report (DAILY, grouped by advertiser, so spend and sales are per advertised
SKU and map to its operator) covers the last ATTRIBUTION_DAYS days to yesterday: Amazon keeps
attributing sales to a day's clicks for 7–14 days, so each run restates those days (a restated day
of a published month goes to HR). Created with the v3 content type, polled until COMPLETED (FAILED
fails the run), and its gzip JSON rows downloaded from the pre-signed `url`. Every call carries the
LWA token, the client id and the profile as `Amazon-Advertising-API-Scope`; a 429 carries
Retry-After, which the session honours.
"""

import gzip
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.connectors.base import Fetched, Field, Record, Window, created_report_id, finished_report
from app.connectors.http import Sleep, VendorError, VendorHttp
from app.connectors.lwa import AccessToken

SOURCE, VENDOR = "amazon_ads", "Amazon Ads"
ROI, CTR = "ops_ad_roi", "design_main_image_ctr"
DESIGNS = "amazon_design"  # an SKU's designer, whose main image earns the clicks
FIELDS = (
    Field("client_id", "LWA 应用 Client ID"),
    Field("client_secret", "LWA 应用 Client Secret", secret=True),
    Field("refresh_token", "广告授权 Refresh Token", secret=True),
    Field("profile_id", "广告 Profile ID"),
    Field("currency", "广告账户币种", default="USD"),
    Field("sales_column", "归因窗口（销售额列）", default="sales7d"),
)
CREATE_TYPE = "application/vnd.createasyncreportrequest.v3+json"
ATTRIBUTION_DAYS = 14
SALES_COLUMNS = ("sales1d", "sales7d", "sales14d", "sales30d")


class AmazonAds:
    def __init__(self, credentials: dict[str, str], config: dict[str, Any], sleep: Sleep):
        self.base = config["AMAZON_ADS_URL"].rstrip("/")
        self.profile, self.currency = credentials["profile_id"], credentials["currency"].upper()
        self.sales_column = credentials["sales_column"]
        if self.sales_column not in SALES_COLUMNS:
            raise VendorError(f"归因窗口必须是 {'、'.join(SALES_COLUMNS)} 之一")
        self.token = AccessToken(config["AMAZON_LWA_URL"], credentials, sleep)
        self.sleep = sleep
        client_id = credentials["client_id"]
        self.http = VendorHttp(VENDOR, sleep=sleep, refresh=self.token.drop, auth=lambda: {
            "Authorization": f"Bearer {self.token()}", "Amazon-Advertising-API-ClientId": client_id,
            "Amazon-Advertising-API-Scope": self.profile})
        self.download = VendorHttp("Amazon Ads 报告文件", sleep=sleep)

    def check(self) -> None:
        self.token.exchange()
        profiles = self.http.json("GET", f"{self.base}/v2/profiles")
        if not isinstance(profiles, list) or self.profile not in {str(p.get("profileId")) for p in profiles
                                                                  if isinstance(p, dict)}:
            raise VendorError(f"Amazon Ads 账号下没有 Profile {self.profile}")

    def fetch(self, checkpoint: dict[str, Any], window: Window) -> Fetched:
        end = window.today - timedelta(days=1)
        start = end - timedelta(days=ATTRIBUTION_DAYS - 1)
        sums: dict[tuple[date, str], tuple[Decimal, ...]] = {}
        for day, sku, *figures in map(self._figures, self._report(start.isoformat(), end.isoformat())):
            before = sums.get((day, sku), (Decimal(0),) * 4)
            sums[(day, sku)] = tuple(a + b for a, b in zip(before, figures, strict=True))  # several campaigns
        records = []
        for (day, sku), (sales, cost, clicks, impressions) in sorted(sums.items()):
            ref = f"{self.profile}/{day.isoformat()}/{sku}"
            records.append(Record(sku, ROI, day, sales, cost, f"{ref}/roi", self.currency))
            if impressions:  # the main image's click-through, for the SKU's designer
                records.append(Record(sku, CTR, day, clicks, impressions, f"{ref}/ctr", identity=DESIGNS))
        return Fetched(records, {"last_day": end.isoformat()}, end,
                       requests=self.http.calls + self.download.calls + self.token.http.calls)

    def _report(self, start: str, end: str) -> list[Any]:
        body = {"name": f"Jixiao SP advertised product {start}~{end}", "startDate": start, "endDate": end,
                "configuration": {"adProduct": "SPONSORED_PRODUCTS", "groupBy": ["advertiser"],
                                  "columns": ["date", "advertisedSku", "advertisedAsin", "impressions", "clicks",
                                              "cost", self.sales_column],
                                  "reportTypeId": "spAdvertisedProduct", "timeUnit": "DAILY", "format": "GZIP_JSON"}}
        report_id = created_report_id(self.http.json("POST", f"{self.base}/reporting/reports", data=json.dumps(body),
                                                     headers={"Content-Type": CREATE_TYPE}), VENDOR)
        report = finished_report(self.http, f"{self.base}/reporting/reports/{report_id}", "status",
                                 ("PENDING", "PROCESSING"), self.sleep, VENDOR)
        if report.get("status") == "COMPLETED" and isinstance(report.get("url"), str):
            return self._rows(report["url"])
        raise VendorError(f"Amazon Ads 报告生成失败（{str(report.get('status'))[:20]}："
                          f"{str(report.get('failureReason') or '')[:80]}）")

    def _rows(self, url: str) -> list[Any]:
        try:
            rows = json.loads(gzip.decompress(self.download.call("GET", url).content), parse_float=Decimal)
        except (OSError, EOFError, ValueError):
            raise VendorError("Amazon Ads 报告文件不是有效的 GZIP JSON") from None
        if not isinstance(rows, list):
            raise VendorError("Amazon Ads 报告文件的格式不对")
        return rows

    def _figures(self, row: Any) -> tuple[date, str, Decimal, Decimal, Decimal, Decimal]:
        """(day, sku, attributed sales, spend, clicks, impressions) of one report row."""
        try:
            sku, day = str(row["advertisedSku"]), str(row["date"])
            numbers = (row[self.sales_column], row["cost"], row.get("clicks", 0), row.get("impressions", 0))
        except (KeyError, TypeError, AttributeError):
            raise VendorError("Amazon Ads 报告行缺少字段") from None
        if not all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in numbers):
            raise VendorError("Amazon Ads 报告里的数字格式不对")
        try:
            when = date.fromisoformat(day)
        except ValueError:
            raise VendorError(f"Amazon Ads 报告里的日期格式不对：{day[:20]}") from None
        sales, cost, clicks, impressions = (Decimal(v) for v in numbers)
        return when, sku, sales, cost, clicks, impressions
