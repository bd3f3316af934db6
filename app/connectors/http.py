"""Calling a vendor's API: one `requests.Session` with timeouts, and retries with back-off on 429, 5xx
and dropped connections, through an injectable sleep (tests count the waits instead of waiting).

Zendesk and Amazon Ads send `Retry-After` with a 429: we wait at least that long. SP-API sends none
(its usage plans are token buckets): we back off exponentially, 1, 2, 4 … seconds with jitter, up to
a minute. A wait the vendor asks for beyond `LONGEST_WAIT` fails the run instead: the next scheduled
sync picks it up. An expired access token (401/403) is refreshed once per call.
"""

import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests

Sleep = Callable[[float], None]
ATTEMPTS = 6
FIRST_WAIT, LONGEST_BACKOFF = 1.0, 60.0
LONGEST_WAIT = 300.0  # seconds; a worker does not sit out a longer Retry-After
TIMEOUT = (5, 60)  # connect, read (a report document can be large)
USER_AGENT = "Jixiao/1.0 (Language=Python)"


class VendorError(RuntimeError):
    """A vendor call or payload that failed for good. The message is what the run records and the
    admin reads: the vendor, the path and the status, never a query string, header or secret."""


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """The wait before retry `attempt` (0-based) without a Retry-After: exponential with jitter, in
    [FIRST_WAIT·2^attempt / 2, FIRST_WAIT·2^attempt], at most LONGEST_BACKOFF."""
    ceiling = min(LONGEST_BACKOFF, FIRST_WAIT * 2 ** attempt)
    return (rng or random).uniform(ceiling / 2, ceiling)


def retry_after(response: requests.Response) -> float | None:
    """The vendor's Retry-After in seconds (only the delta-seconds form is sent by these vendors)."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


class VendorHttp:
    """One vendor's session. `auth()` gives the headers of the current access token and
    `refresh()` replaces an expired one; both are optional (Zendesk's API token does not expire)."""

    def __init__(self, vendor: str, *, sleep: Sleep = time.sleep, auth: Callable[[], dict[str, str]] | None = None,
                 refresh: Callable[[], None] | None = None):
        self.vendor, self.sleep, self.auth, self.refresh = vendor, sleep, auth, refresh
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.calls = 0  # requests sent, retries included (the run records it)

    def call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """The response of a successful call; VendorError when the vendor refuses it or keeps
        failing after ATTEMPTS tries."""
        headers = kwargs.pop("headers", {})
        refreshed, last = False, ""
        for attempt in range(ATTEMPTS):
            self.calls += 1
            try:
                response = self.session.request(method, url, timeout=TIMEOUT,
                                                headers={**headers, **(self.auth() if self.auth else {})}, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = type(exc).__name__
                self._wait(backoff(attempt), url)
                continue
            status = response.status_code
            if status in (401, 403) and self.refresh is not None and not refreshed:
                refreshed = True
                self.refresh()
                continue
            if status == 429 or status >= 500:
                last = str(status)
                self._wait(retry_after(response) or backoff(attempt), url)
                continue
            if status >= 400:
                raise VendorError(f"{self._where(method, url)} 返回 {status}{_vendor_code(response)}")
            return response
        raise VendorError(f"{self._where(method, url)} 重试{ATTEMPTS}次仍失败（最后一次：{last}）")

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.call(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise VendorError(f"{self._where(method, url)} 返回的不是JSON") from None

    def _wait(self, seconds: float, url: str) -> None:
        if seconds > LONGEST_WAIT:
            raise VendorError(f"{self.vendor} 要求等待{seconds:.0f}秒后再请求 {urlsplit(url).path}，留待下次同步")
        self.sleep(seconds)

    def _where(self, method: str, url: str) -> str:
        return f"{self.vendor} {method} {urlsplit(url).path}"


def _vendor_code(response: requests.Response) -> str:
    """The vendor's own error code, when its body has one (SP-API `errors[].code`, Zendesk `error`)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("code"):
            return f"（{str(errors[0]['code'])[:60]}）"
        if isinstance(body.get("error"), str):
            return f"（{body['error'][:60]}）"
        if isinstance(body.get("code"), str):
            return f"（{body['code'][:60]}）"
    return ""
