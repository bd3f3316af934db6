"""The bot's place on the callbacks: chat text from WeCom and the official account goes to the bot
core (app.services.bot.core), which answers at once or queues the work."""

from app.services.bot import core
from app.wechat.inbound import InboundMessage

# The app's menu (configured in WeCom's admin console or the official account's menu): each button's
# key sends what its label says, as if typed.
MENU = {"todo": "待办", "team": "团队", "rate": "评分", "help": "帮助"}


def chat_message(message: InboundMessage) -> str | None:
    return core.receive(message.channel, message.sender, message.content or "", message.msg_id)


def menu_click(message: InboundMessage) -> str | None:
    """A tap on a menu button (event `click`); an unknown key gets the help."""
    text = MENU.get(str(message.payload.get("EventKey") or "").lower(), "帮助")
    return core.receive(message.channel, message.sender, text, message.dedupe_key)
