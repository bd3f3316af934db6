"""One error shape for the whole API: {"error": {"code", "message" (zh-CN), "fields"}}.

Every refusal is a DomainError (the domain's own, or an ApiError raised by a service or an edge), so
one handler answers them all with their status: 409 for a state or window conflict, 422 for invalid
input, 4xx for the rest. Anything else is a 500 that names nothing internal.
"""

from collections.abc import Mapping

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from app.domain.errors import DomainError


class ApiError(DomainError):
    """A refusal raised outside the domain (not found, not allowed, a closed window …)."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None, fields: Mapping[str, object] | None = None):
        super().__init__(code, message, fields, status)


_HTTP_MESSAGES = {
    400: "请求格式有误",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "找不到该资源",
    405: "不支持该请求方法",
    413: "上传内容过大",
    429: "操作过于频繁，请稍后再试",
}


def error_response(code: str, message: str, status: int,
                   fields: Mapping[str, object] | None = None) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message, "fields": fields or {}}}), status


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_refusal(err: DomainError) -> tuple[Response, int]:
        return error_response(err.code, err.message, err.status, err.fields)

    @app.errorhandler(HTTPException)
    def handle_http_error(err: HTTPException) -> tuple[Response, int]:
        status = err.code or 500
        code = (err.name or "error").lower().replace(" ", "_")
        return error_response(code, _HTTP_MESSAGES.get(status, "请求失败"), status)

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception) -> tuple[Response, int]:
        app.logger.exception("unhandled error")
        return error_response("internal_error", "服务器内部错误，请稍后再试", 500)
