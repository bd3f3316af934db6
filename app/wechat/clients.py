"""What the product sends to WeChat: one small client per channel, built on wechatpy.

Every call goes through `_Channel._call`: one bounded retry when WeChat says the access token is
bad (40001/40014/42001: refresh once, resend once, then give up — wechatpy's own retry recurses
without bound, docs/wechat.md §4), and WeChat's error numbers become our exception types (errors.py).

Use `mini_program()`, `wecom()` and `official_account()` inside an app context; `build_client` is
the same without Flask (tests, scripts).
"""

import logging
from dataclasses import dataclass, field

import requests
from flask import current_app
from wechatpy.exceptions import WeChatClientException

from app.extensions import redis_store
from app.wechat import subscribe
from app.wechat.errors import TOKEN_ERRCODES, NotConfigured, Unavailable, describe_failure, from_errcode
from app.wechat.settings import Account, WeChatSettings, settings_from_config
from app.wechat.tokens import make_api_client

logger = logging.getLogger(__name__)

MEDIA_IMAGE = 2  # media_check_async: 1 audio, 2 image
SCENE_PROFILE = 1  # msgSecCheck scenes: 1 资料 2 评论 3 论坛 4 社交日志


@dataclass(frozen=True)
class LoginSession:
    """jscode2session's answer; `session_key` stays on the server (docs/wechat.md §8)."""

    openid: str
    session_key: str
    unionid: str | None = None


@dataclass(frozen=True)
class WeComSendResult:
    msgid: str | None
    invalid_users: list[str] = field(default_factory=list)


class _Channel:
    """A wechatpy client plus our retry and error translation."""

    def __init__(self, account: Account, base: str, redis):
        if not account.can_call:
            raise NotConfigured(None, f"{account.channel} has no app id / secret")
        self.account = account
        self.api = make_api_client(account, base, redis)

    def _call(self, action, *args, **kwargs):
        """Run one API call; on a token error refresh the shared token once and resend once."""
        try:
            for attempt in (1, 2):
                token = self.api.access_token
                try:
                    return action(*args, **kwargs)
                except WeChatClientException as exc:
                    if exc.errcode in TOKEN_ERRCODES and attempt == 1:
                        logger.info("%s: token refused (%s); refreshing once", self.account.channel, exc.errcode)
                        self.api.refresh_access_token(stale=token)
                        continue
                    raise _translated(exc) from exc
        except requests.RequestException as exc:
            raise Unavailable(None, describe_failure(exc)) from exc

    def _call_without_token(self, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except WeChatClientException as exc:
            raise _translated(exc) from exc
        except requests.RequestException as exc:
            raise Unavailable(None, describe_failure(exc)) from exc


def _translated(exc: WeChatClientException) -> Exception:
    """WeChat's answer as our exception; an HTTP failure wechatpy wrapped keeps only a safe description."""
    if exc.errcode is None:
        return from_errcode(None, describe_failure(exc))
    return from_errcode(exc.errcode, exc.errmsg)


class MiniProgram(_Channel):
    def code_to_session(self, code: str) -> LoginSession:
        """Exchange a `wx.login()` code; a used or unknown code raises `InvalidCode`.

        Called directly, not through `wxa.code_to_session`: that would fetch an access token the
        endpoint does not need (`access_token=None` keeps wechatpy from adding one).
        """
        params = {
            "appid": self.account.appid, "secret": self.account.secret, "js_code": code,
            "grant_type": "authorization_code", "access_token": None,
        }
        url = f"{self.api.api_base}/sns/jscode2session"
        result = self._call_without_token(self.api.get, url, params=params)
        return LoginSession(result["openid"], result["session_key"], result.get("unionid"))

    def send_subscribe(self, openid: str, template_id: str, fields: dict, page: str | None = None) -> None:
        """Send one subscribe message; fields are checked first (`FieldRuleViolation`), 43101 → `NoQuota`."""
        data = subscribe.build_data(fields)
        self._call(self.api.wxa.send_subscribe_message, openid, template_id, data, page)

    def check_media_async(
        self, media_url: str, openid: str, scene: int = SCENE_PROFILE, media_type: int = MEDIA_IMAGE
    ) -> str:
        """Start WeChat's v2 content check of an image; the verdict arrives later as a callback event.

        Returns the `trace_id` to store with the screenshot; the `wxa_media_check` event carries it.
        """
        body = {"media_url": media_url, "media_type": media_type, "version": 2, "scene": scene, "openid": openid}
        result = self._call(self.api.post, f"{self.api.api_base}/wxa/media_check_async", data=body)
        return result["trace_id"]


class WeCom(_Channel):
    @property
    def _agent_id(self):
        """WeCom documents `agentid` as an integer."""
        agent = self.account.agent_id
        return int(agent) if agent.isdigit() else agent

    def send_text(self, userids: list[str], content: str) -> WeComSendResult:
        """Send text to members; members WeCom does not know come back in `invalid_users`."""
        result = self._call(self.api.message.send_text, self._agent_id, userids, content)
        return _wecom_result(result)

    def send_markdown(self, userids: list[str], content: str) -> WeComSendResult:
        result = self._call(self.api.message.send_markdown, self._agent_id, userids, content)
        return _wecom_result(result)

    def get_user(self, userid: str) -> dict:
        """One member (`userid`, `name`, …); an unknown id raises `UserNotFound`."""
        return self._call(self.api.user.get, userid)


class OfficialAccount(_Channel):
    def send_template(
        self, openid: str, template_id: str, fields: dict, url: str | None = None, miniprogram: dict | None = None
    ) -> str | None:
        """Send a template message (typed fields are checked like subscribe fields); returns msgid."""
        data = subscribe.build_data(fields, allow_untyped=True)
        result = self._call(self.api.message.send_template, openid, template_id, data, url, miniprogram)
        return str(result.get("msgid")) if result.get("msgid") is not None else None

    def send_custom_text(self, openid: str, content: str) -> None:
        """A customer-service reply; outside the user's 48-hour window → `OutsideReplyWindow`."""
        self._call(self.api.message.send_text, openid, content)


CHANNEL_CLASSES = {"mp": MiniProgram, "wecom": WeCom, "oa": OfficialAccount}


def build_client(settings: WeChatSettings, channel: str, redis):
    """A client for `channel` without Flask: what tests and child processes use."""
    account = settings.account(channel)
    return CHANNEL_CLASSES[channel](account, settings.base_for(channel), redis)


def mini_program() -> MiniProgram:
    return _cached("mp")


def wecom() -> WeCom:
    return _cached("wecom")


def official_account() -> OfficialAccount:
    return _cached("oa")


def _cached(channel: str):
    """One client per channel per app: they keep an HTTP session; the token itself lives in Redis."""
    cache = current_app.extensions.setdefault("wechat_clients", {})
    if channel not in cache:
        settings = settings_from_config(current_app.config)
        cache[channel] = build_client(settings, channel, redis_store.client)
    return cache[channel]


def _wecom_result(result: dict) -> WeComSendResult:
    invalid = [user for user in (result.get("invaliduser") or "").split("|") if user]
    if invalid:
        logger.warning("WeCom did not deliver to %s", ", ".join(invalid))
    return WeComSendResult(str(result["msgid"]) if result.get("msgid") else None, invalid)
