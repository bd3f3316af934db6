"""The callback gate against published vectors (tests/fixtures/wechat/crypto_vectors.json)."""

import json

import pytest
from wechatpy.crypto.base import BasePrpCrypto

from app.standins.wechat_push import crypto_for
from app.wechat.callbacks import CallbackGate, CallbackRefused
from app.wechat.settings import Account
from config import BASE_DIR

VECTORS = json.loads((BASE_DIR / "tests/fixtures/wechat/crypto_vectors.json").read_text())
WECOM = VECTORS["wecom_wechatpy_tests"]
WECOM_ACCOUNT = Account("wecom", WECOM["corp_id"], "", WECOM["token"], WECOM["encoding_aes_key"], agent_id="1")


def gate(account: Account, at: str | int, production: bool = True) -> CallbackGate:
    return CallbackGate(account, production, clock=lambda: int(at))


def refused_code(action) -> str:
    with pytest.raises(CallbackRefused) as refused:
        action()
    return refused.value.code


def wecom_body(vector: dict) -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[{WECOM['corp_id']}]]></ToUserName>\n"
        f"<Encrypt><![CDATA[{vector['encrypt']}]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>"
    ).encode()


def test_wecom_url_verification_vector_answers_the_decrypted_echo():
    vector = WECOM["verify_url"]
    args = {key: vector[key] for key in ("msg_signature", "timestamp", "nonce", "echostr")}
    assert gate(WECOM_ACCOUNT, vector["timestamp"]).verify_url(args) == vector["expected_plain"]


def test_wecom_url_verification_with_another_nonce_is_refused():
    vector = WECOM["verify_url"]
    args = {key: vector[key] for key in ("msg_signature", "timestamp", "echostr")} | {"nonce": "437374424"}
    checker = gate(WECOM_ACCOUNT, vector["timestamp"])
    assert refused_code(lambda: checker.verify_url(args)) == "bad_signature"


def test_wecom_decrypt_vector_becomes_one_inbound_message():
    vector = WECOM["decrypt"]
    args = {key: vector[key] for key in ("msg_signature", "timestamp", "nonce")}

    opened = gate(WECOM_ACCOUNT, vector["timestamp"]).open(args, wecom_body(vector))

    message = opened.message
    assert (message.channel, message.sender, message.kind, message.content) == ("wecom", "messense", "text", "test")
    assert message.msg_id == "4363689963896700987"
    assert message.payload["AgentID"] == "1"
    assert int(message.created_at.timestamp()) == 1411525903
    assert opened.encrypted


def test_the_wecom_vector_outside_the_window_is_refused_and_leaves_nothing():
    vector = WECOM["decrypt"]
    args = {key: vector[key] for key in ("msg_signature", "timestamp", "nonce")}
    late = gate(WECOM_ACCOUNT, int(vector["timestamp"]) + 301)
    assert refused_code(lambda: late.open(args, wecom_body(vector))) == "stale_timestamp"


def test_the_wecom_vector_for_another_corp_is_refused():
    vector = WECOM["decrypt"]
    args = {key: vector[key] for key in ("msg_signature", "timestamp", "nonce")}
    other = Account("wecom", "ww-another-corp", "", WECOM["token"], WECOM["encoding_aes_key"])
    checker = gate(other, vector["timestamp"])
    assert refused_code(lambda: checker.open(args, wecom_body(vector))) == "bad_signature"


def test_official_doc_plain_mode_signature_passes_outside_production():
    vector = VECTORS["official_doc_plain_mode_signature"]
    account = Account("oa", "wx-oa", "", vector["token"], "")
    args = {key: vector[key] for key in ("signature", "timestamp", "nonce")}
    body = (
        b"<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1714037059</CreateTime>"
        b"<MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>"
    )

    opened = gate(account, vector["timestamp"], production=False).open(args, body)
    assert (opened.message.sender, opened.message.content, opened.encrypted) == ("o1", "hi", False)

    production = gate(account, vector["timestamp"], production=True)
    assert refused_code(lambda: production.open(args, body)) == "plaintext_refused"


def test_official_doc_get_verification_echoes_echostr():
    vector = VECTORS["official_doc_url_verify_get"]
    account = Account("mp", "wx-mp", "", vector["token"], "")
    args = {key: vector[key] for key in ("signature", "timestamp", "nonce", "echostr")}
    on_time = gate(account, vector["timestamp"])
    an_hour_late = gate(account, int(vector["timestamp"]) + 3600)
    assert on_time.verify_url(args) == vector["response_body"]
    assert refused_code(lambda: an_hour_late.verify_url(args)) == "stale_timestamp"
    assert refused_code(lambda: on_time.verify_url(args | {"nonce": "1"})) == "bad_signature"


def test_the_standins_wecom_encryption_matches_the_deterministic_vector(monkeypatch):
    vector = WECOM["encrypt_with_random_1234567890123456"]
    monkeypatch.setattr(BasePrpCrypto, "get_random_string", lambda self: "1234567890123456")
    sealed = crypto_for(WECOM_ACCOUNT).encrypt_message(vector["reply"], vector["nonce"], vector["timestamp"])
    assert f"<Encrypt><![CDATA[{vector['expected_encrypt']}]]></Encrypt>" in sealed
    assert f"<MsgSignature><![CDATA[{vector['expected_msg_signature']}]]></MsgSignature>" in sealed
