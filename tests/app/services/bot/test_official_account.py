"""The bot on the official account (issue 21): a reduced channel whose customer-service messages
are 5 per 48 hours after the manager's own message. A dialogue is answered passively (free); a
decision, and news while the window keeps room for replies, go as customer-service texts."""

import pytest
from sqlalchemy import func, select

from app import jobs
from app.extensions import db
from app.models import Employee, Rating, WeChatIdentity
from app.services.authz import actor
from app.services.feedback import rating_prompts
from app.services.news import digest
from app.services.notify import outbox, reply_window
from app.services.org import binding
from app.standins.harness import ServedApp
from tests.support.chat import speaker
from tests.support.clock import utc
from tests.support.company import department, hire, open_month, small_company
from tests.support.outbox import CUSTOM, TEMPLATE, tick
from tests.support.queues import run_queue

OPENID = "o-lead-oa"


@pytest.fixture
def oa_chat(app, standin, db_session):
    served = ServedApp(app)
    standin.configure(callback_urls={"oa": f"{served.url}/wechat/callback/oa"})
    yield speaker(standin, "oa", OPENID, db_session)
    served.stop()


def bind(say, db_session, name: str = "张组长") -> Employee:
    lead = db_session.scalar(select(Employee).where(Employee.name == name))
    hr = db_session.scalar(select(Employee).where(Employee.is_hr))
    code, _ = binding.issue_code(lead.employee_no, actor(hr.id))
    assert say(f"绑定 {lead.employee_no} {code}").startswith(f"绑定成功：{name}")
    return lead


def test_a_dialogue_is_answered_passively_and_a_decision_by_customer_service(oa_chat, world, standin, db_session,
                                                                           redis_client):
    bind(oa_chat, db_session)
    opening = oa_chat("评分")
    total = int(opening.split("共")[1].split("项")[0])
    answers = [oa_chat("4") for _ in range(total)]
    assert all(a.startswith("已记录") for a in answers) and answers[-1].endswith("本轮评分已全部完成 ✓")
    assert standin.requests(CUSTOM) == []  # not one of the window's customer-service messages spent
    assert oa_chat("待办").startswith("【待办】")
    assert oa_chat("驳回 1 ROI以后台为准") is None  # a decision goes to the worker
    run_queue(redis_client, jobs.NOTIFY)
    (decided,) = standin.requests(CUSTOM)
    assert decided["json"]["touser"] == OPENID
    assert decided["json"]["text"]["content"].startswith("已驳回赵明星的申诉")


@pytest.fixture
def five(app, clock, db_session):
    """张组长's team of five operators at the end of November, every rating still open."""
    people = small_company()
    ops = department("ops", "运营部")
    for name in ("孙 小美", "周晓东", "吴佳"):  # a name typed with a space is still one name
        hire(name, ops, position="ops", manager=people.lead)
    db.session.commit()
    cycle = open_month(2026, 11)
    clock.now = utc(27, 10)  # Friday 27 November, 10:00 in Shanghai
    return cycle


def test_a_rating_dialogue_of_five_people_completes_inside_one_48_hour_window(oa_chat, five, clock, standin,
                                                                             db_session, redis_client):
    lead = bind(oa_chat, db_session)
    assert rating_prompts.prompt_missing_ratings(five.id, clock.now) >= 1  # the lead, and whoever rates them
    tick(clock, redis_client)
    (reminder,) = standin.requests(CUSTOM)  # news while the window keeps room: the reminder in full
    assert reminder["errcode"] == 0 and "评分" in reminder["json"]["text"]["content"]
    assert standin.requests(TEMPLATE) == []

    opening = oa_chat("评分")
    total = int(opening.split("共")[1].split("项")[0])
    asked, answers = [opening], []
    for n in range(total):
        if n == total // 2:
            clock.advance(hours=20)  # half in the evening, the rest the next afternoon
        answers.append(oa_chat("４" if n % 2 else "4.5分。"))
        asked.append(answers[-1])
    assert answers[-1].endswith("本轮评分已全部完成 ✓")
    names = ("赵明星", "钱新人", "孙 小美", "周晓东", "吴佳")
    assert all(any(f"{name} 团队协作：1–5分？" in a for a in asked) for name in names), asked
    db_session.rollback()
    rated = db_session.scalars(select(Rating.assessment_item_id).where(Rating.rater_id == lead.id)).all()
    assert len(rated) == total and len(set(rated)) == total
    people = {t["employee_id"] for t in rating_prompts.open_rating_tasks(actor(lead.id))}
    assert len(people) == 5 and all(t["rated"] for t in rating_prompts.open_rating_tasks(actor(lead.id)))

    # the whole dialogue spent none of the window: all of it but the reminder is still there
    assert [r["errcode"] for r in standin.requests(CUSTOM)] == [0]
    assert reply_window.left(OPENID, clock.now) == reply_window.PER_WINDOW
    sent = db_session.scalar(select(WeChatIdentity.window_sent).where(WeChatIdentity.external_id == OPENID))
    assert sent == 0 and db_session.scalar(select(func.count()).select_from(Rating)) == total


def test_news_spends_the_window_only_while_it_keeps_two_messages_for_replies(oa_chat, world, clock, standin,
                                                                             db_session, redis_client):
    lead = bind(oa_chat, db_session)  # the manager's message opened the window: 5 to spend
    digest.compose(lead.id, digest.PROGRESS, clock.now, clock.now)
    tick(clock, redis_client)

    def alert(n: int) -> None:
        clock.advance(minutes=5)
        outbox.enqueue(lead.id, "alert", title="预警", summary="错发率超标", body=f"批次B{n}错发率0.4%：订单B{n}-0007",
                       dedupe_key=f"alert-test-{n}", now=clock.now, audience="manager")
        db_session.commit()
        tick(clock, redis_client)

    alert(1)
    alert(2)
    # five pieces of news: the appeal and the correction waiting since before the binding, a digest, two alerts
    texts = [r["json"]["text"]["content"] for r in standin.requests(CUSTOM)]
    assert [t[:6] for t in texts] == ["【数据更正】", "【待处理申诉", "【团队进展】"]
    templates = standin.requests(TEMPLATE)  # the alerts: two customer-service messages are kept for replies
    assert len(templates) == 2 and all(t["json"]["touser"] == OPENID and t["errcode"] == 0 for t in templates)
    assert reply_window.left(OPENID, clock.now) == 2

    assert oa_chat("待办").startswith("【待办】")  # a message of ours opens a new window
    assert reply_window.left(OPENID, clock.now) == reply_window.PER_WINDOW
    assert oa_chat("驳回 1 ROI以后台为准") is None
    run_queue(redis_client, jobs.NOTIFY)
    assert standin.requests(CUSTOM)[-1]["json"]["text"]["content"].startswith("已驳回赵明星的申诉")
    assert [r["errcode"] for r in standin.requests(CUSTOM)] == [0] * 4
    assert reply_window.left(OPENID, clock.now) == reply_window.PER_WINDOW - 1

    clock.advance(hours=48)  # no word from the manager for two days: news goes as templates again
    alert(3)
    assert len(standin.requests(CUSTOM)) == 4 and len(standin.requests(TEMPLATE)) == 3
