"""The WeChat stand-in's memory: accounts, tokens, quotas, reply windows, scripted errors, records.

It plays WeChat, so its rules are written from WeChat's documentation (docs/wechat.md), independently of
our client code: when both agree, the tests mean something.
"""

import re
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from app.wechat.settings import Account

TOKEN_SECONDS = 7200
STABLE_REUSE_MIN_SECONDS = 300  # stable_token hands out the same token until it is nearly spent
REPLY_WINDOW_SECONDS = 48 * 3600
REPLIES_PER_WINDOW = 5
DEV_OPENID = "odev_{}"  # the mini-program openid a `dev:<name>` code signs in as (lenient, make run only)

DEV_ACCOUNTS = {
    "mp": Account(
        "mp", "wxjixiaodevmp0001", "dev-mp-secret", "devmptoken", "5m994CLknaJ1Ox9AoTDL0cm60gY+7xEBwG69psvRyQM"
    ),
    "wecom": Account(
        "wecom",
        "wwjixiaodevcorp01",
        "dev-wecom-secret",
        "devwecomtoken",
        "pSl7kZblagKYpiBehXPB1oLSkjdQFy8vBXL123VnlpY",
        agent_id="1000002",
    ),
    "oa": Account(
        "oa", "wxjixiaodevoa0001", "dev-oa-secret", "devoatoken", "ebvZvHIKP+VRjleucX7+TIyllYE15cY3zKn7jm1InMw"
    ),
}


def dev_environment(base_url: str) -> dict:
    """The product's WeChat settings for talking to a stand-in at `base_url` (tests, `make run`)."""
    mp, wecom, oa = DEV_ACCOUNTS["mp"], DEV_ACCOUNTS["wecom"], DEV_ACCOUNTS["oa"]
    return {
        "WECHAT_API_BASE": base_url,
        "WECOM_API_BASE": base_url,
        "WECHAT_MP_APPID": mp.appid,
        "WECHAT_MP_SECRET": mp.secret,
        "WECHAT_MP_TOKEN": mp.token,
        "WECHAT_MP_AES_KEY": mp.aes_key,
        "WECOM_CORP_ID": wecom.appid,
        "WECOM_AGENT_ID": wecom.agent_id,
        "WECOM_SECRET": wecom.secret,
        "WECOM_TOKEN": wecom.token,
        "WECOM_AES_KEY": wecom.aes_key,
        "WECHAT_OA_APPID": oa.appid,
        "WECHAT_OA_SECRET": oa.secret,
        "WECHAT_OA_TOKEN": oa.token,
        "WECHAT_OA_AES_KEY": oa.aes_key,
    }


ERRMSG = {
    40001: "invalid credential, access_token is invalid or not latest",
    40013: "invalid appid",
    40029: "invalid code",
    40056: "invalid agentid",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
    47003: "argument invalid!",
    60020: "not allow to access from your ip",
    60111: "userid not found",
    81013: "user & party & tag all invalid",
}


class StandinError(Exception):
    """An answer WeChat gives as `{errcode, errmsg}` with HTTP 200."""

    def __init__(self, errcode: int, detail: str = "", http_status: int | None = None):
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = ERRMSG.get(errcode, "error") + (f" {detail}" if detail else "")
        self.http_status = http_status  # an HTTP failure (502, 503 …) instead of WeChat's JSON


@dataclass
class Token:
    value: str
    appid: str
    channel: str
    expires_at: float
    revoked: bool = False


@dataclass
class Switches:
    """What a test (or `make run`) turns on; the defaults are WeChat's strict behaviour."""

    wecom_untrusted_ip: bool = False
    dev_codes: bool = False  # `dev:<name>` codes log in as `odev_<name>` (make run only)
    unlimited_quota: bool = False
    any_wecom_user: bool = False
    rate_limits: dict = field(default_factory=dict)  # path -> calls allowed per minute
    # media_url or "sha256:<hex of the fetched image>" -> "pass" | "risky" | "review"
    media_verdicts: dict = field(default_factory=dict)
    callback_urls: dict = field(default_factory=dict)  # channel -> our callback URL


class StandinState:
    """Everything the stand-in knows, behind one lock (the server is threaded)."""

    def __init__(self, accounts: dict | None = None, switches: Switches | None = None):
        self.accounts = dict(accounts or DEV_ACCOUNTS)
        self.initial_switches = switches or Switches()
        self.lock = threading.RLock()
        self.push_ready = threading.Event()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.switches = Switches(**{k: _copy(v) for k, v in vars(self.initial_switches).items()})
            self.offset = 0.0
            self.tokens: dict[str, Token] = {}
            self.current: dict[tuple, str] = {}  # (kind, appid) -> token value
            self.grants = defaultdict(int)  # (openid, template_id) -> sends left
            self.codes: dict[str, dict] = {}
            self.users: dict[str, dict] = {}
            self.interactions: dict[str, list] = {}  # openid -> [opened_at, replies sent]
            self.scripts = defaultdict(deque)
            self.calls = defaultdict(deque)  # path -> call times, for rate limits
            self.requests: list[dict] = []
            self.pending_pushes: list[dict] = []
            self.deliveries: list[dict] = []

    def now(self) -> float:
        return time.time() + self.offset

    def account_by_appid(self, appid: str, channels=("mp", "oa")) -> Account | None:
        return next((self.accounts[c] for c in channels if self.accounts[c].appid == appid), None)

    # --- tokens -------------------------------------------------------------------------------
    def issue_token(self, account: Account, kind: str, reuse: bool) -> Token:
        """`token` always issues and supersedes; `stable` and `work` reuse a live token."""
        key = (kind, account.appid)
        existing = self.tokens.get(self.current.get(key, ""))
        if reuse and existing and not existing.revoked and existing.expires_at - self.now() > STABLE_REUSE_MIN_SECONDS:
            return existing
        if existing:
            existing.revoked = True
        token = Token(f"{kind}-{secrets.token_hex(12)}", account.appid, account.channel, self.now() + TOKEN_SECONDS)
        self.tokens[token.value] = token
        self.current[key] = token.value
        return token

    def check_token(self, value: str | None, channels: tuple) -> Account:
        if not value:
            raise StandinError(41001)
        token = self.tokens.get(value)
        if token is None or token.revoked or token.channel not in channels:
            raise StandinError(40001)
        if token.expires_at <= self.now():
            raise StandinError(42001)
        return self.accounts[token.channel]

    def expire_tokens(self, revoke: bool) -> None:
        for token in self.tokens.values():
            if revoke:
                token.revoked = True
            else:
                token.expires_at = self.now() - 1

    # --- limits and scripts ---------------------------------------------------------------------
    def scripted(self, path: str) -> StandinError | None:
        queue = self.scripts.get(path)
        if not queue:
            return None
        errcode, errmsg, http_status = queue.popleft()
        error = StandinError(errcode, http_status=http_status)
        if errmsg:
            error.errmsg = errmsg
        return error

    def count_call(self, path: str) -> None:
        limit = self.switches.rate_limits.get(path)
        if limit is None:
            return
        calls, now = self.calls[path], self.now()
        while calls and calls[0] <= now - 60:
            calls.popleft()
        if len(calls) >= limit:
            raise StandinError(45009)
        calls.append(now)

    def take_quota(self, openid: str, template_id: str) -> None:
        if self.switches.unlimited_quota:
            return
        if self.grants[(openid, template_id)] <= 0:
            raise StandinError(43101)
        self.grants[(openid, template_id)] -= 1

    def take_reply_slot(self, openid: str) -> None:
        """Customer-service sends: only within 48 h of the user's last message, 5 per window."""
        opened = self.interactions.get(openid)
        if opened is None or self.now() - opened[0] > REPLY_WINDOW_SECONDS:
            raise StandinError(45015)
        if opened[1] >= REPLIES_PER_WINDOW:
            raise StandinError(45047)
        opened[1] += 1

    def interact(self, openid: str) -> None:
        self.interactions[openid] = [self.now(), 0]

    def login(self, code: str) -> dict:
        """jscode2session: a code works once (docs/wechat.md §8)."""
        known = self.codes.pop(code, None)
        if known is not None:
            return known
        if self.switches.dev_codes and code.startswith("dev:") and len(code) > 4:
            return {"openid": DEV_OPENID.format(code[4:]), "session_key": secrets.token_urlsafe(16)}
        raise StandinError(40029)


# --- WeChat's subscribe-field rules, from its documentation table (docs/wechat.md §8) --------------
_HAN = "\u4e00-\u9fff"
FIELD_RULES = {
    "thing": (20, r".+"),
    "number": (32, r"\d+(\.\d+)?"),
    "letter": (32, r"[A-Za-z]+"),
    "symbol": (5, r"[^\w\s]+"),
    "character_string": (32, r"[\x21-\x7e]+"),
    "phone_number": (17, r"[\d+\-() ]+"),
    "car_number": (8, rf"[{_HAN}]?[A-Za-z0-9]+[{_HAN}]?"),
    "phrase": (5, rf"[{_HAN}]+"),
    "name": (20, rf"[{_HAN}·]{{1,10}}|[A-Za-z .·'\-]+"),
    "amount": (14, r"[¥￥$€£]?\d{1,10}(\.\d+)?元?"),
    "time": (40, r"(\d{4}年\d{1,2}月\d{1,2}日 ?)?\d{1,2}:\d{2}(:\d{2})?( ?~ ?.+)?"),
    "date": (40, r"\d{4}年\d{1,2}月\d{1,2}日( ?\d{1,2}:\d{2}(:\d{2})?)?( ?~ ?.+)?"),
}


def invalid_field(data, typed_only: bool = False) -> str | None:
    """The first `data.<key>.value` WeChat would refuse (its 47003 names it), or None.

    `typed_only`: official-account templates may still use untyped keys (`keyword1`); skip those.
    """
    if not isinstance(data, dict) or not data:
        return "data"
    for key, item in data.items():
        value = item.get("value") if isinstance(item, dict) else None
        kind = re.sub(r"\d+$", "", key)
        if not isinstance(value, str) or not value:
            return f"data.{key}.value"
        if kind == "enum":
            continue
        if kind not in FIELD_RULES:
            if typed_only:
                continue
            return f"data.{key}"
        limit, pattern = FIELD_RULES[kind]
        if len(value) > limit or not re.fullmatch(pattern, value):
            return f"data.{key}.value"
    return None


def _copy(value):
    return dict(value) if isinstance(value, dict) else value
