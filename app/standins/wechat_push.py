"""What the WeChat stand-in pushes to our callbacks: user messages and events, signed and encrypted
the way WeChat does it (安全模式: AES envelope + msg_signature; 明文模式: signature only).

Tests also use `sign_push` to build callback requests, so one piece of code plays WeChat everywhere.
"""

import hashlib
import secrets
from urllib.parse import urlencode

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto

from app.wechat.settings import Account


def original_id(account: Account) -> str:
    """The ToUserName WeChat puts on pushes: the account's `gh_…` id, or the WeCom CorpID."""
    return account.appid if account.channel == "wecom" else "gh_" + account.appid[-12:]


def crypto_for(account: Account):
    cls = WeComCrypto if account.channel == "wecom" else WeChatCrypto
    return cls(account.token, account.aes_key, account.appid)


def push_signature(token: str, timestamp: str, nonce: str, *encrypt: str) -> str:
    """WeChat's signature: sha1 of the sorted token, timestamp and nonce (明文模式), and in 安全模式
    the `Encrypt` value too (msg_signature)."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, *encrypt])).encode()).hexdigest()


def to_xml(fields: dict) -> str:
    return xmltodict.unparse({"xml": fields}, full_document=False)


def user_message(
    account: Account, sender: str, now: float, msg_type: str = "text", content: str | None = None,
    event: str | None = None, extra: dict | None = None,
) -> str:
    """A message or event as a user's action produces it; messages carry a MsgId, events do not."""
    fields = {"ToUserName": original_id(account), "FromUserName": sender, "CreateTime": int(now), "MsgType": msg_type}
    if msg_type == "event":
        fields["Event"] = event or ""
    if content is not None:
        fields["Content"] = content
    if msg_type != "event":
        fields["MsgId"] = str(secrets.randbits(63))
    if account.channel == "wecom":
        fields["AgentID"] = account.agent_id
    fields.update(extra or {})
    return to_xml(fields)


def media_check_event(account: Account, openid: str, trace_id: str, suggest: str, now: float) -> str:
    """The v2 `wxa_media_check` result event (docs/wechat.md §5), in XML like the rest of our pushes."""
    label = "100" if suggest == "pass" else "20002"
    return to_xml(
        {
            "ToUserName": original_id(account), "FromUserName": openid, "CreateTime": int(now),
            "MsgType": "event", "Event": "wxa_media_check", "appid": account.appid, "trace_id": trace_id,
            "version": 2, "errcode": 0, "errmsg": "ok",
            "detail": {"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90},
            "result": {"suggest": suggest, "label": label},
        }
    )


def sign_push(
    account: Account, plaintext: str, now: float, mode: str = "aes", nonce: str | None = None
) -> tuple[dict, str]:
    """(query, body) of one push. WeCom is always encrypted; mini-program/OA may be plain."""
    timestamp, nonce = str(int(now)), nonce or str(secrets.randbelow(10**9))
    if mode == "plain":
        if account.channel == "wecom":
            raise ValueError("WeCom callbacks are always encrypted")
        signature = push_signature(account.token, timestamp, nonce)
        return {"signature": signature, "timestamp": timestamp, "nonce": nonce}, plaintext
    envelope = xmltodict.parse(crypto_for(account).encrypt_message(plaintext, nonce, timestamp))["xml"]
    return seal_push(account, envelope["Encrypt"], timestamp, nonce)


def seal_push(account: Account, encrypt: str, timestamp: str, nonce: str) -> tuple[dict, str]:
    """(query, body) of an encrypted push carrying `encrypt` as is, signed with the account's token."""
    outer = {"ToUserName": original_id(account), "Encrypt": encrypt}
    query = {"msg_signature": push_signature(account.token, timestamp, nonce, encrypt),
             "timestamp": timestamp, "nonce": nonce}
    if account.channel == "wecom":
        outer["AgentID"] = account.agent_id
    else:
        query.update(signature=push_signature(account.token, timestamp, nonce), encrypt_type="aes")
    return query, to_xml(outer)


def open_reply(account: Account, body: str) -> str | None:
    """Our callback's answer as WeChat reads it: decrypt an encrypted passive reply, else the text."""
    if "<Encrypt>" not in body:
        return body
    envelope = xmltodict.parse(body)["xml"]
    return crypto_for(account).decrypt_message(body, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])


def deliver(account: Account, url: str, query: dict, body: str, timeout: float = 10) -> dict:
    """POST one push to our callback, as WeChat does, and report what came back."""
    target = f"{url}{'&' if '?' in url else '?'}{urlencode(query)}"
    try:
        response = requests.post(target, data=body.encode(), headers={"Content-Type": "text/xml"}, timeout=timeout)
    except requests.RequestException as exc:
        return {"channel": account.channel, "url": url, "status": None, "body": str(exc), "reply": None}
    reply = open_reply(account, response.text) if response.status_code == 200 else None
    return {
        "channel": account.channel, "url": url, "status": response.status_code, "body": response.text, "reply": reply,
    }
