"""What the bot remembers of a conversation, in Redis with a TTL: the last numbered list a person
was shown (a digest or their 待办), so "同意 2 …" acts on line 2 of what they saw, and a rating
dialogue in progress. Nothing here is a record: it expires, and the database stays the truth.
"""

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from app.extensions import redis_store

KEY = "jixiao:bot:{channel}:{sender}"
TTL_SECONDS = 24 * 3600  # a list read yesterday evening still answers this morning


@dataclass
class Conversation:
    listed: str = ""  # "todo" once a 待办 list was shown; "" means the latest digest numbers the lines
    listed_at: str = ""  # when the 待办 was shown (ISO, naive UTC): a digest sent later numbers the lines again
    todo: list[list[Any]] = field(default_factory=list)  # [kind, id, label] per numbered line of the 待办
    rating: list[list[Any]] = field(default_factory=list)  # [assessment_item_id, label] still to ask
    choices: list[list[Any]] = field(default_factory=list)  # [assessment_item_id, label] to pick one from
    choice_value: str = ""  # the score to give the one picked


def load(channel: str, sender: str) -> Conversation:
    raw = redis_store.client.get(KEY.format(channel=channel, sender=sender))
    if not raw:
        return Conversation()
    return Conversation(**json.loads(raw))


def save(channel: str, sender: str, conversation: Conversation) -> None:
    redis_store.client.set(KEY.format(channel=channel, sender=sender), json.dumps(asdict(conversation)),
                           ex=TTL_SECONDS)
