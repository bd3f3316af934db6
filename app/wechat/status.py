"""The last callback each channel received, accepted or refused and why, for the admin's 微信接入
page (app.services.notify.wechat_status): after pasting a URL into WeChat's console, it tells the
admin whether WeChat's check reached us and passed.

Kept in Redis (one hash, a few keys), written by the callback gate; a Redis hiccup there is logged
and never fails a callback. Going live step by step: docs/go-live.md.
"""

import json
import logging
import time
from typing import Any

from redis.exceptions import RedisError

from app.extensions import redis_store

logger = logging.getLogger(__name__)

LAST_CALLBACKS = "jixiao:wechat:last_callback"  # hash "<channel>:<accepted|refused>" → {"at", "code"}
WHAT_TO_FIX = {
    "bad_signature": "签名不符：检查该渠道的 Token 与微信后台填写的是否一致",
    "stale_timestamp": "时间戳超出±5分钟：检查服务器时钟（NTP）",
    "malformed": "消息格式有误",
    "plaintext_refused": "收到明文消息：请在微信后台把消息加解密方式设为安全模式",
    "wechat_not_configured": "该渠道未配置 Token / EncodingAESKey",
    "in_progress": "上一条相同消息仍在处理（微信会重试）",
    "wechat_misconfigured": "解密失败：检查 EncodingAESKey 与微信后台是否一致",
}


def record(channel: str, outcome: str, code: str = "") -> None:
    """Remember the latest accepted or refused callback of a channel (best effort)."""
    try:
        redis_store.client.hset(LAST_CALLBACKS, f"{channel}:{outcome}", json.dumps({"at": time.time(), "code": code}))
    except RedisError:
        logger.warning("could not record the last %s callback of %s", outcome, channel)


def last_callbacks() -> dict[str, dict[str, Any]]:
    try:
        raw = redis_store.client.hgetall(LAST_CALLBACKS)
    except RedisError:
        return {}
    found = {}
    for key, value in raw.items():
        entry = json.loads(value)
        found[key.decode() if isinstance(key, bytes) else key] = {
            "at": entry["at"], "code": entry["code"], "fix": WHAT_TO_FIX.get(entry["code"], "")}
    return found
