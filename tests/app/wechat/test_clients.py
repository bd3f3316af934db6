"""Each client against the stand-in over real HTTP: what it sends, and what WeChat's refusals become."""

import pytest

from app.wechat.clients import build_client
from app.wechat.errors import (
    FieldRuleViolation,
    InvalidCode,
    NobodyReachable,
    NoQuota,
    NotConfigured,
    OutsideReplyWindow,
    RateLimited,
    UntrustedIp,
    UserNotFound,
)
from app.wechat.settings import settings_from_config

SEND = "/cgi-bin/message/subscribe/send"


def test_a_subscribe_message_is_sent_with_wechats_data_shape(mp, standin):
    standin.grant("o1", "TPL")
    mp.send_subscribe("o1", "TPL", {"thing1": "本月目标已确认", "number2": 3}, page="pages/progress/index")

    (sent,) = standin.requests(SEND)
    assert sent["json"] == {
        "touser": "o1", "template_id": "TPL", "page": "pages/progress/index",
        "data": {"thing1": {"value": "本月目标已确认"}, "number2": {"value": "3"}},
    }


def test_43101_is_reported_as_no_quota(mp, standin):
    with pytest.raises(NoQuota) as refused:
        mp.send_subscribe("o1", "TPL", {"thing1": "提醒"})
    assert refused.value.code == "no_quota"
    assert refused.value.errcode == 43101


def test_each_accepted_subscription_buys_exactly_one_send(mp, standin):
    standin.grant("o1", "TPL")
    mp.send_subscribe("o1", "TPL", {"thing1": "提醒"})
    with pytest.raises(NoQuota):
        mp.send_subscribe("o1", "TPL", {"thing1": "提醒"})


def test_a_too_long_field_is_refused_before_sending_so_47003_never_happens(mp, standin):
    standin.grant("o1", "TPL")
    with pytest.raises(FieldRuleViolation) as refused:
        mp.send_subscribe("o1", "TPL", {"thing1": "这" * 21, "number2": "12"})

    assert list(refused.value.fields) == ["thing1"]
    assert standin.requests() == []  # no token fetched, nothing sent


def test_a_login_code_works_once(mp, standin):
    standin.add_code("code-1", "o-alice", unionid="u-alice")

    session = mp.code_to_session("code-1")

    assert (session.openid, session.unionid) == ("o-alice", "u-alice")
    with pytest.raises(InvalidCode) as refused:
        mp.code_to_session("code-1")
    assert refused.value.errcode == 40029
    assert [call["path"] for call in standin.requests()] == ["/sns/jscode2session"] * 2  # no access token needed
    assert "access_token" not in standin.requests()[0]["args"]


def test_media_check_uses_the_v2_body_and_returns_the_trace_id(mp, standin):
    trace_id = mp.check_media_async("https://files.example.com/s/1.png", "o1")

    (call,) = standin.requests("/wxa/media_check_async")
    assert call["json"] == {
        "media_url": "https://files.example.com/s/1.png", "media_type": 2, "version": 2, "scene": 1, "openid": "o1",
    }
    assert len(trace_id) == 32


def test_rate_limiting_is_reported(mp, standin):
    standin.configure(rate_limits={SEND: 1})
    standin.grant("o1", "TPL", count=2)
    mp.send_subscribe("o1", "TPL", {"thing1": "提醒"})
    with pytest.raises(RateLimited):
        mp.send_subscribe("o1", "TPL", {"thing1": "提醒"})


def test_wecom_text_reaches_known_members_and_names_the_unknown(wecom, standin):
    standin.add_user("zhang", "张三")

    result = wecom.send_text(["zhang", "nobody"], "请审阅李四的申诉")

    assert result.invalid_users == ["nobody"]
    (call,) = standin.requests("/cgi-bin/message/send")
    assert call["json"]["touser"] == "zhang|nobody"
    assert call["json"]["agentid"] == 1000002
    assert call["json"]["text"] == {"content": "请审阅李四的申诉"}


def test_wecom_with_nobody_valid_is_reported(wecom, standin):
    with pytest.raises(NobodyReachable) as refused:
        wecom.send_text(["nobody"], "你好")
    assert refused.value.errcode == 81013


def test_wecom_from_an_untrusted_ip_is_reported(wecom, standin):
    standin.add_user("zhang", "张三")
    standin.configure(wecom_untrusted_ip=True)
    with pytest.raises(UntrustedIp) as refused:
        wecom.send_markdown(["zhang"], "**本周汇总**")
    assert refused.value.errcode == 60020


def test_wecom_user_lookup(wecom, standin):
    standin.add_user("zhang", "张三")
    assert wecom.get_user("zhang")["name"] == "张三"
    with pytest.raises(UserNotFound):
        wecom.get_user("li")


def test_customer_service_text_only_inside_the_48_hour_window(oa, standin):
    with pytest.raises(OutsideReplyWindow) as refused:
        oa.send_custom_text("o-manager", "收到")
    assert refused.value.errcode == 45015

    standin.interact("o-manager")
    oa.send_custom_text("o-manager", "收到")
    standin.advance(48 * 3600 + 1)
    with pytest.raises(OutsideReplyWindow):
        oa.send_custom_text("o-manager", "收到")
    (sent,) = [call for call in standin.requests("/cgi-bin/message/custom/send") if call["errcode"] == 0]
    assert sent["json"] == {"touser": "o-manager", "msgtype": "text", "text": {"content": "收到"}}


def test_template_messages_check_typed_fields_and_return_the_msgid(oa, standin):
    msgid = oa.send_template("o-manager", "TPL", {"thing1": "新的申诉", "keyword2": "任意旧模板字段"}, url="https://x/y")
    assert msgid.isdigit()
    with pytest.raises(FieldRuleViolation):
        oa.send_template("o-manager", "TPL", {"phrase1": "待处理的申诉"})
    assert standin.count("/cgi-bin/message/template/send") == 1


def test_a_channel_without_credentials_is_not_configured(redis_client):
    with pytest.raises(NotConfigured):
        build_client(settings_from_config({}), "wecom", redis_client)


def test_the_app_helpers_build_clients_from_the_app_config(standin, database_url, redis_url, tmp_path):
    from app import create_app
    from app.standins.wechat_state import dev_environment
    from app.wechat import clients
    from config import TestConfig

    environ = dev_environment(standin.url) | {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "JIXIAO_INSTANCE": str(tmp_path),
    }
    with create_app(TestConfig(environ)).app_context():
        assert clients.mini_program() is clients.mini_program()
        assert clients.wecom().account.agent_id == "1000002"
        assert clients.official_account().api.api_base == standin.url
