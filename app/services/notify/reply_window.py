"""The official account's customer-service window (docs/wechat.md §6): after a person writes to
us (a message or a menu tap), we may send them 5 customer-service texts within 48 hours; after
that only template messages reach them.

We count rather than find out by failing: each message or tap from the person opens a fresh
window (`opened`), each customer-service text sent spends one (`spent`), and routing asks what
is `left` before choosing a customer-service text. WeChat's own 45015/45047 still ends a window
we thought open (`closed`), so our count never stays more hopeful than WeChat's.

Replies may use every message of the window; news we start (a digest, an alert, a reminder) only
while more than `KEPT_FOR_REPLIES` are left, so a dialogue the person starts afterwards still has
room for its answers.
"""

from datetime import datetime, timedelta

from sqlalchemy import Update, select, update

from app.extensions import db
from app.models import WeChatIdentity
from app.services.usecase import use_case

WINDOW = timedelta(hours=48)
PER_WINDOW = 5
KEPT_FOR_REPLIES = 2


@use_case
def opened(openid: str, now: datetime) -> None:
    """The person wrote to the official account: a new window, nothing spent yet."""
    db.session.execute(_identity(openid).values(window_opened_at=now, window_sent=0))
    db.session.commit()


def left(openid: str, now: datetime) -> int:
    """Customer-service messages we may still send this person now (0 when no window is open)."""
    row = db.session.execute(select(WeChatIdentity.window_opened_at, WeChatIdentity.window_sent).where(
        WeChatIdentity.channel == "oa", WeChatIdentity.external_id == openid)).first()
    if row is None or row.window_opened_at is None or now - row.window_opened_at >= WINDOW:
        return 0
    return max(PER_WINDOW - int(row.window_sent), 0)


def spent(openid: str) -> None:
    """One customer-service message went out (in the caller's transaction)."""
    db.session.execute(_identity(openid).values(window_sent=WeChatIdentity.window_sent + 1))


def closed(openid: str) -> None:
    """WeChat refused a customer-service message (45015/45047): the window is over, whatever we counted."""
    db.session.execute(_identity(openid).values(window_sent=PER_WINDOW))


def _identity(openid: str) -> Update:
    return update(WeChatIdentity).where(WeChatIdentity.channel == "oa", WeChatIdentity.external_id == openid)
