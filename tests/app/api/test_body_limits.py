"""Request body limits, per route, enforced before the body is read (issue 12 item 3).

The body is a stream that counts what the app took from it, so "refused before reading" is a number:
the bytes the server consumed. A declared Content-Length over the limit is a 413 with nothing read; a
body without one (chunked: the server terminates the stream) is cut off at the limit while streaming.
The real-socket version, against gunicorn as `make run` starts it, is tests/workers/test_supervisor.py.
"""

import io

import pytest
from flask import Flask

from app import create_app
from app.standins.wechat_state import dev_environment
from config import TestConfig

KIB = 1024
CALLBACK_LIMIT = 256 * KIB
DEFAULT_LIMIT = 1024 * KIB


class Body(io.BytesIO):
    """A request body whose position says how many bytes the app read from it."""

    def __init__(self, size: int):
        super().__init__(b"<" * size)

    @property
    def read_so_far(self) -> int:
        return self.tell()


@pytest.fixture(scope="module")
def wechat_app(tmp_path_factory, database_url, redis_url) -> Flask:
    """An app with the dev WeChat accounts, so a callback body under the limit reaches the gate."""
    environ = dev_environment("http://127.0.0.1:9") | {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "JIXIAO_INSTANCE": str(tmp_path_factory.mktemp("instance")),
    }
    return create_app(TestConfig(environ))


def post(app: Flask, path: str, body: Body, declared: int | None):
    """POST `body`; without `declared` it is chunked, as gunicorn presents such a body: no Content-Length
    and a stream the server terminates (wsgi.input_terminated). The test client would otherwise
    measure the stream and declare its length."""
    overrides = {"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"} if declared is None else {}
    return app.test_client().post(path, input_stream=body, content_length=declared, content_type="text/xml",
                                  environ_overrides=overrides)


def assert_too_large(response, limit: int) -> None:
    assert response.status_code == 413
    assert response.get_json()["error"] == {"code": "body_too_large", "message": "请求内容过大",
                                            "fields": {"max_bytes": limit}}


@pytest.mark.parametrize("channel", ["mp", "wecom", "oa"])
def test_a_callback_declaring_more_than_256_kib_is_refused_before_a_byte_is_read(wechat_app, channel):
    body = Body(CALLBACK_LIMIT + 1)
    response = post(wechat_app, f"/wechat/callback/{channel}", body, declared=CALLBACK_LIMIT + 1)
    assert_too_large(response, CALLBACK_LIMIT)
    assert body.read_so_far == 0


def test_a_callback_body_without_length_is_cut_off_at_256_kib_while_streaming(wechat_app):
    body = Body(8 * DEFAULT_LIMIT)
    response = post(wechat_app, "/wechat/callback/mp", body, declared=None)
    assert_too_large(response, CALLBACK_LIMIT)
    assert body.read_so_far <= CALLBACK_LIMIT + 64 * KIB  # the limit, plus at most one read ahead


def test_a_callback_body_at_the_limit_reaches_the_gate(wechat_app):
    body = Body(CALLBACK_LIMIT)
    response = post(wechat_app, "/wechat/callback/mp", body, declared=CALLBACK_LIMIT)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed"
    assert body.read_so_far == CALLBACK_LIMIT


def test_a_chunked_callback_body_of_exactly_the_limit_reaches_the_gate(wechat_app):
    response = post(wechat_app, "/wechat/callback/mp", Body(CALLBACK_LIMIT), declared=None)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed"


def test_any_other_route_refuses_a_declared_body_over_1_mib_before_reading(wechat_app):
    body = Body(DEFAULT_LIMIT + 1)
    response = post(wechat_app, "/healthz", body, declared=DEFAULT_LIMIT + 1)
    assert_too_large(response, DEFAULT_LIMIT)
    assert body.read_so_far == 0


def test_an_unknown_route_refuses_an_oversized_body_before_reading(wechat_app):
    body = Body(DEFAULT_LIMIT + 1)
    response = post(wechat_app, "/no/such/route", body, declared=DEFAULT_LIMIT + 1)
    assert_too_large(response, DEFAULT_LIMIT)
    assert body.read_so_far == 0


def test_a_small_body_on_another_route_is_not_refused_for_its_size(wechat_app):
    response = post(wechat_app, "/healthz", Body(100), declared=100)
    assert response.status_code == 405


def test_a_route_may_allow_more_than_the_default(tmp_path, database_url, redis_url):
    from app.api.limits import body_limit

    environ = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "JIXIAO_INSTANCE": str(tmp_path)}
    app = create_app(TestConfig(environ))

    @app.post("/upload")
    @body_limit(4 * DEFAULT_LIMIT)
    def upload():
        from flask import request

        return {"received": len(request.get_data(cache=False))}

    body = Body(2 * DEFAULT_LIMIT)
    assert post(app, "/upload", body, declared=2 * DEFAULT_LIMIT).get_json() == {"received": 2 * DEFAULT_LIMIT}
    assert post(app, "/upload", Body(4 * DEFAULT_LIMIT), declared=None).get_json() == {"received": 4 * DEFAULT_LIMIT}
    over = 4 * DEFAULT_LIMIT + 1
    assert_too_large(post(app, "/upload", Body(over), declared=over), 4 * DEFAULT_LIMIT)
    too_big = Body(4 * DEFAULT_LIMIT + 1)  # chunked: cut off while streaming, not silently truncated
    assert_too_large(post(app, "/upload", too_big, declared=None), 4 * DEFAULT_LIMIT)
    assert too_big.read_so_far <= 4 * DEFAULT_LIMIT + 64 * KIB
