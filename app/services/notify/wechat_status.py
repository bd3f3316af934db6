"""What the admin's WeChat page shows (人事后台 → 微信接入): per channel, whether it can call WeChat
and receive its pushes, the callback URL to paste into that channel's console, the template id of
each message kind it carries with the field key of each fact, and the last callback it received
(app.wechat.status)."""

from collections.abc import Mapping
from typing import Any

from app.services.notify.kinds import FACTS, KINDS, MessageKind, Template, deployment_templates
from app.wechat.settings import CHANNELS, settings_from_config
from app.wechat.status import last_callbacks

CHANNEL_NAMES = {"mp": "小程序", "wecom": "企业微信", "oa": "公众号"}


def channels(config: Mapping[str, Any], request_root: str) -> list[dict[str, Any]]:
    """Every channel as the admin reads it."""
    settings = settings_from_config(config)
    base = config.get("PUBLIC_URL") or request_root.rstrip("/")
    templates = deployment_templates(config)
    seen = last_callbacks()
    shown = []
    for channel in CHANNELS:
        account = settings.account(channel)
        shown.append({
            "code": channel, "name": CHANNEL_NAMES[channel], "can_call": account.can_call,
            "can_receive": account.can_receive, "encrypted": bool(account.aes_key),
            "api_base": settings.base_for(channel), "callback_url": f"{base}/wechat/callback/{channel}",
            "accepted": seen.get(f"{channel}:accepted"), "refused": seen.get(f"{channel}:refused"),
            "templates": [_template(spec, templates.get(channel, {}).get(code))
                          for code, spec in KINDS.items() if spec.template_for(channel)],
        })
    return shown


def _template(spec: MessageKind, configured: Template | None) -> dict[str, Any]:
    """A kind's row: the template id and which field key carries each fact, or the facts it needs."""
    return {"kind": spec.name_zh, "id": configured.id if configured else None,
            "fields": [{"fact": FACTS[fact][0], "key": configured.keys[fact] if configured else None}
                       for fact in spec.dev_keys]}
