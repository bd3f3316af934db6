"""The bot's place on the callbacks: chat text from WeCom and the official account goes to the bot
core (app.services.bot.core), which answers at once or queues the work. A message or menu tap on
the official account also opens that person's 48-hour customer-service window."""

from app.services.bot import core
from app.services.business_time import clock_now
from app.services.notify import reply_window
from app.wechat.inbound import InboundMessage

# The app's menu (configured in WeCom's admin console or the official account's menu): each button's
# key sends what its label says, as if typed.
MENU = {"todo": "待办", "team": "团队", "rate": "评分", "help": "帮助"}


def chat_message(message: InboundMessage) -> str | None:
    _window_opens(message)
    return core.receive(message.channel, message.sender, message.content or "", message.msg_id)


def menu_click(message: InboundMessage) -> str | None:
    """A tap on a menu button (event `click`); an unknown key gets the help."""
    _window_opens(message)
    text = MENU.get(str(message.payload.get("EventKey") or "").lower(), "帮助")
    return core.receive(message.channel, message.sender, text, message.dedupe_key)


def _window_opens(message: InboundMessage) -> None:
    if message.channel == "oa":
        reply_window.opened(message.sender, clock_now())
