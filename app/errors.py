"""One error shape for the whole API: {"error": {"code", "message" (zh-CN), "fields"}}."""

from flask import jsonify
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An error meant for the caller: a stable code for programs, a Chinese message for people."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None, fields: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status


_HTTP_MESSAGES = {
    400: "请求格式有误",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "找不到该资源",
    405: "不支持该请求方法",
    413: "上传内容过大",
    429: "操作过于频繁，请稍后再试",
}


def error_response(code: str, message: str, status: int, fields: dict | None = None):
    return jsonify({"error": {"code": code, "message": message, "fields": fields or {}}}), status


def register(app) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(err: ApiError):
        return error_response(err.code, err.message, err.status, err.fields)

    @app.errorhandler(HTTPException)
    def handle_http_error(err: HTTPException):
        code = (err.name or "error").lower().replace(" ", "_")
        return error_response(code, _HTTP_MESSAGES.get(err.code, "请求失败"), err.code or 500)

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception):
        app.logger.exception("unhandled error")
        return error_response("internal_error", "服务器内部错误，请稍后再试", 500)
