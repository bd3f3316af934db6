"""One type for everything WeChat pushes to us, whichever channel it came through.

wechatpy's `parse_message` yields a class per message type and maps only v1 media-check fields
(docs/wechat.md §5); the bot and the content-check handler want one shape with the raw fields kept,
so we parse the (already authenticated and decrypted) XML ourselves.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.parsers.expat import ExpatError

import xmltodict


class MalformedMessage(ValueError):
    """The push is not the XML WeChat sends."""


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # "mp" | "wecom" | "oa"
    sender: str  # FromUserName: openid (mp/OA) or WeCom userid
    kind: str  # MsgType, lower case: "text", "image", "event", …
    content: str | None  # text messages
    msg_id: str | None  # messages only; events have none
    event: str | None  # lower-case Event for kind == "event"
    created_at: datetime
    recipient: str = ""  # ToUserName: our account, the sender of any passive reply
    payload: dict = field(default_factory=dict)  # every field as WeChat sent it

    @property
    def route(self) -> str:
        """What handlers register for: "text", "image", "event.wxa_media_check", …"""
        return f"event.{self.event}" if self.kind == "event" else self.kind

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages; media-check results are unique by trace_id; other events by sender,
        time, event and event key, so two taps on different menu items in one second both count."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        if self.event == "wxa_media_check" and self.payload.get("trace_id"):
            return f"trace:{self.payload['trace_id']}"
        event_key = str(self.payload.get("EventKey") or "")
        return f"event:{self.sender}:{int(self.created_at.timestamp())}:{self.event}:{event_key}"[:191]


def parse_xml(text: str | bytes) -> dict:
    """The fields under <xml>, or `MalformedMessage`; entities stay disabled (xmltodict default).
    A declared encoding Python cannot decode with (rot13, an unknown name) is malformed too."""
    try:
        document = xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError, LookupError) as exc:
        raise MalformedMessage(f"not XML: {type(exc).__name__}") from exc
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise MalformedMessage("no <xml> root")
    return root


def parse_inbound(channel: str, text: str | bytes) -> InboundMessage:
    """Decrypted push → `InboundMessage`; the fields every push has must be there."""
    fields = parse_xml(text)
    try:
        sender, kind = str(fields["FromUserName"]), str(fields["MsgType"]).lower()
        created_at = datetime.fromtimestamp(int(fields["CreateTime"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
        raise MalformedMessage(f"missing or bad field: {exc}") from exc
    event = None
    if kind == "event":
        event = str(fields.get("Event") or "").lower() or None
    return InboundMessage(
        channel=channel,
        sender=sender,
        kind=kind,
        content=fields.get("Content"),
        msg_id=str(fields["MsgId"]) if fields.get("MsgId") else None,
        event=event,
        created_at=created_at,
        recipient=str(fields.get("ToUserName") or ""),
        payload=fields,
    )
