"""Our own exceptions for WeChat API outcomes, with stable codes instead of WeChat's numbers.

Callers decide on meaning (`NoQuota`: ask the employee to subscribe again; `OutsideReplyWindow`:
fall back to a template message), never on errcode integers. Each is an `ApiError`, so a view
that lets one escape still answers in the app's one error shape with a Chinese message.
"""

from urllib.parse import urlsplit

import requests

from app.errors import ApiError


def safe_url(url: str | None) -> str:
    """Scheme, host, port and path of a URL we called: never its query (WeChat wants the secret and
    the access token there) nor any user info."""
    if not url:
        return "?"
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"


def describe_failure(exc: Exception) -> str:
    """What went wrong calling WeChat, fit for the log and the outbox: the kind of failure, the HTTP
    status when there was one, and where — without the query string or any header."""
    response = getattr(exc, "response", None)
    if isinstance(response, requests.Response):
        return f"HTTP {response.status_code} from {safe_url(response.url)}"
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    return f"{type(exc).__name__} calling {safe_url(url)}" if url else type(exc).__name__


class WeChatError(ApiError):
    """A WeChat API call failed; `errcode`/`errmsg` keep WeChat's own words for the log."""

    code = "wechat_error"
    message = "微信接口调用失败，请稍后再试"
    status = 502

    def __init__(self, errcode: int | None = None, errmsg: str = "", fields: dict | None = None):
        super().__init__(self.code, self.message, fields=fields)
        self.errcode = errcode
        self.errmsg = errmsg

    def __str__(self) -> str:
        return f"{self.code} (errcode={self.errcode}, errmsg={self.errmsg!r})"


class NotConfigured(WeChatError):
    code, message, status = "wechat_not_configured", "尚未配置该微信接入", 503


class Unavailable(WeChatError):
    code, message = "wechat_unavailable", "暂时无法连接微信服务器，请稍后再试"


class BadCredentials(WeChatError):
    code, message = "wechat_bad_credentials", "微信应用凭证无效，请联系管理员"


class TokenRejected(WeChatError):
    code, message = "wechat_token_rejected", "微信接口凭证失效，请稍后再试"


class NoQuota(WeChatError):
    code, message, status = "no_quota", "对方未订阅该消息或订阅次数已用完", 409


class OutsideReplyWindow(WeChatError):
    code, message, status = "outside_reply_window", "对方超过 48 小时未互动，无法发送客服消息", 409


class RateLimited(WeChatError):
    code, message, status = "rate_limited", "微信接口调用过于频繁，请稍后再试", 429


class UntrustedIp(WeChatError):
    code, message = "untrusted_ip", "服务器 IP 不在企业微信可信 IP 列表中，请联系管理员"


class NobodyReachable(WeChatError):
    code, message, status = "nobody_reachable", "接收人均无效或不在应用可见范围内", 409


class InvalidCode(WeChatError):
    code, message, status = "invalid_code", "登录凭证无效或已过期，请重新进入小程序", 400


class UserNotFound(WeChatError):
    code, message, status = "user_not_found", "企业微信中找不到该成员", 404


class FieldRejected(WeChatError):
    """WeChat refused a template field (47003): our own checks should have caught it first."""

    code, message = "field_rejected", "消息内容格式不符合微信要求"


class FieldRuleViolation(ApiError):
    """Raised before sending: a subscribe-message field breaks WeChat's rules; `fields` names each one."""

    def __init__(self, fields: dict):
        names = "、".join(fields)
        super().__init__("subscribe_field_invalid", f"订阅消息字段不符合微信要求：{names}", 400, fields)


# WeChat errcode → our exception type. Token errors are handled by the retry, not here.
BY_ERRCODE = {
    40013: BadCredentials,  # invalid appid
    40125: BadCredentials,  # invalid appsecret
    40029: InvalidCode,
    43101: NoQuota,
    45009: RateLimited,
    45015: OutsideReplyWindow,
    47003: FieldRejected,
    60020: UntrustedIp,
    60111: UserNotFound,
    81013: NobodyReachable,
}
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


def from_errcode(errcode: int | None, errmsg: str = "") -> WeChatError:
    """Translate one WeChat failure into our type; unknown codes stay a plain `WeChatError`."""
    if errcode in TOKEN_ERRCODES:
        return TokenRejected(errcode, errmsg)
    if errcode is None:
        return Unavailable(errcode, errmsg)
    return BY_ERRCODE.get(errcode, WeChatError)(errcode, errmsg)
