"""Secrets never reach the database or the log: when WeChat cannot be reached or answers 5xx, the
outbox and its delivery attempts keep host, path and the kind of error — never a query string
(corpsecret=…, access_token=…) or a header."""

import logging

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Base
from app.standins.wechat_state import DEV_ACCOUNTS
from tests.support.outbox import WECOM, reminder, tick
from tests.support.people import person

WECOM_SECRET = DEV_ACCOUNTS["wecom"].secret
GETTOKEN = "/cgi-bin/gettoken"


def everything_stored() -> str:
    """Every row of every table, as text."""
    return "\n".join(str(row) for table in Base.metadata.sorted_tables
                     for row in db.session.execute(sa.select(table)).all())


def tokens_used(standin) -> list[str]:
    """The access tokens our calls carried (in their query string, as WeChat wants them)."""
    return sorted({r["args"]["access_token"] for r in standin.requests() if r["args"].get("access_token")})


@pytest.fixture
def wecom_person(db_session):
    return person(db_session, "张三", wecom="zhangsan")


def deliver_once(db_session, clock, redis_client, employee, key: str) -> str:
    message = reminder(db_session, employee, key, clock.now)
    tick(clock, redis_client)
    db_session.refresh(message)
    assert message.attempts == 1 and message.status == "pending", "the failure must be a retryable one"
    return message.last_error or ""


def assert_no_secret(texts: list[str], secrets: list[str]) -> None:
    for secret in secrets:
        assert secret and not any(secret in text for text in texts), secret


@pytest.mark.parametrize("failing", [GETTOKEN, WECOM])
def test_a_5xx_from_wechat_leaves_no_secret_in_the_tables_or_the_log(
        db_session, clock, redis_client, standin, wecom_person, caplog, failing):
    caplog.set_level(logging.DEBUG)
    standin.script(failing, http_status=502)
    last_error = deliver_once(db_session, clock, redis_client, wecom_person, f"secret-{failing}")
    assert "502" in last_error and failing in last_error  # still says what failed, and where
    secrets = [WECOM_SECRET] + tokens_used(standin)
    assert len(secrets) == (2 if failing == WECOM else 1)
    assert_no_secret([everything_stored(), caplog.text], secrets)


def test_wechat_unreachable_leaves_no_secret_in_the_tables_or_the_log(
        app, db_session, clock, redis_client, standin, wecom_person, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setitem(app.config, "WECOM_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setitem(app.extensions, "wechat_clients", {})
    last_error = deliver_once(db_session, clock, redis_client, wecom_person, "unreachable")
    assert "127.0.0.1:9" in last_error and GETTOKEN in last_error
    assert_no_secret([everything_stored(), caplog.text], [WECOM_SECRET])
