"""The bot's place on the callbacks: chat text from WeCom and the official account goes to the bot
core (app.services.bot.core), which answers at once or queues the work."""

from app.services.bot import core
from app.wechat.inbound import InboundMessage


def chat_message(message: InboundMessage) -> str | None:
    return core.receive(message.channel, message.sender, message.content or "", message.msg_id)
