"""Idempotency keys for the mini-program's writes: a phone on a weak network retries, and a retry
must neither duplicate nor change anything. The first request with a key claims it in Redis (SET NX,
briefly, while it runs), then stores a hash of its body and its answer for a day; a retry with the
same key and body gets that answer; the same key with another body is refused; a retry while the
first is still running is asked to come again. A request that fails releases its key, so the retry
is judged afresh. Keys are per person: one person's key never answers another's request."""

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from app.errors import ApiError
from app.extensions import redis_store

KEY_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
KEPT_SECONDS = 24 * 3600
RUNNING_SECONDS = 60  # longer than any write takes; a crashed one frees its key after this


def answer(employee_id: int, key: str, body: bytes, compute: Callable[[], Any]) -> Any:
    """The answer to this request: computed once per (person, key), replayed after."""
    if not re.match(KEY_PATTERN, key):
        raise ApiError("idempotency_key_required", "请求缺少有效的 Idempotency-Key（8到64位字母、数字、-或_）", 400,
                       {"Idempotency-Key": "缺少或格式不对"})
    client = redis_store.client
    name, digest = f"jixiao:mp:once:{employee_id}:{key}", hashlib.sha256(body).hexdigest()
    if not client.set(name, json.dumps({"hash": digest}), nx=True, ex=RUNNING_SECONDS):
        stored = json.loads(client.get(name) or "{}")
        if stored.get("hash") != digest:
            raise ApiError("idempotency_key_reused", "同一个 Idempotency-Key 不能用于不同的内容", 422)
        if "answer" not in stored:
            raise ApiError("in_progress", "上一次提交仍在处理，请稍后重试", 409)
        return stored["answer"]
    try:
        result = compute()
    except BaseException:
        client.delete(name)
        raise
    client.set(name, json.dumps({"hash": digest, "answer": result}, default=str), ex=KEPT_SECONDS)
    return result
