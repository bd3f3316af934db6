"""One error path: a refusal that escapes a view answers in the one error shape with its status —
409 for a state or window conflict, 422 for invalid input — and anything else is a bare 500."""

from datetime import date
from decimal import Decimal

import pytest
from flask import Blueprint

from app import create_app
from app.domain import targets
from app.domain.cycles import CycleStatus, advance
from app.domain.fx import RateTable
from app.domain.indicators import Kind
from app.errors import ApiError
from config import TestConfig

views = Blueprint("refusals", __name__)


@views.get("/published-month-reopened")
def reopen_a_published_month():
    advance("published", "open")


@views.get("/target-of-a-month-being-scored")
def amend_while_scoring():
    targets.check_amendable(CycleStatus.SCORING, Kind.QUANTITATIVE)


@views.get("/zero-target")
def zero_target():
    targets.check_new_target(Decimal(5), Decimal(0))


@views.get("/rate-nobody-entered")
def missing_rate():
    RateTable().convert(Decimal(10), "EUR", "USD", date(2026, 11, 2))


@views.get("/not-found")
def not_found():
    raise ApiError("not_found", "找不到该考核表", 404)


@views.get("/bug")
def bug():
    raise KeyError("internal detail")


@pytest.fixture(scope="module")
def client(database_url, redis_url, tmp_path_factory):
    environ = {"DATABASE_URL": database_url, "REDIS_URL": redis_url,
               "JIXIAO_INSTANCE": str(tmp_path_factory.mktemp("errors-instance"))}
    app = create_app(TestConfig(environ))
    app.register_blueprint(views, url_prefix="/t")
    return app.test_client()


@pytest.mark.parametrize(("path", "status", "code", "message", "fields"), [
    ("/t/published-month-reopened", 409, "cycle_illegal_transition", "考核周期不能从「已发布」变为「进行中」",
     {"status": "published", "target": "open"}),
    ("/t/target-of-a-month-being-scored", 409, "targets_frozen", "本月考核已进入评分，目标不能再调整", {}),
    ("/t/zero-target", 422, "invalid_input", "目标必须大于0", {"new_target": "必须大于0"}),
    ("/t/not-found", 404, "not_found", "找不到该考核表", {}),
])
def test_a_refusal_escaping_a_view_answers_in_the_error_shape(client, path, status, code, message, fields):
    response = client.get(path)
    assert response.status_code == status
    assert response.get_json() == {"error": {"code": code, "message": message, "fields": fields}}


def test_a_missing_exchange_rate_is_a_conflict_naming_the_rate(client):
    response = client.get("/t/rate-nobody-entered")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "fx_rate_missing"


def test_anything_else_is_a_500_that_names_nothing_internal(client):
    response = client.get("/t/bug")
    assert response.status_code == 500
    assert response.get_json() == {"error": {"code": "internal_error", "message": "服务器内部错误，请稍后再试",
                                             "fields": {}}}
    assert "internal detail" not in response.get_data(as_text=True)


def test_messages_are_sent_as_real_utf8(client):
    response = client.get("/t/zero-target")
    assert response.mimetype == "application/json"
    assert "目标必须大于0".encode() in response.data
