"""wechatpy clients that share one access token per account across every process, via Redis.

Why not wechatpy as shipped (docs/wechat.md §3/§4):
- `fetch_access_token` hard-codes the real hosts, and `GET /cgi-bin/token` invalidates the token the
  other processes hold. Mini-program and official account use `POST /cgi-bin/stable_token` instead,
  which hands every caller the same token; WeCom's `gettoken` already behaves that way.
- wechatpy trusts an in-process `expires_at`; here Redis is the only truth: the token is stored with
  a TTL a little shorter than WeChat's, and a Redis lock makes one process fetch while others wait.
"""

import hashlib
import json
import logging

import requests
import wechatpy
import wechatpy.enterprise
from redis.exceptions import LockError
from requests.adapters import HTTPAdapter
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.session.redisstorage import RedisStorage

from app.wechat.errors import TOKEN_ERRCODES, BadCredentials, Unavailable, from_errcode, safe_url
from app.wechat.settings import REAL_WECHAT_API, REAL_WECOM_API, Account

logger = logging.getLogger(__name__)

SESSION_PREFIX = "jixiao:wechat"
LOCK_PREFIX = "jixiao:wechat:lock:"
EXPIRY_MARGIN_SECONDS = 300  # refresh before WeChat expires the token, not after
LOCK_SECONDS = 15  # longer than one token request (timeout) can take
HTTP_TIMEOUT_SECONDS = 10


class RealHostGuard(HTTPAdapter):
    """Mounted on a real WeChat host when the configured base is elsewhere (stand-in, proxy).

    wechatpy hard-codes some absolute URLs; this turns any that slip through into a loud error
    instead of a test or `make run` quietly calling the real WeChat.
    """

    def __init__(self, configured_base: str):
        super().__init__()
        self.configured_base = configured_base

    def send(self, request, **kwargs):
        raise RuntimeError(f"refusing {safe_url(request.url)}: WeChat base is configured as {self.configured_base}")


class SharedTokenMixin:
    """Access-token handling shared by our mini-program/OA and WeCom clients."""

    REAL_BASE = ""

    def setup_shared(self, base: str, redis) -> None:
        """Point every API group at `base` and keep the Redis client for the fetch lock."""
        self._redis = redis
        self.api_base = base
        self.API_BASE_URL = f"{base}/cgi-bin/"
        # The instance dict, not inspect.getmembers: that would read `access_token` and fetch one.
        for api in [value for value in vars(self).values() if isinstance(value, BaseWeChatAPI)]:
            own = getattr(type(api), "API_BASE_URL", "")
            if own.startswith(self.REAL_BASE):
                api.API_BASE_URL = base + own[len(self.REAL_BASE):]
        if base != self.REAL_BASE:
            self._http.mount(self.REAL_BASE, RealHostGuard(base))

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key)
        return token or self.refresh_access_token(stale=None)

    def refresh_access_token(self, stale: str | None) -> str:
        """Get a fresh token unless another process already replaced `stale`; one fetch at a time."""
        name = LOCK_PREFIX + self.access_token_key
        lock = self._redis.lock(name, timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)
        if not lock.acquire():
            raise Unavailable(None, "timed out waiting for another process to fetch the access token")
        try:
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return current
            return self.fetch_access_token()["access_token"]
        finally:
            _release(lock)

    def _store_token(self, response: requests.Response) -> dict:
        """Check a token response and keep it in Redis, expiring before WeChat expires it."""
        result = _json_or_raise(response)
        expires_in = int(result.get("expires_in", 7200))
        ttl = expires_in - EXPIRY_MARGIN_SECONDS if expires_in > 2 * EXPIRY_MARGIN_SECONDS else max(expires_in // 2, 1)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        logger.info("fetched a WeChat access token for %s (kept %ss)", self.access_token_key, ttl)
        return result


class WeChatApiClient(SharedTokenMixin, wechatpy.WeChatClient):
    """Mini-program and official account: `stable_token`, so processes never invalidate each other."""

    REAL_BASE = REAL_WECHAT_API

    def fetch_access_token(self) -> dict:
        body = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret, "force_refresh": False}
        response = self._http.post(f"{self.api_base}/cgi-bin/stable_token", data=json.dumps(body), timeout=self.timeout)
        return self._store_token(response)


class WeComApiClient(SharedTokenMixin, wechatpy.enterprise.WeChatClient):
    """WeCom self-built app: `gettoken` on the configured WeCom host."""

    REAL_BASE = REAL_WECOM_API

    @property
    def access_token_key(self) -> str:
        """wechatpy puts the secret's first 10 characters in the key; a digest tells apps apart as well."""
        return f"{self.corp_id}_{hashlib.sha256(self.secret.encode()).hexdigest()[:12]}_access_token"

    def fetch_access_token(self) -> dict:
        params = {"corpid": self.corp_id, "corpsecret": self.secret}
        response = self._http.get(f"{self.api_base}/cgi-bin/gettoken", params=params, timeout=self.timeout)
        return self._store_token(response)


def make_api_client(account: Account, base: str, redis):
    """A wechatpy client for one account with our token handling; wechatpy never retries on its own."""
    session = RedisStorage(redis, prefix=SESSION_PREFIX)
    cls = WeComApiClient if account.channel == "wecom" else WeChatApiClient
    client = cls(account.appid, account.secret, session=session, timeout=HTTP_TIMEOUT_SECONDS, auto_retry=False)
    client.setup_shared(base, redis)
    return client


def _release(lock) -> None:
    """A fetch slower than the lock's timeout lost the lock; the token it stored is still good."""
    try:
        lock.release()
    except LockError:
        logger.warning("access-token lock expired before the fetch finished")


def _json_or_raise(response: requests.Response) -> dict:
    if response.status_code >= 400:
        raise Unavailable(None, f"HTTP {response.status_code} from {safe_url(response.url)}")
    try:
        result = response.json()
    except ValueError as exc:
        raise Unavailable(None, f"not JSON from {safe_url(response.url)}") from exc
    errcode = int(result.get("errcode") or 0)
    if errcode in TOKEN_ERRCODES:
        # At the token endpoint 40001 means a wrong secret, not a stale token: no retry helps.
        raise BadCredentials(errcode, result.get("errmsg", ""))
    if errcode or "access_token" not in result:
        raise from_errcode(errcode or None, result.get("errmsg", ""))
    return result
