"""Access tokens: one per account in Redis for every process, and a bounded retry on token errors."""

import subprocess
import sys

import pytest
import redis

from app.standins.wechat_state import dev_environment
from app.wechat.clients import build_client
from app.wechat.errors import BadCredentials, TokenRejected, Unavailable
from app.wechat.settings import settings_from_config
from config import BASE_DIR

SEND = "/cgi-bin/message/subscribe/send"
STABLE = "/cgi-bin/stable_token"
FIELDS = {"thing1": "今日进度已提交"}

CHILD = """
import sys, redis
from app.standins.wechat_state import dev_environment
from app.wechat.clients import build_client
from app.wechat.settings import settings_from_config

standin_url, redis_url, openid = sys.argv[1:4]
r = redis.Redis.from_url(redis_url)
client = build_client(settings_from_config(dev_environment(standin_url)), "mp", r)
r.rpush("test:ready", openid)
assert r.blpop(["test:go"], timeout=30), "parent never said go"
client.send_subscribe(openid, "TPL", {"thing1": "今日进度已提交"})
"""


def test_two_processes_share_one_token(standin, redis_client, redis_url):
    waiting = redis.Redis.from_url(redis_url)  # no 2 s socket timeout: children take a moment to start
    standin.grant("o-alice", "TPL")
    standin.grant("o-bob", "TPL")
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD, standin.url, redis_url, openid], cwd=BASE_DIR)
        for openid in ("o-alice", "o-bob")
    ]
    # Both are ready and waiting before either asks for a token: they race for it.
    assert waiting.blpop(["test:ready"], timeout=60) and waiting.blpop(["test:ready"], timeout=60)
    waiting.rpush("test:go", "1", "1")
    assert [child.wait(timeout=60) for child in children] == [0, 0]

    assert standin.count(STABLE) == 1
    sends = standin.requests(SEND)
    assert sorted(send["json"]["touser"] for send in sends) == ["o-alice", "o-bob"]
    assert len({send["args"]["access_token"] for send in sends}) == 1


def test_the_token_lives_in_redis_and_expires_before_wechats(mp, standin, redis_client):
    standin.grant("o1", "TPL")
    mp.send_subscribe("o1", "TPL", FIELDS)

    key = "jixiao:wechat:wxjixiaodevmp0001_access_token"
    assert redis_client.get(key).decode().strip('"') == standin.requests(SEND)[0]["args"]["access_token"]
    assert 6000 < redis_client.ttl(key) <= 7200 - 300


def test_a_second_client_reuses_the_stored_token(settings, standin, redis_client):
    standin.grant("o1", "TPL", count=2)
    build_client(settings, "mp", redis_client).send_subscribe("o1", "TPL", FIELDS)
    build_client(settings, "mp", redis_client).send_subscribe("o1", "TPL", FIELDS)
    assert standin.count(STABLE) == 1


def test_40001_refreshes_once_and_resends(mp, standin):
    standin.grant("o1", "TPL")
    standin.script(SEND, 40001)

    mp.send_subscribe("o1", "TPL", FIELDS)

    assert [send["errcode"] for send in standin.requests(SEND)] == [40001, 0]
    assert standin.count(STABLE) == 2


def test_40001_twice_gives_up_after_one_refresh(mp, standin):
    standin.grant("o1", "TPL")
    standin.script(SEND, 40001, times=5)

    with pytest.raises(TokenRejected) as refused:
        mp.send_subscribe("o1", "TPL", FIELDS)

    assert refused.value.errcode == 40001
    assert standin.count(SEND) == 2
    assert standin.count(STABLE) == 2


def test_an_expired_token_is_replaced_and_the_send_goes_through(mp, standin):
    standin.grant("o1", "TPL", count=2)
    mp.send_subscribe("o1", "TPL", FIELDS)
    standin.expire_tokens()

    mp.send_subscribe("o1", "TPL", FIELDS)

    sends = standin.requests(SEND)
    assert [send["errcode"] for send in sends] == [0, 42001, 0]
    assert sends[0]["args"]["access_token"] == sends[1]["args"]["access_token"] != sends[2]["args"]["access_token"]


def test_the_wecom_token_key_does_not_carry_the_secret(wecom, standin, redis_client):
    standin.add_user("zhang", "张三")
    wecom.send_text(["zhang"], "你好")
    (key,) = redis_client.keys("jixiao:wechat:ww*")
    assert b"dev-wecom" not in key


def test_wecom_token_errors_are_bounded_too(wecom, standin):
    standin.add_user("zhang", "张三")
    standin.script("/cgi-bin/message/send", 42001, times=2)
    with pytest.raises(TokenRejected):
        wecom.send_text(["zhang"], "你好")
    assert standin.count("/cgi-bin/message/send") == 2
    assert standin.count("/cgi-bin/gettoken") == 2


def test_a_wrong_secret_is_reported_as_bad_credentials_without_retrying(standin, redis_client):
    environ = dev_environment(standin.url) | {"WECHAT_MP_SECRET": "wrong"}
    client = build_client(settings_from_config(environ), "mp", redis_client)
    with pytest.raises(BadCredentials) as refused:
        client.send_subscribe("o1", "TPL", FIELDS)
    assert refused.value.errcode == 40125
    assert standin.count(STABLE) == 1
    assert standin.count(SEND) == 0


def test_an_unreachable_wechat_is_reported_as_unavailable(redis_client):
    environ = dev_environment("http://127.0.0.1:9")  # discard port: nothing listens
    client = build_client(settings_from_config(environ), "mp", redis_client)
    with pytest.raises(Unavailable):
        client.send_subscribe("o1", "TPL", FIELDS)


def test_a_client_pointed_at_the_standin_never_reaches_the_real_host(mp):
    with pytest.raises(RuntimeError, match="refusing https://api.weixin.qq.com"):
        mp.api.get("https://api.weixin.qq.com/cgi-bin/get_api_domain_ip", params={"access_token": "x"})


def test_production_settings_keep_the_real_hosts():
    settings = settings_from_config({"ENV_NAME": "production", "WECHAT_MP_APPID": "wx1", "WECHAT_MP_SECRET": "s"})
    assert settings.base_for("mp") == "https://api.weixin.qq.com"
    assert settings.base_for("wecom") == "https://qyapi.weixin.qq.com"
