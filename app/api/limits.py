"""Request body limits, per route, enforced before a byte of the body is read.

Every route gets MAX_CONTENT_LENGTH (1 MiB) unless its view declares its own with `@body_limit` (the
WeChat callbacks 256 KiB; uploads will declare theirs). Reading a body first and measuring it after is
what let one client take a worker to 721 MB, so the limit acts at two points, neither of which buffers:

- a declared Content-Length over the limit is refused (413) before the view runs;
- a body without one (chunked) streams through Werkzeug's LimitedStream, which stops at the limit
  (request.max_content_length, set here per request). That stream ends at the limit without saying
  whether the body went on, so `Request.get_data` (and get_json, which reads through it) asks the
  server's stream for one byte more: a body that went on is a 413, never a body silently cut short.

Both answer in the app's one error shape, with the limit in `fields` so a client knows what fits.
"""

from collections.abc import Callable
from typing import TypeVar

import flask
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import error_response

View = TypeVar("View", bound=Callable[..., object])
_ATTRIBUTE = "max_body_bytes"


def body_limit(max_bytes: int) -> Callable[[View], View]:
    """Give one view its own body limit (place it under the route decorator)."""

    def mark(view: View) -> View:
        setattr(view, _ATTRIBUTE, max_bytes)
        return view

    return mark


class Request(flask.Request):
    """Flask's request, except that a chunked body running past the limit is refused, not truncated."""

    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False):  # type: ignore[override]
        data = super().get_data(cache=cache, as_text=False, parse_form_data=parse_form_data)
        if self._went_past_the_limit(data):
            raise RequestEntityTooLarge()
        return data.decode(errors="replace") if as_text else data

    def _went_past_the_limit(self, data: bytes) -> bool:
        """Only for a body without Content-Length that filled the limit: the server terminates that
        stream (wsgi.input_terminated), so asking it for one more byte cannot block."""
        limit = self.max_content_length
        if self.content_length is not None or limit is None or len(data) < limit:
            return False
        return bool(self.environ.get("wsgi.input_terminated") and self.environ["wsgi.input"].read(1))


def register(app: Flask) -> None:
    """Run first among the request hooks, so no hook can read a body before its limit is in place."""
    app.request_class = Request
    app.before_request_funcs.setdefault(None, []).insert(0, _apply_limit)
    app.register_error_handler(RequestEntityTooLarge, _too_large)


def _limit_of_this_request() -> int:
    view = current_app.view_functions.get(request.endpoint or "")
    limit: int = getattr(view, _ATTRIBUTE, current_app.config["MAX_CONTENT_LENGTH"])
    return limit


def _apply_limit() -> None:
    limit = _limit_of_this_request()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def _too_large(err: RequestEntityTooLarge) -> tuple[Response, int]:
    return error_response("body_too_large", "请求内容过大", 413, {"max_bytes": request.max_content_length})
