"""Where accepted callback messages go: a registry of handlers per route, one per app.

The bot (a later issue) registers its handlers here; until then unhandled messages are answered
with "success" so WeChat does not retry them.

    dispatcher_for(app).register("text", handle_text, channel="wecom")
    dispatcher_for(app).register("event.wxa_media_check", record_media_verdict)

A handler takes an `InboundMessage` and returns reply text (sent as a passive reply) or None.
"""

import logging
from collections.abc import Callable

from app.wechat.inbound import InboundMessage

logger = logging.getLogger(__name__)

Handler = Callable[[InboundMessage], str | None]
ANY = "*"


class Dispatcher:
    def __init__(self):
        self._handlers: dict[tuple[str | None, str], Handler] = {}

    def register(self, route: str, handler: Handler, channel: str | None = None) -> Handler:
        """Handle `route` ("text", "event.<name>", or "*" for anything) on one channel or all."""
        self._handlers[(channel, route)] = handler
        return handler

    def handler_for(self, message: InboundMessage) -> Handler | None:
        """Most specific first: this channel and route, any channel and route, then the fallbacks."""
        for key in ((message.channel, message.route), (None, message.route), (message.channel, ANY), (None, ANY)):
            if key in self._handlers:
                return self._handlers[key]
        return None

    def dispatch(self, message: InboundMessage) -> str | None:
        handler = self.handler_for(message)
        if handler is None:
            logger.info("no handler for %s %s from %s", message.channel, message.route, message.sender)
            return None
        return handler(message)


def dispatcher_for(app) -> Dispatcher:
    """The app's dispatcher, created on first use (no import-time registry)."""
    return app.extensions.setdefault("wechat_dispatcher", Dispatcher())
