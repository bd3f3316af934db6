"""The manager's bot over real callbacks (issue 21): the stand-in encrypts and signs each chat
message as WeCom does and posts it to our served app; replies come back passive (binding, help) or
through a real RQ worker and the outbox to the stand-in's WeCom message API."""

import pytest
from sqlalchemy import select

from app import jobs
from app.models import Appeal, Comment, Employee, OutboxMessage, Report
from app.services.authz import actor
from app.services.org import binding
from app.standins.harness import ServedApp
from tests.support.outbox import WECOM
from tests.support.queues import run_queue

USERID = "zhang.lead"


@pytest.fixture
def chat(app, world, standin, db_session):
    """say(text) → the passive reply (None when the worker will answer), through the served app."""
    served = ServedApp(app)
    standin.configure(callback_urls={"wecom": f"{served.url}/wechat/callback/wecom"})
    standin.add_user(USERID, "张组长")

    def say(text: str) -> str | None:
        db_session.rollback()  # the served app writes: hold no transaction meanwhile
        standin.push("wecom", USERID, content=text)
        (delivery,) = standin.deliver()
        assert delivery["status"] == 200, delivery
        reply = delivery.get("reply") or ""
        return reply.split("<Content><![CDATA[", 1)[1].split("]]></Content>", 1)[0] if "<Content>" in reply else None

    yield say
    served.stop()


def sent_to_wecom(standin) -> list[str]:
    return [r["json"]["text"]["content"] for r in standin.requests(WECOM)]


def lead_and_hr(session) -> tuple[Employee, Employee]:
    lead = session.scalar(select(Employee).where(Employee.name == "张组长"))
    hr = session.scalar(select(Employee).where(Employee.is_hr))
    return lead, hr


def test_a_manager_binds_by_chat_lists_what_waits_and_accepts_an_appeal(chat, world, standin, db_session,
                                                                        redis_client):
    assert "还没有绑定绩效账号" in chat("待办")
    lead, hr = lead_and_hr(db_session)
    code, _ = binding.issue_code(lead.employee_no, actor(hr.id))
    assert chat("绑定 000000").startswith("绑定失败：")
    assert chat(f"绑定 {code}。").startswith("绑定成功：张组长")
    assert "待办 —— 列出待你处理的申诉" in chat("帮助")

    assert chat("待办") is None  # answered by the worker, through the outbox
    run_queue(redis_client, jobs.NOTIFY)
    (listing,) = sent_to_wecom(standin)
    assert listing.startswith("【待办】") and "1. 申诉｜赵明星" in listing and "归因延迟" in listing

    assert chat("同意１：后台已核实。") is None
    run_queue(redis_client, jobs.NOTIFY)
    decided = sent_to_wecom(standin)[-1]
    assert decided.startswith("已同意赵明星的申诉") and decided.endswith("赵明星已收到通知。"), decided
    db_session.rollback()
    appeal = db_session.get(Appeal, world.appeal_id)
    assert (appeal.status, appeal.decision_reason) == ("accepted", "后台已核实")
    assert db_session.scalar(select(Report.version).where(Report.id > world.ids["report"])
                             .order_by(Report.id.desc()).limit(1)) == 2
    told = db_session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient_id == world.ids["employee"]))
    assert "appeal_result" in set(told)


def test_near_misses_and_numbers_past_the_list_get_told_what_to_type(chat, world, standin, db_session, redis_client):
    lead, hr = lead_and_hr(db_session)
    code, _ = binding.issue_code(lead.employee_no, actor(hr.id))
    chat(f"绑定 {lead.employee_no} {code}")
    for text in ("同意 1 好", "待办", "同意 7 好", "驳回 1", "点评 主图不错", "你好"):
        assert chat(text) is None
    run_queue(redis_client, jobs.NOTIFY)
    first, listing, past, reject, comment, hello = sent_to_wecom(standin)
    assert first == "请先回复“待办”查看编号，再按编号处理。"
    lines = listing.count("\n") - 1  # the heading and the hint are not items
    assert 1 < lines < 7 and past == f"没有编号 7，最近一次待办只有 1–{lines} 条。"
    assert reject.startswith("没看懂。格式：驳回 编号 理由") and comment.startswith("没看懂。格式：点评 编号 内容")
    assert hello.startswith("没看懂这条消息。")
    db_session.rollback()
    assert db_session.get(Appeal, world.appeal_id).status == "open"  # nothing acted on
    assert db_session.scalar(select(Comment.id).where(Comment.body == "主图不错")) is None


def test_an_employee_gets_their_own_reports_never_anyone_elses(chat, world, standin, db_session, redis_client):
    _, hr = lead_and_hr(db_session)
    trainee = db_session.scalar(select(Employee).where(Employee.name == "钱新人"))
    code, _ = binding.issue_code(trainee.employee_no, actor(hr.id))
    standin.add_user("qian.new", "钱新人")
    standin.push("wecom", "qian.new", content=f"绑定 {code}")
    db_session.rollback()
    assert "绑定成功：钱新人" in standin.deliver()[0]["reply"]
    standin.push("wecom", "qian.new", content="待办")
    standin.deliver()
    run_queue(redis_client, jobs.NOTIFY)
    (mine,) = sent_to_wecom(standin)
    assert mine.startswith("【你的待办】\n1. 运营岗总分6分，不合格") and "11月06日09:00前可认可或申诉" in mine, mine
    assert "赵明星" not in mine and "张组长" not in mine
