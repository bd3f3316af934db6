"""Channel choice: the rules on their own, then each channel end to end against the stand-in."""

from datetime import timedelta

from app.services.notify import outbox, reply_window
from app.services.notify.kinds import KINDS
from app.services.notify.routing import Refusal, Route, choose
from tests.support.outbox import CUSTOM, TEMPLATE, WECOM, attempts, tick
from tests.support.people import person

ALL = frozenset({"mp", "wecom", "oa"})
NO_WECOM = frozenset({"mp", "oa"})
DIGEST, REMINDER, REPLY = KINDS["digest"], KINDS["reminder"], KINDS["reply"]


def quota(left: int):
    return lambda template_id, openid: left


def test_wecom_wins_wherever_the_company_uses_it():
    ids = {"wecom": "zhangsan", "mp": "o1", "oa": "o2"}
    assert choose(REMINDER, "employee", False, ALL, ids, quota(0)) == Route("wecom", "zhangsan")
    assert choose(DIGEST, "manager", True, ALL, ids, quota(0)) == Route("wecom", "zhangsan")


def test_a_wecom_binding_is_ignored_when_wecom_is_not_configured():
    route = choose(REMINDER, "employee", False, NO_WECOM, {"wecom": "zhangsan", "mp": "o1"}, quota(1))
    assert route == Route("mp", "o1", "dev-tpl-reminder")


def test_employees_get_subscribe_messages_and_managers_template_messages():
    ids = {"mp": "o1", "oa": "o2"}
    assert choose(REMINDER, "employee", False, NO_WECOM, ids, quota(1)).channel == "mp"
    assert choose(DIGEST, "manager", False, NO_WECOM, ids, quota(1)) == Route("oa", "o2", "dev-oa-digest")


def test_an_employee_without_quota_falls_back_to_the_official_account_if_they_follow_it():
    assert choose(REMINDER, "employee", False, NO_WECOM, {"mp": "o1", "oa": "o2"}, quota(0)).channel == "oa"
    assert choose(REMINDER, "employee", False, NO_WECOM, {"mp": "o1"}, quota(0)) == \
        Refusal("no_quota", "订阅消息次数已用完")


def test_a_manager_with_only_the_mini_program_gets_a_subscribe_message():
    assert choose(DIGEST, "manager", False, NO_WECOM, {"mp": "o1"}, quota(1)) == Route("mp", "o1", "dev-tpl-digest")


def window(left: int):
    return lambda openid: left


def test_a_reply_on_the_official_account_is_a_customer_service_text_while_the_window_has_one_left():
    route = choose(DIGEST, "manager", True, NO_WECOM, {"oa": "o2"}, quota(0), window(1))
    assert route == Route("oa_text", "o2", fallback=Route("oa", "o2", "dev-oa-digest"))
    assert choose(REPLY, "manager", True, NO_WECOM, {"oa": "o2"}, quota(0), window(1)) == Route("oa_text", "o2")


def test_with_the_window_spent_or_closed_a_reply_goes_as_a_template_or_not_at_all():
    assert choose(DIGEST, "manager", True, NO_WECOM, {"oa": "o2"}, quota(0), window(0)) == \
        Route("oa", "o2", "dev-oa-digest")
    closed = choose(REPLY, "manager", True, NO_WECOM, {"oa": "o2"}, quota(0), window(0))
    assert closed.status == "unreachable" and "客服消息窗口已关闭" in closed.reason and not closed.whole_person


def test_news_for_a_manager_uses_the_window_only_while_it_keeps_two_for_replies():
    full = choose(DIGEST, "manager", False, NO_WECOM, {"oa": "o2"}, quota(0), window(3))
    assert full == Route("oa_text", "o2", fallback=Route("oa", "o2", "dev-oa-digest"))
    assert choose(DIGEST, "manager", False, NO_WECOM, {"oa": "o2"}, quota(0), window(2)) == \
        Route("oa", "o2", "dev-oa-digest")
    assert choose(REMINDER, "employee", False, NO_WECOM, {"oa": "o2"}, quota(0), window(5)).channel == "oa"


def test_nobody_reachable_is_a_whole_person_matter_only_without_any_usable_binding():
    assert choose(REMINDER, "employee", False, NO_WECOM, {}, quota(0)).whole_person
    assert choose(REMINDER, "employee", False, frozenset({"mp"}), {"oa": "o2"}, quota(0)).whole_person
    kind_only = choose(REPLY, "employee", False, NO_WECOM, {"mp": "o1"}, quota(1))
    assert kind_only.status == "unreachable" and not kind_only.whole_person


DIGEST_TEXT = ("【团队进展】11月12日 18:00\n1. 张三（运营）新品转化率 4.2%（目标5%），截图2张\n"
               "回复“点评 1 内容”点评，“待办”查看待处理")


def digest_for(boss, db_session, clock, key="d1", **extra):
    message = outbox.enqueue(boss.id, "digest", title="团队进展", body=DIGEST_TEXT, summary="1条进展，1条需关注",
                             dedupe_key=key, now=clock.now, **extra)
    db_session.commit()
    return message


def test_a_wecom_manager_gets_the_digest_verbatim(clock, db_session, redis_client, standin):
    boss = person(db_session, "王经理", wecom="wangjingli", oa="o-boss")
    standin.add_user("wangjingli", "王经理")
    message = digest_for(boss, db_session, clock)
    tick(clock, redis_client)
    (sent,) = standin.requests(WECOM)
    assert sent["json"]["touser"] == "wangjingli" and sent["json"]["msgtype"] == "text"
    assert sent["json"]["text"]["content"] == DIGEST_TEXT
    db_session.refresh(message)
    assert (message.status, message.channel) == ("sent", "wecom")


def test_a_wecom_userid_wecom_does_not_know_ends_unreachable(clock, db_session, redis_client, standin):
    boss = person(db_session, "王经理", wecom="left-company")
    message = digest_for(boss, db_session, clock)
    tick(clock, redis_client)
    db_session.refresh(message)
    assert message.status == "unreachable"
    assert attempts(db_session, message.id) == [(1, "wecom", "nobody_reachable", 81013)]
    assert [row[0] for row in outbox.unreachable_people()] == [boss.id]


def test_an_official_account_manager_gets_a_template_message_opening_the_team_view(
        clock, db_session, redis_client, standin):
    boss = person(db_session, "王经理", oa="o-boss")
    digest_for(boss, db_session, clock)
    tick(clock, redis_client)
    (sent,) = standin.requests(TEMPLATE)
    body = sent["json"]
    assert sent["errcode"] == 0 and body["touser"] == "o-boss" and body["template_id"] == "dev-oa-digest"
    assert body["miniprogram"] == {"appid": "wxjixiaodevmp0001", "pagepath": "pages/team/index"}
    assert body["data"] == {"thing1": {"value": "团队进展"}, "thing2": {"value": "1条进展，1条需关注"},
                            "time3": {"value": "2026年11月12日 14:00"}}


def test_a_reply_outside_the_48_hour_window_goes_as_the_template_without_trying(clock, db_session, redis_client,
                                                                               standin):
    boss = person(db_session, "王经理", oa="o-boss")  # has not written for more than 48 hours
    reply_window.opened("o-boss", clock.now - timedelta(hours=48))
    message = digest_for(boss, db_session, clock, is_reply=True)
    tick(clock, redis_client)
    db_session.refresh(message)
    assert (message.status, message.channel) == ("sent", "oa")
    assert attempts(db_session, message.id) == [(1, "oa", "ok", None)]
    assert standin.requests(CUSTOM) == [] and len(standin.requests(TEMPLATE)) == 1


def test_when_wechat_says_the_window_is_closed_the_template_goes_and_the_window_counts_as_spent(
        clock, db_session, redis_client, standin):
    boss = person(db_session, "王经理", oa="o-boss")
    reply_window.opened("o-boss", clock.now)  # we saw a message, but WeChat knows better (45015)
    message = digest_for(boss, db_session, clock, is_reply=True)
    tick(clock, redis_client)
    db_session.refresh(message)
    assert (message.status, message.channel) == ("sent", "oa")
    assert attempts(db_session, message.id) == [(1, "oa_text", "outside_reply_window", 45015), (2, "oa", "ok", None)]
    assert [r["errcode"] for r in standin.requests(CUSTOM)] == [45015]
    assert reply_window.left("o-boss", clock.now) == 0


def test_the_deployments_template_id_is_the_one_wechat_receives(
        clock, db_session, redis_client, standin, app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_OA_TEMPLATES", "digest=Tq8Zr0digestOA")
    boss = person(db_session, "王经理", oa="o-boss")
    digest_for(boss, db_session, clock)
    tick(clock, redis_client)
    (sent,) = standin.requests(TEMPLATE)
    assert sent["errcode"] == 0 and sent["json"]["template_id"] == "Tq8Zr0digestOA"
