"""The WeChat stand-in behaves like WeChat's documentation, over plain HTTP (no client of ours)."""

import json
import subprocess
import sys

import pytest
import requests
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto

from app.standins.wechat import standin_command
from app.standins.wechat_push import push_signature, sign_push, user_message
from app.standins.wechat_state import DEV_ACCOUNTS, dev_environment
from config import BASE_DIR

MP, WORK, OA = DEV_ACCOUNTS["mp"], DEV_ACCOUNTS["wecom"], DEV_ACCOUNTS["oa"]


def stable_token(standin, account=MP, **extra) -> dict:
    body = {"grant_type": "client_credential", "appid": account.appid, "secret": account.secret, **extra}
    return requests.post(f"{standin.url}/cgi-bin/stable_token", data=json.dumps(body)).json()


def subscribe(standin, token: str, data: dict, touser="o1") -> dict:
    body = {"touser": touser, "template_id": "TPL", "data": data}
    url = f"{standin.url}/cgi-bin/message/subscribe/send"
    return requests.post(url, params={"access_token": token}, json=body).json()


def test_stable_token_is_the_same_for_every_caller_until_forced(standin):
    first, second = stable_token(standin), stable_token(standin)
    assert first["access_token"] == second["access_token"]
    assert first["expires_in"] == 7200
    assert stable_token(standin, force_refresh=True)["access_token"] != first["access_token"]


def test_the_old_token_endpoint_invalidates_the_previous_token(standin):
    url = f"{standin.url}/cgi-bin/token"
    params = {"grant_type": "client_credential", "appid": MP.appid, "secret": MP.secret}
    old = requests.get(url, params=params).json()["access_token"]
    requests.get(url, params=params)
    standin.grant("o1", "TPL")
    assert subscribe(standin, old, {"thing1": {"value": "好"}})["errcode"] == 40001


def test_wrong_credentials_get_wechats_codes(standin):
    assert stable_token(standin, secret="nope")["errcode"] == 40125
    body = {"grant_type": "client_credential", "appid": "wx-unknown", "secret": "x"}
    assert requests.post(f"{standin.url}/cgi-bin/stable_token", data=json.dumps(body)).json()["errcode"] == 40013
    params = {"corpid": WORK.appid, "corpsecret": "nope"}
    assert requests.get(f"{standin.url}/cgi-bin/gettoken", params=params).json()["errcode"] == 40001


def test_tokens_expire_on_the_standins_clock(standin):
    token = stable_token(standin)["access_token"]
    standin.grant("o1", "TPL")
    standin.advance(7201)
    assert subscribe(standin, token, {"thing1": {"value": "好"}})["errcode"] == 42001
    assert subscribe(standin, "", {"thing1": {"value": "好"}})["errcode"] == 41001


def test_a_token_of_one_account_does_not_open_anothers_api(standin):
    token = stable_token(standin)["access_token"]
    url = f"{standin.url}/cgi-bin/message/send"
    answer = requests.post(url, params={"access_token": token}, json={"touser": "a", "agentid": 1000002}).json()
    assert answer["errcode"] == 40001


def test_a_bad_field_is_refused_with_47003_naming_it(standin):
    token = stable_token(standin)["access_token"]
    standin.grant("o1", "TPL")
    answer = subscribe(standin, token, {"thing1": {"value": "好"}, "phrase2": {"value": "不是五个字以内"}})
    assert answer["errcode"] == 47003
    assert "data.phrase2.value" in answer["errmsg"]
    assert subscribe(standin, token, {"thing1": {"value": "好"}})["errcode"] == 0  # the grant was not used up


def test_scripted_errors_answer_the_next_calls_then_stop(standin):
    standin.script("/cgi-bin/stable_token", 45009, times=2)
    assert [stable_token(standin).get("errcode", 0) for _ in range(3)] == [45009, 45009, 0]
    assert [call.get("errcode") for call in standin.requests("/cgi-bin/stable_token")] == [45009, 45009, 0]


def test_reset_forgets_requests_tokens_and_grants(standin):
    token = stable_token(standin)["access_token"]
    standin.grant("o1", "TPL")
    standin.reset()
    assert standin.requests() == []
    assert subscribe(standin, token, {"thing1": {"value": "好"}})["errcode"] == 40001


def test_five_customer_service_replies_per_window(standin):
    body = {"grant_type": "client_credential", "appid": OA.appid, "secret": OA.secret}
    token = requests.post(f"{standin.url}/cgi-bin/stable_token", data=json.dumps(body)).json()["access_token"]
    standin.interact("o-manager")
    url = f"{standin.url}/cgi-bin/message/custom/send"
    message = {"touser": "o-manager", "msgtype": "text", "text": {"content": "好"}}
    codes = [requests.post(url, params={"access_token": token}, json=message).json()["errcode"] for _ in range(6)]
    assert codes == [0, 0, 0, 0, 0, 45047]


def test_media_check_needs_the_v2_body(standin):
    token = stable_token(standin)["access_token"]
    url = f"{standin.url}/wxa/media_check_async"
    v1 = requests.post(url, params={"access_token": token}, json={"media_url": "https://x/1.png", "media_type": 2})
    assert v1.json()["errcode"] == 47001


def test_unknown_switches_are_refused(standin):
    assert requests.post(f"{standin.url}/_standin/config", json={"no_such": True}).status_code == 400


def test_a_push_without_a_callback_url_is_reported_not_lost_silently(standin):
    standin.push("mp", "o1", content="你好")
    (delivery,) = standin.deliver()
    assert delivery["status"] is None and delivery["body"] == "no callback URL"


def test_pushes_are_signed_and_encrypted_as_wechat_does(standin):
    xml = user_message(MP, "o1", 1714036504, content="你好")
    query, body = sign_push(MP, xml, 1714036504, nonce="123")
    assert query["signature"] == push_signature(MP.token, "1714036504", "123")
    assert query["encrypt_type"] == "aes"
    crypto = WeChatCrypto(MP.token, MP.aes_key, MP.appid)
    opened = crypto.decrypt_message(body, query["msg_signature"], "1714036504", "123")
    assert opened == xml

    query, body = sign_push(WORK, user_message(WORK, "zhang", 1714036504, content="好"), 1714036504, nonce="9")
    crypto = WeComCrypto(WORK.token, WORK.aes_key, WORK.appid)
    opened = crypto.decrypt_message(body, query["msg_signature"], "1714036504", "9")
    assert "<AgentID>1000002</AgentID>" in opened


def test_dev_environment_points_every_channel_at_the_standin():
    environ = dev_environment("http://127.0.0.1:8001")
    assert environ["WECHAT_API_BASE"] == environ["WECOM_API_BASE"] == "http://127.0.0.1:8001"
    assert environ["WECOM_AGENT_ID"] == "1000002"


def test_make_run_starts_it_as_a_process_that_serves_the_real_paths():
    command = standin_command(sys.executable, "127.0.0.1", 0, "http://127.0.0.1:8000")
    assert command[command.index("--callback-url") + 1] == "http://127.0.0.1:8000/wechat/callback/mp"
    process = subprocess.Popen(command, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = process.stdout.readline().split(" on ")[1].strip()  # printed once the port is bound
        params = {"appid": MP.appid, "secret": MP.secret, "js_code": "dev:alice", "grant_type": "authorization_code"}
        assert requests.get(f"{url}/sns/jscode2session", params=params, timeout=5).json()["openid"] == "odev_alice"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("channel", ["mp", "oa"])
def test_plain_mode_pushes_carry_only_the_signature(channel):
    account = DEV_ACCOUNTS[channel]
    query, body = sign_push(account, "<xml/>", 1714036504, mode="plain", nonce="1")
    assert set(query) == {"signature", "timestamp", "nonce"} and body == "<xml/>"


def test_make_run_adds_the_standin_only_when_no_wechat_setting_is_given():
    from workers.supervisor import _wechat_standin

    env = {}
    commands = _wechat_standin(env, "python", "127.0.0.1", 8000)
    assert commands["wechat-standin"][:3] == ["python", "-m", "app.standins.wechat"]
    assert env["WECHAT_API_BASE"] == env["WECOM_API_BASE"] == "http://127.0.0.1:8001"
    assert env["WECHAT_MP_APPID"] == MP.appid

    assert _wechat_standin({"WECOM_CORP_ID": "ww-real"}, "python", "127.0.0.1", 8000) == {}
    assert _wechat_standin({"JIXIAO_ENV": "production"}, "python", "127.0.0.1", 8000) == {}
