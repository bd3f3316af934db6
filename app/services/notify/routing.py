"""Which channel carries a message to a person (docs/product.md "Notifications", docs/wechat.md §6).

1. The company uses WeCom (configured) and the person has a WeCom userid: a WeCom app message with
   the full text, for employees and managers alike, replies included.
2. A reply to someone who wrote to the official account: a customer-service text (full text)
   while their 48-hour window has a message left (app.services.notify.reply_window), falling back
   to the kind's template message when WeChat says the window is closed after all. News for a
   manager goes the same way while the window keeps enough for replies: a digest or an alert in
   full, its numbered lines and evidence included, instead of a template's few fields.
3. Otherwise by audience — employees: a subscribe message (needs a bound mini-program account and
   quota for the kind's template), else an OA template message; managers: an OA template message
   (opening the mini-program's team view), else a subscribe message.
4. Nothing usable: `no_quota` when a subscribe message would have worked with quota, else
   `unreachable`.

Someone who has left hears only about their own report — what they may still answer (docs/product.md
"People change") — and only on the mini-program; anything else to them is unreachable (已离职).

`choose` is pure (tests pin the rules without WeChat); `route_for` gathers its inputs.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Employee, OutboxMessage, WeChatIdentity
from app.services.notify import kinds, quota, reply_window
from app.services.notify.kinds import EMPLOYEE, MANAGER, MessageKind
from app.wechat.settings import CHANNELS, settings_from_config

LEAVER_KINDS = frozenset({"report_published", "appeal_result"})  # what a leaver may still answer


@dataclass(frozen=True)
class Route:
    """How to send: `channel` is wecom | oa_text (customer service) | mp (subscribe) | oa (template)."""

    channel: str
    address: str
    template_id: str | None = None
    fallback: "Route | None" = None

    @property
    def template(self) -> str:
        """The template id of a template route (mp, oa): only those are asked for it."""
        assert self.template_id is not None, f"a {self.channel} route carries no template"
        return self.template_id


@dataclass(frozen=True)
class Refusal:
    """No channel carries the message: `status` is unreachable or no_quota. `whole_person`: no
    channel reaches them at all (not just this kind), which is recorded on the person once."""

    status: str
    reason: str
    whole_person: bool = False


def choose(
    kind: MessageKind, audience: str, is_reply: bool, configured: frozenset[str], identities: dict[str, str],
    quota_left: Callable[[str, str], int], window_left: Callable[[str], int] = lambda openid: 0,
) -> Route | Refusal:
    """The route for one message; `quota_left(template_id, openid)` and `window_left(openid)` (the
    official account's customer-service messages left) are asked only when they matter."""
    usable = {channel: address for channel, address in identities.items() if channel in configured}
    if "wecom" in usable:
        return Route("wecom", usable["wecom"])
    template_routes = _template_routes(kind, audience, usable)
    if (is_reply or audience == MANAGER) and "oa" in usable:
        needed = 1 if is_reply else reply_window.KEPT_FOR_REPLIES + 1
        if window_left(usable["oa"]) >= needed:
            fallback = next((r for r in template_routes if r.channel == "oa"), None)
            return Route("oa_text", usable["oa"], fallback=fallback)
    lacking_quota = False
    for route in template_routes:
        if route.channel == "mp" and quota_left(route.template, route.address) <= 0:
            lacking_quota = True
            continue
        return route
    if lacking_quota:
        return Refusal("no_quota", "订阅消息次数已用完")
    if is_reply and "oa" in usable:
        return Refusal("unreachable", "公众号客服消息窗口已关闭（48小时内未收到对方消息，或已发满5条）")
    if usable:
        return Refusal("unreachable", "该类消息没有可用的发送渠道")
    return Refusal("unreachable", "未绑定微信" if not identities else "绑定的微信渠道未接入", whole_person=True)


def route_for(message: OutboxMessage, now: datetime) -> Route | Refusal:
    """The route for a stored message, from the deployment's settings and the person's bindings."""
    status = db.session.scalar(select(Employee.status).where(Employee.id == message.recipient_id))
    left = status == "left" and message.kind in LEAVER_KINDS
    if status != "active" and not left:
        return Refusal("unreachable", "已离职")
    settings = settings_from_config(current_app.config)
    configured = frozenset(c for c in CHANNELS if settings.account(c).can_call)
    identities = dict(db.session.execute(
        select(WeChatIdentity.channel, WeChatIdentity.external_id)
        .where(WeChatIdentity.employee_id == message.recipient_id, *([WeChatIdentity.channel == "mp"] if left else []))
    ).all())

    def quota_left(template_id: str, openid: str) -> int:
        return quota.quota_left(message.recipient_id, template_id, openid)

    def window_left(openid: str) -> int:
        return reply_window.left(openid, now)

    spec = kinds.for_deployment(message.kind, current_app.config)
    return choose(spec, message.audience, message.is_reply, configured, identities, quota_left, window_left)


def _template_routes(kind: MessageKind, audience: str, usable: dict[str, str]) -> list[Route]:
    order = ("mp", "oa") if audience == EMPLOYEE else ("oa", "mp")
    return [
        Route(channel, usable[channel], kind.template_for(channel))
        for channel in order if channel in usable and kind.template_for(channel)
    ]

