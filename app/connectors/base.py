"""What every vendor module gives the sync: its credential fields, a check that they work, and the
source records of a run (whose by the source's own identity, not yet by employee)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from app.connectors.http import Sleep, VendorError, VendorHttp

DAILY_AT = time(5, 0)
POLL_SECONDS, POLLS = 30.0, 120  # a report is asked about every 30 s, for an hour at most


@dataclass(frozen=True)
class Field:
    """A credential or option the admin enters; `secret` ones are sealed and only ever shown masked."""

    name: str
    label: str
    secret: bool = False
    default: str = ""


@dataclass(frozen=True)
class Record:
    """One source record's figure: `external_id` (an SKU, a Zendesk agent) in the vendor's
    `identity` namespace, keyed for idempotent upserts by `external_ref`, the source's own
    record identity (marketplace/day/SKU, the ticket id)."""

    external_id: str
    indicator_code: str
    day: date
    numerator: Decimal
    denominator: Decimal | None
    external_ref: str
    currency: str | None = None
    identity: str | None = None  # another namespace than the connector's (an SKU's designer, not its operator)


@dataclass(frozen=True)
class CustomerRating:
    """A customer's 1–5 rating of the person `external_id` names, on the business day it was given;
    `ref` is the source's own rating id (the same rating again updates, never duplicates)."""

    external_id: str
    day: date
    value: Decimal
    ref: str


@dataclass
class Fetched:
    """A run's records (and customer ratings), the checkpoint to save once they are written, and the
    last day it covered."""

    records: list[Record]
    checkpoint: dict[str, Any]
    covered_through: date | None
    requests: int = 0
    ratings: list[CustomerRating] = field(default_factory=list)


@dataclass(frozen=True)
class Window:
    """When a run happens: `today` in business time, `now` naive UTC, and the business time zone a
    vendor's timestamps are read in."""

    today: date
    now: datetime
    zone: ZoneInfo

    def local_day(self, stamp: str) -> date:
        """The business day of a vendor's ISO-8601 UTC timestamp ("2009-07-20T22:55:29Z")."""
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            raise VendorError(f"时间格式不对：{stamp[:40]}") from None
        if moment.tzinfo is None:
            raise VendorError(f"时间没有时区：{stamp[:40]}")
        return moment.astimezone(self.zone).date()


class Vendor(Protocol):
    """A vendor client built from the decrypted credentials, the app config and the sleep."""

    def check(self) -> None:
        """Raise VendorError when the credentials do not work (a token exchange, a cheap call)."""

    def fetch(self, checkpoint: dict[str, Any], window: Window) -> Fetched:
        """Everything new since `checkpoint`, parsed whole before anything is written."""


class VendorFactory(Protocol):
    def __call__(self, credentials: dict[str, str], config: dict[str, Any], sleep: Sleep) -> Vendor: ...


@dataclass(frozen=True)
class Kind:
    """One API source as the sync and the admin know it."""

    source: str
    name: str  # what the admin reads
    identity: str  # the ExternalIdentity namespace its records name people in
    fields: tuple[Field, ...]
    build: VendorFactory
    every_hours: int  # the schedule: Amazon daily (24), Zendesk hourly (1)

    def slot(self, local_now: datetime) -> datetime:
        """The start of the schedule slot `local_now` falls in: the hour, or for a daily source the
        day from DAILY_AT (yesterday's figures are final by then, before the 06:00 alerts)."""
        if self.every_hours < 24:
            hour = local_now.hour - local_now.hour % self.every_hours
            return local_now.replace(hour=hour, minute=0, second=0, microsecond=0)
        start = datetime.combine(local_now.date(), DAILY_AT)
        return start if local_now >= start else start - timedelta(days=1)

    def credentials(self, entered: dict[str, str]) -> dict[str, str]:
        """The entered values, defaults filled in; a required field left empty is a ValueError."""
        values = {f.name: (entered.get(f.name) or f.default).strip() for f in self.fields}
        missing = [f.label for f in self.fields if not values[f.name]]
        if missing:
            raise ValueError("、".join(missing))
        return values


def finished_report(http: VendorHttp, url: str, status_field: str, waiting: tuple[str, ...], sleep: Sleep,
                    vendor: str) -> dict[str, Any]:
    """Poll a vendor's asynchronous report until its status is no longer one of `waiting`; the
    report as it then stands (the caller reads DONE, CANCELLED, FATAL … itself)."""
    for _ in range(POLLS):
        report = http.json("GET", url)
        if not isinstance(report, dict):
            raise VendorError(f"{vendor} 报告状态的格式不对")
        if report.get(status_field) not in waiting:
            return report
        sleep(POLL_SECONDS)
    raise VendorError(f"{vendor} 报告等待超过{POLLS * POLL_SECONDS / 60:.0f}分钟")


def created_report_id(body: Any, vendor: str) -> str:
    report_id = body.get("reportId") if isinstance(body, dict) else None
    if not isinstance(report_id, str):
        raise VendorError(f"{vendor} 创建报告的回应里没有 reportId")
    return report_id
