"""Chatting with the bot as WeChat does: the stand-in encrypts and signs each message, posts it to
our served app's callback and hands back the passive reply, if any."""

from collections.abc import Callable

Say = Callable[[str], str | None]


def passive_text(delivery: dict) -> str | None:
    """The text of a passive reply, or None when the callback answered "success"."""
    reply = delivery.get("reply") or ""
    return reply.split("<Content><![CDATA[", 1)[1].split("]]></Content>", 1)[0] if "<Content>" in reply else None


def speaker(standin, channel: str, sender: str, db_session) -> Say:
    """say(text) → the passive reply (None when a worker will answer through the outbox)."""
    def say(text: str) -> str | None:
        db_session.rollback()  # the served app writes: hold no transaction meanwhile
        standin.push(channel, sender, content=text)
        (delivery,) = standin.deliver()
        assert delivery["status"] == 200, delivery
        return passive_text(delivery)
    return say
