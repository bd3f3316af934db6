"""Callback security: one gate for mini-program, WeCom and official-account pushes.

Every POST passes, in order: mode (production accepts only 安全模式), signature (constant-time),
AES decryption (wechatpy crypto), timestamp window (±300 s, injectable clock) and parsing into one
`InboundMessage`; only then is the push claimed (app.wechat.pushes), so a refused request leaves
nothing behind and nothing reaches the dispatcher, and a retry of an accepted push gets the first
answer. Refusals are logged and answered in the app's one error shape with stable codes.
"""

import base64
import binascii
import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass

from flask import current_app
from wechatpy.crypto import WeChatCrypto
from wechatpy.crypto.cryptography import WeChatCipher
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.enterprise.replies import TextReply as WeComTextReply
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.replies import TextReply

from app.errors import ApiError
from app.wechat import pushes, status
from app.wechat.dispatch import dispatcher_for
from app.wechat.inbound import (
    InboundMessage,
    MalformedMessage,
    parse_inbound,
    parse_xml,
)
from app.wechat.settings import Account, settings_from_config

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 300
IN_FLIGHT_WAIT_SECONDS = 2.0  # a duplicate waits this long for the first delivery's answer (WeChat allows 5 s)
MAX_BODY_BYTES = 256 * 1024

REFUSALS = {
    "bad_signature": (403, "消息签名校验失败"),
    "stale_timestamp": (403, "消息时间戳超出允许范围"),
    "malformed": (400, "消息格式有误"),
    "plaintext_refused": (403, "生产环境只接受安全模式（加密）消息"),
    "wechat_not_configured": (404, "尚未配置该微信接入"),
    "in_progress": (503, "消息正在处理，请稍后重试"),
    "wechat_misconfigured": (500, "微信接入配置有误：EncodingAESKey与微信后台不一致，请联系管理员"),
}


class CallbackRefused(ApiError):
    def __init__(self, code: str, detail: str = ""):
        status, message = REFUSALS[code]
        super().__init__(code, message, status)
        self.detail = detail


@dataclass(frozen=True)
class Opened:
    """An authentic push: the message, and whether it came encrypted (its reply must be too)."""

    message: InboundMessage
    encrypted: bool


def signature_of(*parts: str) -> str:
    """WeChat's signature: sha1 over the sorted parts (token, timestamp, nonce[, encrypt])."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _well_formed(key: bytes, sealed: str) -> bool:
    """Whether `sealed` opens under `key` into WeChat's layout: 16 random bytes, the message's length
    (4 bytes, network order), the message, the receiver's app id or CorpID, PKCS#7 padding to 32
    bytes. Noise from a wrong key would need valid padding and a length field right to the byte."""
    try:
        plain = WeChatCipher(key).decrypt(base64.b64decode(sealed, validate=True))
    except (ValueError, binascii.Error):
        return False
    pad = plain[-1] if plain else 0
    if not 1 <= pad <= 32 or plain[-pad:] != bytes([pad]) * pad:
        return False
    content = plain[16:-pad]
    length = int.from_bytes(content[:4], "big")
    return len(content) > 4 + length and re.fullmatch(rb"[A-Za-z0-9_-]{1,64}", content[4 + length:]) is not None


class CallbackGate:
    """Checks one channel's pushes with that account's token and AES key."""

    def __init__(self, account: Account, production: bool, clock=time.time, window: int = WINDOW_SECONDS):
        self.account, self.production = account, production
        self.clock, self.window = clock, window

    def verify_url(self, args) -> str:
        """GET when the URL is saved in WeChat's console: mp/OA echo `echostr`, WeCom decrypt it."""
        timestamp, nonce, echostr = self._timestamp(args), args.get("nonce", ""), args.get("echostr", "")
        if self.account.channel == "wecom":
            self._expect(signature_of(self.account.token, timestamp, nonce, echostr), args.get("msg_signature"))
            self._check_window(timestamp)
            return self._unseal(echostr, lambda crypto: crypto.check_signature(args["msg_signature"], timestamp, nonce,
                                                                               echostr))
        self._expect(signature_of(self.account.token, timestamp, nonce), args.get("signature"))
        self._check_window(timestamp)
        return echostr

    def open(self, args, body: bytes) -> Opened:
        """Authenticate, decrypt, parse and claim one push, or raise `CallbackRefused`. A body that
        is not WeChat's XML is refused (400) before anything else is looked at."""
        envelope = self._envelope(body)
        timestamp = self._timestamp(args)
        encrypted = self.account.channel == "wecom" or args.get("encrypt_type") == "aes"
        if encrypted:
            plaintext = self._decrypt(args, envelope, timestamp)
        elif self.production:
            raise CallbackRefused("plaintext_refused", "unencrypted push under production")
        else:
            self._expect(signature_of(self.account.token, timestamp, args.get("nonce", "")), args.get("signature"))
            plaintext = body
        self._check_window(timestamp)
        try:
            message = parse_inbound(self.account.channel, plaintext)
        except MalformedMessage as exc:
            raise CallbackRefused("malformed", str(exc)) from exc
        return Opened(message, encrypted)

    def seal(self, opened: Opened, text: str, nonce: str) -> str:
        """A passive text reply, encrypted when the push was."""
        message = opened.message
        if message.channel == "wecom":
            agent = int(message.payload.get("AgentID") or self.account.agent_id or 0)
            reply = WeComTextReply(source=message.recipient, target=message.sender, content=text, agent=agent)
        else:
            reply = TextReply(source=message.recipient, target=message.sender, content=text)
        xml = reply.render()
        if not opened.encrypted:
            return xml
        return self._crypto().encrypt_message(xml, nonce, str(int(self.clock())))

    # --- the checks ---------------------------------------------------------------------------
    def _timestamp(self, args) -> str:
        timestamp = args.get("timestamp", "")
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            raise CallbackRefused("bad_signature", f"bad timestamp {timestamp[:20]!r}")
        return timestamp

    def _expect(self, expected: str, given: str | None) -> None:
        if not given or not hmac.compare_digest(expected, given):
            raise CallbackRefused("bad_signature", "signature mismatch")

    def _check_window(self, timestamp: str) -> None:
        if abs(self.clock() - int(timestamp)) > self.window:
            raise CallbackRefused("stale_timestamp", f"timestamp {timestamp}")

    def _envelope(self, body: bytes) -> dict:
        try:
            return parse_xml(body)
        except MalformedMessage as exc:
            raise CallbackRefused("malformed", str(exc)) from exc

    def _decrypt(self, args, envelope: dict, timestamp: str) -> str:
        if not self.account.aes_key:
            raise CallbackRefused("wechat_not_configured", "encrypted push but no AES key configured")
        encrypt = envelope.get("Encrypt")
        if not isinstance(encrypt, str) or not encrypt:
            raise CallbackRefused("malformed", "no <Encrypt>")
        nonce = args.get("nonce", "")
        self._expect(signature_of(self.account.token, timestamp, nonce, encrypt), args.get("msg_signature"))
        signature = args["msg_signature"]
        return self._unseal(encrypt, lambda crypto: crypto.decrypt_message({"Encrypt": encrypt}, signature,
                                                                            timestamp, nonce))

    def _unseal(self, sealed: str, action) -> str:
        """Run a wechatpy decryption of `sealed`, whose signature already matched our token, so it
        came from WeChat: a well-formed message for another app id is an authenticity failure, and
        bytes that do not decrypt mean our EncodingAESKey is not the one WeChat has — a
        misconfiguration, not a bad message. wechatpy reports noise that happens to unpad (about one
        push in a hundred under a wrong key) as a foreign app id too, hence the second look."""
        crypto = self._crypto()
        try:
            return action(crypto)
        except (InvalidAppIdException, InvalidCorpIdException) as exc:
            if _well_formed(crypto.key, sealed):
                raise CallbackRefused("bad_signature", "encrypted for another app") from exc
            raise CallbackRefused("wechat_misconfigured", "cannot decrypt: noise") from exc
        except Exception as exc:  # any failure to decrypt a signed push
            raise CallbackRefused("wechat_misconfigured", f"cannot decrypt: {type(exc).__name__}") from exc

    def _crypto(self):
        cls = WeComCrypto if self.account.channel == "wecom" else WeChatCrypto
        try:
            return cls(self.account.token, self.account.aes_key, self.account.appid)
        except (ValueError, AssertionError) as exc:
            raise CallbackRefused("wechat_not_configured", "AES key is not 43 base64 characters") from exc


def gate_for(channel: str) -> CallbackGate:
    settings = settings_from_config(current_app.config)
    account = settings.account(channel)
    if not account.can_receive:
        raise CallbackRefused("wechat_not_configured", f"{channel} has no callback token")
    clock = current_app.config.get("WECHAT_CLOCK") or time.time
    return CallbackGate(account, settings.production, clock)


def verify_url(channel: str, args) -> str:
    echo = _refusals_logged(channel, lambda: gate_for(channel).verify_url(args))
    status.record(channel, "accepted", "verify_url")
    return echo


def receive(channel: str, args, body: bytes) -> tuple[str, str]:
    """Handle one push; returns (response body, mimetype): a passive reply or "success"."""
    gate, opened = _refusals_logged(channel, lambda: _open(channel, args, body))
    status.record(channel, "accepted", opened.message.kind)
    claim = pushes.claim(channel, opened.message.dedupe_key)
    if claim.in_flight:
        claim = pushes.wait_for_answer(channel, opened.message.dedupe_key, IN_FLIGHT_WAIT_SECONDS)
    if claim.in_flight:  # the first delivery may still fail: WeChat must come again, not take "success"
        raise CallbackRefused("in_progress", opened.message.dedupe_key)
    if claim.push_id is None:  # WeChat's retry: our first answer did not reach it
        logger.info("wechat %s push %s again: answered as the first time", channel, opened.message.dedupe_key)
        reply = claim.earlier_reply
    else:
        reply = _dispatch(claim.push_id, opened.message)
    if not reply:
        return "success", "text/plain"
    return gate.seal(opened, reply, args.get("nonce", "")), "application/xml"


def _dispatch(push_id: int, message: InboundMessage) -> str | None:
    try:
        reply = dispatcher_for(current_app).dispatch(message)
    except Exception:
        pushes.release(push_id)  # WeChat's retry is then handled afresh
        raise
    pushes.answered(push_id, reply or None)
    return reply


def _open(channel: str, args, body: bytes) -> tuple[CallbackGate, Opened]:
    if len(body) > MAX_BODY_BYTES:
        raise CallbackRefused("malformed", "body too large")
    gate = gate_for(channel)
    return gate, gate.open(args, body)


def _refusals_logged(channel: str, action):
    try:
        return action()
    except CallbackRefused as refused:
        level = logging.ERROR if refused.status >= 500 else logging.WARNING
        logger.log(level, "wechat %s callback refused: %s (%s)", channel, refused.code, refused.detail)
        status.record(channel, "refused", refused.code)
        raise
