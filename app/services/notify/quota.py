"""Subscribe-message quota: how many sends of each template a person has left (docs/wechat.md §8).

WeChat offers no query API: one accepted subscription buys one send, so we count. Grants come from
the mini-program (the person tapped "允许" for some templates); a send reserves one before calling
WeChat and gives it back if the call failed transiently; WeChat's 43101 means the person has none
left whatever we counted, so the count becomes 0.

Decision: a later grant does not revive messages that already ended `no_quota`. The mini-program
asks for subscriptions while the person is in it, where the news they missed is on screen anyway;
spending the new grant on stale news would starve the next real message.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.errors import ApiError
from app.extensions import db
from app.models import SubscribeQuota, WeChatIdentity
from app.services.usecase import changed_rows, use_case


@use_case
def grant_quota(employee_id: int, template_id: str, count: int = 1, *, now: datetime) -> int:
    """Record `count` accepted subscriptions of a template by the person's bound mini-program account.

    Commits (a use case of its own: the mini-program reports a tap). Returns what is left now.
    """
    if count < 1:
        raise ApiError("quota_count_invalid", "订阅次数必须是正整数", 400)
    openid = mini_program_openid(employee_id)
    if openid is None:
        raise ApiError("mini_program_not_bound", "请先在小程序中绑定账号", 409)
    row = _row(employee_id, template_id) or _insert(employee_id, template_id, openid, now)
    if row.openid != openid:  # granted to an account the person no longer uses
        row.openid, row.remaining = openid, 0
        db.session.flush()
    db.session.execute(
        update(SubscribeQuota).where(SubscribeQuota.id == row.id)
        .values(remaining=SubscribeQuota.remaining + count, updated_at=now)
    )
    db.session.commit()
    return quota_left(employee_id, template_id)


def quota_left(employee_id: int, template_id: str, openid: str | None = None) -> int:
    """Sends left for the person's current mini-program account (0 for another account's grants)."""
    openid = openid or mini_program_openid(employee_id)
    row = _row(employee_id, template_id)
    if row is None or openid is None or row.openid != openid:
        return 0
    db.session.refresh(row)
    return row.remaining


def quotas_left(employee_id: int) -> dict[str, int]:
    """Template id → sends left for the person's current mini-program account, in one query (the
    subscribe page lists every template; another account's grants count as none)."""
    return dict(db.session.execute(
        select(SubscribeQuota.template_id, SubscribeQuota.remaining)
        .join(WeChatIdentity, (WeChatIdentity.employee_id == SubscribeQuota.employee_id)
              & (WeChatIdentity.channel == "mp") & (WeChatIdentity.external_id == SubscribeQuota.openid))
        .where(SubscribeQuota.employee_id == employee_id)).all())


def reserve(employee_id: int, template_id: str, openid: str, now: datetime) -> bool:
    """Take one send atomically; False when none is left (two workers never spend the same grant)."""
    taken = changed_rows(
        update(SubscribeQuota).where(
            SubscribeQuota.employee_id == employee_id, SubscribeQuota.template_id == template_id,
            SubscribeQuota.openid == openid, SubscribeQuota.remaining > 0,
        ).values(remaining=SubscribeQuota.remaining - 1, updated_at=now)
    )
    return taken == 1


def give_back(employee_id: int, template_id: str, now: datetime) -> None:
    """The send did not happen (a transient failure): the reserved grant is still the person's."""
    db.session.execute(
        update(SubscribeQuota)
        .where(SubscribeQuota.employee_id == employee_id, SubscribeQuota.template_id == template_id)
        .values(remaining=SubscribeQuota.remaining + 1, updated_at=now)
    )


def exhaust(employee_id: int, template_id: str, now: datetime) -> None:
    """WeChat said 43101: whatever we counted, nothing is left."""
    db.session.execute(
        update(SubscribeQuota)
        .where(SubscribeQuota.employee_id == employee_id, SubscribeQuota.template_id == template_id)
        .values(remaining=0, updated_at=now)
    )


def mini_program_openid(employee_id: int) -> str | None:
    return db.session.scalar(select(WeChatIdentity.external_id).where(
        WeChatIdentity.employee_id == employee_id, WeChatIdentity.channel == "mp"))


def _row(employee_id: int, template_id: str) -> SubscribeQuota | None:
    return db.session.scalar(select(SubscribeQuota).where(
        SubscribeQuota.employee_id == employee_id, SubscribeQuota.template_id == template_id))


def _insert(employee_id: int, template_id: str, openid: str, now: datetime) -> SubscribeQuota:
    row = SubscribeQuota(employee_id=employee_id, template_id=template_id, openid=openid, remaining=0, updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return row
    except IntegrityError:  # a parallel grant created it
        row_now = _row(employee_id, template_id)
        assert row_now is not None, "the unique (employee, template) row that refused ours exists"
        return row_now
