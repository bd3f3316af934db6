"""POST/GET /wechat/callback/<mp|wecom|oa>: one gate for three channels; refusals leave nothing behind."""

import base64
import json
import logging
import random
import struct
import time

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import delete, func, select
from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException

from app import create_app
from app.extensions import db
from app.models import WeChatPush
from app.services.notify import wechat_status
from app.standins.harness import ServedApp
from app.standins.wechat_push import (
    media_check_event,
    open_reply,
    push_signature,
    seal_push,
    sign_push,
    user_message,
)
from app.standins.wechat_state import DEV_ACCOUNTS, dev_environment
from app.wechat import pushes
from app.wechat.clients import build_client
from app.wechat.dispatch import Dispatcher
from app.wechat.inbound import parse_inbound
from app.wechat.settings import settings_from_config
from app.wechat.status import LAST_CALLBACKS
from config import TestConfig


class Clock:
    """The app's clock for callbacks: real time unless a test sets `now`."""

    def __init__(self):
        self.now = None

    def __call__(self) -> float:
        return time.time() if self.now is None else self.now


@pytest.fixture(scope="module")
def clock():
    return Clock()


def _app(tmp_path_factory, database_url, redis_url, clock, standin_url, **extra):
    environ = dev_environment(standin_url) | extra | {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "JIXIAO_INSTANCE": str(tmp_path_factory.mktemp("instance")), "SECRET_KEY": "test-secret-" + "k" * 32,
        "JIXIAO_MASTER_KEY": Fernet.generate_key().decode(),
    }
    return create_app(TestConfig(environ, WECHAT_CLOCK=clock))


@pytest.fixture(scope="module")
def wechat_app(tmp_path_factory, database_url, redis_url, clock, running_standin):
    return _app(tmp_path_factory, database_url, redis_url, clock, running_standin.url)


@pytest.fixture(scope="module")
def production_app(tmp_path_factory, database_url, redis_url, clock):
    # Production keeps the real hosts: only the callback credentials matter here.
    extra = {"JIXIAO_ENV": "production", "WECHAT_API_BASE": "", "WECOM_API_BASE": ""}
    return _app(tmp_path_factory, database_url, redis_url, clock, "", **extra)


class Received(list):
    """The messages that reached the dispatcher, and the app whose database keeps the pushes."""

    def __init__(self, app: Flask):
        super().__init__()
        self.app = app


@pytest.fixture
def received(wechat_app, production_app, redis_client, clock, running_standin):
    """What reached the dispatcher, in every app; a fresh dispatcher, Redis, stand-in and push table per test."""
    clock.now = None
    running_standin.reset()
    with wechat_app.app_context():
        db.session.execute(delete(WeChatPush))
        db.session.commit()
    messages = Received(wechat_app)
    for application in (wechat_app, production_app):
        dispatcher = application.extensions["wechat_dispatcher"] = Dispatcher()
        dispatcher.register("*", lambda message: messages.append(message))
    return messages


@pytest.fixture
def http(wechat_app, received):
    return wechat_app.test_client()


def push(client, channel: str, xml: str, at: float, mode: str = "aes", **overrides):
    query, body = sign_push(DEV_ACCOUNTS[channel], xml, at, mode)
    url = f"/wechat/callback/{channel}"
    return client.post(url, query_string=query | overrides, data=body, content_type="text/xml")


def text(channel: str, content: str = "进度怎么样", sender: str = "o-alice", at: float | None = None, **extra) -> str:
    return user_message(DEV_ACCOUNTS[channel], sender, at or time.time(), content=content, extra=extra or None)


def pushes_stored(received: "Received") -> int:
    with received.app.app_context():
        return db.session.scalar(select(func.count()).select_from(WeChatPush))


def assert_refused(response, code: str, status: int, received, redis_client):
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert received == []
    assert set(redis_client.keys("*")) <= {LAST_CALLBACKS.encode()}  # only what the admin's page shows
    assert pushes_stored(received) == 0


@pytest.mark.parametrize("channel", ["mp", "wecom", "oa"])
def test_a_valid_encrypted_message_passes_once(http, received, redis_client, channel):
    response = push(http, channel, text(channel), time.time())

    assert response.status_code == 200 and response.text == "success"
    (message,) = received
    assert (message.channel, message.sender, message.kind, message.content) == \
        (channel, "o-alice", "text", "进度怎么样")
    assert pushes_stored(received) == 1


def test_a_bad_signature_is_refused_and_logged(http, received, redis_client, caplog, monkeypatch):
    # The session fixture's migrations run alembic's fileConfig, which disables loggers that already exist.
    monkeypatch.setattr(logging.getLogger("app.wechat.callbacks"), "disabled", False)
    response = push(http, "wecom", text("wecom"), time.time(), msg_signature="0" * 40)
    assert_refused(response, "bad_signature", 403, received, redis_client)
    assert "wechat wecom callback refused: bad_signature" in caplog.text


def test_an_envelope_encrypted_for_another_account_is_refused(http, received, redis_client):
    query, body = sign_push(DEV_ACCOUNTS["oa"], text("oa"), time.time())
    response = http.post("/wechat/callback/mp", query_string=query, data=body)
    assert_refused(response, "bad_signature", 403, received, redis_client)


def test_a_stale_timestamp_is_refused(http, received, redis_client, clock):
    clock.now = time.time() + 301
    response = push(http, "mp", text("mp"), time.time())
    assert_refused(response, "stale_timestamp", 403, received, redis_client)


@pytest.mark.parametrize("channel", ["mp", "wecom", "oa"])
def test_wechats_retry_of_an_accepted_push_gets_the_first_answer_and_acts_once(
        wechat_app, http, received, channel):
    wechat_app.extensions["wechat_dispatcher"].register("text", lambda m: received.append(m) or "收到", channel=channel)
    xml = text(channel)
    first = push(http, channel, xml, time.time())
    retries = [push(http, channel, xml, time.time()) for _ in range(2)]  # WeChat signs each retry afresh

    assert [r.status_code for r in [first, *retries]] == [200, 200, 200]
    replies = [open_reply(DEV_ACCOUNTS[channel], r.text) for r in [first, *retries]]
    assert all("<Content><![CDATA[收到]]></Content>" in reply for reply in replies)
    assert len(received) == 1  # handled once


def test_a_retry_while_the_first_delivery_is_still_handled_is_asked_to_come_again(http, received):
    xml = text("mp")
    message = parse_inbound("mp", xml)
    with received.app.app_context():
        first = pushes.claim("mp", message.dedupe_key)  # the first delivery, still being handled
    busy = push(http, "mp", xml, time.time())
    assert (busy.status_code, busy.get_json()["error"]["code"], len(received)) == (503, "in_progress", 0)
    with received.app.app_context():
        pushes.release(first.push_id)  # its handler failed: WeChat's next retry is handled
    assert push(http, "mp", xml, time.time()).status_code == 200
    assert len(received) == 1


def test_a_retry_of_a_push_answered_with_success_gets_success(http, received):
    xml = text("oa")
    assert push(http, "oa", xml, time.time()).text == "success"
    again = push(http, "oa", xml, time.time())
    assert (again.status_code, again.text, len(received)) == (200, "success", 1)


def test_two_different_events_from_one_user_in_the_same_second_are_both_handled(http, received):
    now = time.time()
    subscribe = user_message(DEV_ACCOUNTS["oa"], "o-bob", now, msg_type="event", event="subscribe")
    click = user_message(DEV_ACCOUNTS["oa"], "o-bob", now, msg_type="event", event="CLICK",
                         extra={"EventKey": "TODO"})
    other_click = user_message(DEV_ACCOUNTS["oa"], "o-bob", now, msg_type="event", event="CLICK",
                               extra={"EventKey": "TEAM"})
    assert [push(http, "oa", xml, now).status_code for xml in (subscribe, click, other_click)] == [200, 200, 200]
    assert [(m.event, m.payload.get("EventKey")) for m in received] == [
        ("subscribe", None), ("click", "TODO"), ("click", "TEAM")]


def test_a_push_accepted_before_redis_lost_its_data_is_not_acted_on_again(http, received, redis_client):
    xml = text("mp")
    assert push(http, "mp", xml, time.time()).status_code == 200
    redis_client.flushdb()  # Redis killed and restarted without its data (this test's db only)
    assert push(http, "mp", xml, time.time()).status_code == 200
    assert len(received) == 1


def test_malformed_xml_is_refused(http, received, redis_client):
    now = str(int(time.time()))
    signature = push_signature(DEV_ACCOUNTS["mp"].token, now, "1")
    query = {"signature": signature, "msg_signature": "x", "timestamp": now, "nonce": "1", "encrypt_type": "aes"}
    response = http.post("/wechat/callback/mp", query_string=query, data=b"<xml><Encrypt>")
    assert_refused(response, "malformed", 400, received, redis_client)


NOT_WECHAT_XML = [
    b'<?xml version="1.0" encoding="rot13"?><xml><Encrypt>x</Encrypt></xml>',
    b'<?xml version="1.0" encoding="utf-7"?><xml><Encrypt>x</Encrypt></xml>',
    b'<?xml version="1.0" encoding="bogus"?><xml><Encrypt>x</Encrypt></xml>',
    b'{"Encrypt": "x"}',
    b"",
]


@pytest.mark.parametrize("body", NOT_WECHAT_XML)
@pytest.mark.parametrize("mode", ["aes", "plain"])
@pytest.mark.parametrize("channel", ["mp", "wecom", "oa"])
def test_a_body_that_is_not_wechats_xml_is_a_400_unsigned_in_every_configuration(
        wechat_app, production_app, received, redis_client, channel, mode, body):
    query = {"timestamp": str(int(time.time())), "nonce": "1"} | ({"encrypt_type": "aes"} if mode == "aes" else {})
    for application in (wechat_app, production_app):
        response = application.test_client().post(f"/wechat/callback/{channel}", query_string=query, data=body,
                                                  content_type="text/xml")
        assert_refused(response, "malformed", 400, received, redis_client)


def test_malformed_xml_inside_a_valid_envelope_is_refused(http, received, redis_client):
    response = push(http, "wecom", "<xml><FromUserName>o1</FromUserName>", time.time())
    assert_refused(response, "malformed", 400, received, redis_client)


def test_a_message_without_its_required_fields_is_refused(http, received, redis_client):
    response = push(http, "mp", "<xml><Content>no sender</Content></xml>", time.time())
    assert_refused(response, "malformed", 400, received, redis_client)


@pytest.mark.parametrize("channel", ["mp", "wecom", "oa"])
def test_a_wrong_aes_key_of_ours_is_reported_as_misconfiguration(
        tmp_path_factory, database_url, redis_url, clock, received, redis_client, caplog, channel):
    """The push is signed with our token, so it is WeChat's: failing to decrypt it means our key is wrong."""
    name = {"mp": "WECHAT_MP_AES_KEY", "wecom": "WECOM_AES_KEY", "oa": "WECHAT_OA_AES_KEY"}[channel]
    other_key = "b" * 43
    misconfigured = _app(tmp_path_factory, database_url, redis_url, clock, "http://127.0.0.1:9", **{name: other_key})
    misconfigured.extensions["wechat_dispatcher"] = Dispatcher()
    response = push(misconfigured.test_client(), channel, text(channel), time.time())
    assert_refused(response, "wechat_misconfigured", 500, received, redis_client)
    assert "EncodingAESKey" in response.get_json()["error"]["message"]
    assert any(r.levelname == "ERROR" and "wechat_misconfigured" in r.getMessage() for r in caplog.records)


def test_noise_that_parses_under_our_wrong_key_is_still_misconfiguration(
        tmp_path_factory, database_url, redis_url, clock, received, redis_client):
    """Under a wrong key a push decrypts to noise, and about one push in a hundred the noise happens
    to unpad and split into an unreadable app id: our key is still the wrong one, not the sender."""
    wrong_key = "b" * 43
    encrypt = noise_read_as_a_foreign_app_id(wrong_key, DEV_ACCOUNTS["mp"].appid)
    misconfigured = _app(tmp_path_factory, database_url, redis_url, clock, "http://127.0.0.1:9",
                         WECHAT_MP_AES_KEY=wrong_key)
    misconfigured.extensions["wechat_dispatcher"] = Dispatcher()
    query, body = seal_push(DEV_ACCOUNTS["mp"], encrypt, str(int(time.time())), "1")
    response = misconfigured.test_client().post("/wechat/callback/mp", query_string=query, data=body)
    assert_refused(response, "wechat_misconfigured", 500, received, redis_client)


def noise_read_as_a_foreign_app_id(aes_key: str, appid: str) -> str:
    """The first of a seeded run of random ciphertexts that wechatpy, under `aes_key`, reads as a
    message for another app id (rather than failing to decode it)."""
    crypto = PrpCrypto(base64.b64decode(aes_key + "="))
    rng = random.Random(7)
    for _ in range(10_000):
        encrypt = base64.b64encode(rng.randbytes(16 * 8)).decode()
        try:
            crypto.decrypt(encrypt, appid)
        except InvalidAppIdException:
            return encrypt
        except (UnicodeDecodeError, struct.error):  # noise that fails to decode: the common case
            continue
    raise AssertionError("no such noise in 10,000 tries")


def test_a_plain_mode_message_under_production_is_refused(production_app, received, redis_client):
    response = push(production_app.test_client(), "oa", text("oa"), time.time(), mode="plain")
    assert_refused(response, "plaintext_refused", 403, received, redis_client)


def test_production_still_accepts_encrypted_messages(production_app, received):
    assert push(production_app.test_client(), "oa", text("oa"), time.time()).status_code == 200
    assert len(received) == 1


def test_plain_mode_is_accepted_outside_production_with_a_valid_signature(http, received, redis_client):
    assert push(http, "mp", text("mp"), time.time(), mode="plain").status_code == 200
    response = push(http, "mp", text("mp", sender="o-eve"), time.time(), mode="plain", signature="0" * 40)
    assert response.status_code == 403
    assert len(received) == 1


def test_a_handler_reply_goes_back_encrypted_as_a_passive_reply(wechat_app, http, received):
    wechat_app.extensions["wechat_dispatcher"].register("text", lambda message: f"收到：{message.content}",
                                                         channel="wecom")

    response = push(http, "wecom", text("wecom", content="同意申诉", sender="zhang"), time.time())

    reply = open_reply(DEV_ACCOUNTS["wecom"], response.text)
    assert "<Content><![CDATA[收到：同意申诉]]></Content>" in reply
    assert "<ToUserName><![CDATA[zhang]]></ToUserName>" in reply
    assert "<AgentID>1000002</AgentID>" in reply


def test_a_failing_handler_lets_wechats_retry_through(wechat_app, http, received):
    calls = []

    def flaky(message):
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("database busy")

    wechat_app.extensions["wechat_dispatcher"].register("text", flaky)
    xml = text("mp")
    assert push(http, "mp", xml, time.time()).status_code == 500
    assert push(http, "mp", xml, time.time()).status_code == 200
    assert len(calls) == 2


def test_get_verification_echoes_for_mp_and_decrypts_for_wecom(http, received, redis_client):
    now = str(int(time.time()))
    mp = DEV_ACCOUNTS["mp"]
    args = {"signature": push_signature(mp.token, now, "7"), "timestamp": now, "nonce": "7", "echostr": "12345"}
    assert http.get("/wechat/callback/mp", query_string=args).text == "12345"
    assert http.get("/wechat/callback/mp", query_string=args | {"nonce": "8"}).status_code == 403

    query, body = sign_push(DEV_ACCOUNTS["wecom"], "67890", float(now))
    encrypt = body.split("<Encrypt>")[1].split("</Encrypt>")[0]
    args = {"msg_signature": query["msg_signature"], "timestamp": now, "nonce": query["nonce"], "echostr": encrypt}
    assert http.get("/wechat/callback/wecom", query_string=args).text == "67890"
    assert redis_client.keys("*") == [LAST_CALLBACKS.encode()]  # only what the admin's page shows
    assert json.loads(redis_client.hget(LAST_CALLBACKS, "wecom:accepted"))["code"] == "verify_url"


def test_a_channel_without_credentials_is_not_found(client):
    response = client.post("/wechat/callback/wecom", data=b"<xml/>")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "wechat_not_configured"
    assert client.post("/wechat/callback/unknown", data=b"<xml/>").status_code == 404


def test_media_check_result_is_pushed_back_over_http_and_dispatched(
    wechat_app, received, redis_client, running_standin
):
    served = ServedApp(wechat_app)
    try:
        running_standin.configure(
            callback_urls={"mp": f"{served.url}/wechat/callback/mp"},
            media_verdicts={"https://files.example.com/risky.png": "risky"},
        )
        mp = build_client(settings_from_config(dev_environment(running_standin.url)), "mp", redis_client)
        passed = mp.check_media_async("https://files.example.com/ok.png", "o-alice")
        risky = mp.check_media_async("https://files.example.com/risky.png", "o-alice")

        deliveries = running_standin.deliver()
    finally:
        served.stop()

    assert [(d["status"], d["body"]) for d in deliveries] == [(200, "success"), (200, "success")]
    verdicts = {m.payload["trace_id"]: m.payload["result"]["suggest"] for m in received}
    assert verdicts == {passed: "pass", risky: "risky"}
    assert {m.route for m in received} == {"event.wxa_media_check"}
    assert running_standin.deliver() == []  # delivered once; WeChat's retries would get the first answer


def test_the_standin_push_of_a_user_message_gets_the_passive_reply(wechat_app, received, running_standin):
    wechat_app.extensions["wechat_dispatcher"].register("text", lambda message: "好的", channel="oa")
    served = ServedApp(wechat_app)
    try:
        running_standin.configure(callback_urls={"oa": f"{served.url}/wechat/callback/oa"})
        running_standin.push("oa", "o-manager", content="查看本周汇总")
        (delivery,) = running_standin.deliver()
    finally:
        served.stop()
    assert delivery["status"] == 200
    assert "<Content><![CDATA[好的]]></Content>" in delivery["reply"]


def test_media_check_event_xml_parses_with_its_nested_result(http, received):
    xml = media_check_event(DEV_ACCOUNTS["mp"], "o-alice", "trace-1", "review", time.time())
    assert push(http, "mp", xml, time.time()).status_code == 200
    (message,) = received
    assert message.dedupe_key == "trace:trace-1"
    assert message.payload["result"] == {"suggest": "review", "label": "20002"}


def test_the_admins_page_shows_each_channels_last_accepted_and_refused_callback(wechat_app, http, received):
    push(http, "wecom", text("wecom"), time.time(), msg_signature="0" * 40)
    push(http, "oa", text("oa"), time.time())
    with wechat_app.test_request_context():
        shown = {c["code"]: c for c in wechat_status.channels(wechat_app.config, "http://kpi.test/")}
    assert shown["wecom"]["refused"]["code"] == "bad_signature" and shown["wecom"]["accepted"] is None
    assert "Token" in shown["wecom"]["refused"]["fix"]
    assert shown["oa"]["accepted"]["code"] == "text" and shown["oa"]["refused"] is None
    assert shown["mp"]["callback_url"] == "http://kpi.test/wechat/callback/mp"
    assert shown["mp"]["can_call"] and shown["mp"]["can_receive"] and shown["mp"]["encrypted"]
    report = next(t for t in shown["mp"]["templates"] if t["kind"] == "考核结果")
    assert report["id"] is None and [f["fact"] for f in report["fields"]] == ["事项", "总分", "等级", "时间"]
    assert shown["wecom"]["templates"] == []  # WeCom sends app messages
