"""A push is acted on once: the first delivery claims it, retries get its answer, a failed handler
lets the retry through, and the clock prunes what no retry can reach any more."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import WeChatPush
from app.models.base import utcnow
from app.wechat import pushes


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(WeChatPush))


def test_a_retry_gets_nothing_while_the_first_is_handled_and_its_answer_after(db_session):
    first = pushes.claim("oa", "msg:1")
    assert first.push_id is not None
    assert pushes.claim("oa", "msg:1") == pushes.Claim(None, None, in_flight=True)
    pushes.answered(first.push_id, "好的")
    assert pushes.claim("oa", "msg:1") == pushes.Claim(None, "好的")
    assert pushes.claim("mp", "msg:1").push_id is not None  # another channel, another push
    assert stored() == 2


def test_a_released_claim_lets_the_retry_be_handled(db_session):
    first = pushes.claim("wecom", "msg:2")
    pushes.release(first.push_id)
    again = pushes.claim("wecom", "msg:2")
    assert again.push_id is not None and stored() == 1


def test_three_concurrent_deliveries_are_claimed_once(app, db_session):
    barrier, claims = threading.Barrier(3), []

    def deliver():
        with app.app_context():
            barrier.wait()
            claims.append(pushes.claim("mp", "msg:3"))
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(c.push_id is not None for c in claims) == [False, False, True]
    assert stored() == 1


def test_the_clock_prunes_pushes_older_than_a_day(db_session):
    now = utcnow()
    for key, age in (("old", timedelta(days=2)), ("new", timedelta(hours=1))):
        db_session.add(WeChatPush(channel="oa", dedupe_key=key, status="answered", received_at=now - age))
    db_session.commit()
    assert pushes.prune(now) == 1
    assert db_session.scalars(select(WeChatPush.dedupe_key)).all() == ["new"]
