"""Each push WeChat delivers is acted on once, and WeChat's retries get the first answer.

WeChat retries a push (three times within about 15 s) only when our answer did not arrive, so a
retry must get the same answer and change nothing: refusing it counts as a failure in WeChat's
eyes. The first delivery claims the push with an INSERT whose unique key decides who won; the
row keeps the reply once the handler answered. Rows live in the database, so a restart of Redis
does not forget them, for far longer than the ±300 s timestamp window a replay could pass.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import WeChatPush
from app.models.base import utcnow

RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Claim:
    """Ours to handle (`push_id`), a retry of an earlier push with what it was answered, or a retry
    that came while the first delivery is still handled (`in_flight`)."""

    push_id: int | None
    earlier_reply: str | None = None
    in_flight: bool = False


def claim(channel: str, dedupe_key: str) -> Claim:
    """Claim a push; committed at once, so a concurrent delivery of the same push sees it."""
    for _ in range(2):  # the earlier claim may be released (its handler failed) in between
        row = WeChatPush(channel=channel, dedupe_key=dedupe_key, status="handling", received_at=utcnow())
        db.session.add(row)
        try:
            db.session.commit()
            return Claim(row.id)
        except IntegrityError:
            db.session.rollback()
        earlier = db.session.scalar(select(WeChatPush).where(
            WeChatPush.channel == channel, WeChatPush.dedupe_key == dedupe_key))
        if earlier is not None:
            return Claim(None, earlier.reply, in_flight=earlier.status != "answered")
    return Claim(None, in_flight=True)


def wait_for_answer(channel: str, dedupe_key: str, seconds: float, poll: float = 0.05) -> Claim:
    """For a delivery that came while the first is still handled (WeChat delivering one message
    twice at once): the first's answer as soon as it has one — handlers answer in well under a
    second, the slow work is queued — or ours to handle if the first failed and let go, or still
    in flight after `seconds` (WeChat then comes again)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(poll)
        db.session.rollback()  # read what is committed now
        earlier = db.session.scalar(select(WeChatPush).where(
            WeChatPush.channel == channel, WeChatPush.dedupe_key == dedupe_key))
        if earlier is None:
            return claim(channel, dedupe_key)
        if earlier.status == "answered":
            return Claim(None, earlier.reply)
    return Claim(None, in_flight=True)


def answered(push_id: int, reply: str | None) -> None:
    db.session.execute(update(WeChatPush).where(WeChatPush.id == push_id).values(status="answered", reply=reply))
    db.session.commit()


def release(push_id: int) -> None:
    """Forget a claim whose handler failed, so WeChat's retry is handled, not answered as a replay."""
    db.session.rollback()
    db.session.execute(delete(WeChatPush).where(WeChatPush.id == push_id))
    db.session.commit()


def prune(now: datetime) -> int:
    """Drop pushes older than RETENTION (the clock's daily housekeeping); returns how many."""
    result = db.session.execute(delete(WeChatPush).where(WeChatPush.received_at < now - RETENTION))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
