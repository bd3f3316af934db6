"""The bot's job (queue `notify`): act on one chat message and reply through the outbox."""

from app.services.bot import core


def handle_message(channel: str, sender: str, text: str, msg_id: str) -> str:
    return core.handle(channel, sender, text, msg_id)
