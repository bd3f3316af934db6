"""`POST /api/imports/<format>`: an ERP (or any system) pushes rows as HMAC-signed JSON; they take
the importer's path exactly as an uploaded file does (checked, all or nothing, audited once).

The sender signs `{timestamp}.{body}` with HMAC-SHA256 and the shared secret JIXIAO_IMPORT_SECRET
(from the environment) and sends `X-Jixiao-Timestamp` (Unix seconds) and `X-Jixiao-Signature:
sha256=<hex>`. A timestamp more than five minutes off, a wrong signature or one seen before
(replay) is refused. The body: {"identity": "erp", "rows": [{field: value, …}]} with the format's
field names (docs/imports.md).
"""

import csv
import hashlib
import hmac
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from app.api.limits import body_limit
from app.domain.import_formats import FORMATS
from app.errors import ApiError
from app.extensions import redis_store
from app.imports import service

bp = Blueprint("imports", __name__, url_prefix="/api/imports")
MAX_BODY_BYTES = 20 * 1024 * 1024
SKEW_SECONDS = 300
SEEN = "jixiao:import-webhook:{}"


@bp.post("/<format_code>")
@body_limit(MAX_BODY_BYTES)
def receive(format_code: str) -> Any:
    body = request.get_data(cache=False)
    _check_signature(body)
    if format_code not in FORMATS:
        raise ApiError("unknown_format", f"没有名为「{format_code}」的导入格式", 404)
    try:
        document = json.loads(body)
        rows, identity = document["rows"], str(document.get("identity") or "erp")
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise ApiError("webhook_body", "请求体应为 {\"rows\": [{字段: 值}]} 的 JSON", 400) from None
    fields = [spec.name for spec in FORMATS[format_code].fields]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.csv"
        with path.open("w", encoding="utf-8", newline="") as file:
            out = csv.writer(file)
            out.writerow(fields)
            out.writerows([_cell(row.get(name)) for name in fields] for row in rows)
        run = service.import_file(path, format_code=format_code, identity=identity,
                                  columns={name: name for name in fields}, uploader_id=None)
    return jsonify({"run_id": run.id, "counts": run.counts})


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _check_signature(body: bytes) -> None:
    secret = current_app.config.get("IMPORT_SECRET") or ""
    if not secret:
        raise ApiError("webhook_off", "未配置导入密钥（JIXIAO_IMPORT_SECRET），不接受推送", 403)
    stamp = request.headers.get("X-Jixiao-Timestamp", "")
    given = request.headers.get("X-Jixiao-Signature", "").removeprefix("sha256=")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > SKEW_SECONDS:
        raise ApiError("webhook_stale", "时间戳缺失或与服务器相差超过5分钟", 401)
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise ApiError("webhook_signature", "签名不正确", 401)
    if not redis_store.client.set(SEEN.format(expected), "1", nx=True, ex=2 * SKEW_SECONDS):
        raise ApiError("webhook_replay", "该请求已处理过（重放）", 409)
