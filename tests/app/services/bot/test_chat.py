"""The manager's bot over real callbacks (issue 21): the stand-in encrypts and signs each chat
message as WeCom does and posts it to our served app; replies come back passive (binding, help) or
through a real RQ worker and the outbox to the stand-in's WeCom message API."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import jobs
from app.models import Appeal, AuditLog, Comment, Employee, OutboxMessage, Rating, Report, Shipment, SyncRun
from app.services.authz import actor
from app.services.feedback import appeals, rating_prompts
from app.services.news import alerts, digest
from app.services.observations import corrections, submissions, sync
from app.services.observations.submissions import SubmittedFigure
from app.services.observations.sync import Incoming
from app.services.org import binding
from app.services.scoring import progress
from app.standins.harness import ServedApp
from app.standins.wechat_push import deliver, sign_push, user_message
from app.standins.wechat_state import DEV_ACCOUNTS
from tests.support.chat import speaker
from tests.support.clock import utc
from tests.support.mp_world import API
from tests.support.outbox import WECOM, tick
from tests.support.queues import run_queue

USERID = "zhang.lead"


@pytest.fixture
def chat(app, world, standin, db_session):
    """say(text) → the passive reply (None when the worker will answer), through the served app."""
    served = ServedApp(app)
    standin.configure(callback_urls={"wecom": f"{served.url}/wechat/callback/wecom"})
    standin.add_user(USERID, "张组长")
    yield speaker(standin, "wecom", USERID, db_session)
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
    audited = db_session.scalars(select(AuditLog).where(AuditLog.action == "appeal.accepted",
                                                        AuditLog.entity_id == world.appeal_id)).all()
    assert [a.actor_id for a in audited] == [lead.id]


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
    db_session.rollback()
    who = actor(lead.id)
    pending = (len(appeals.appeals_to_decide(who)), len(corrections.corrections_to_decide(who)),
               sum(not t["rated"] for t in rating_prompts.open_rating_tasks(who)))
    assert pending[0] == pending[1] == 1 and lines == sum(pending)  # exactly what waits, nothing else
    assert [listing.count(kind) for kind in ("申诉｜", "数据更正｜", "待评分｜")] == list(pending)
    assert past == f"没有编号 7，最近一次待办只有 1–{lines} 条。"
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


def bound_lead(chat, db_session) -> Employee:
    lead, hr = lead_and_hr(db_session)
    code, _ = binding.issue_code(lead.employee_no, actor(hr.id))
    assert chat(f"绑定 {code}").startswith("绑定成功")
    return lead


def test_a_comment_by_number_on_the_evening_digest_reaches_the_employee(chat, world, clock, standin, client,
                                                                         db_session, redis_client):
    lead = bound_lead(chat, db_session)
    digest.compose(lead.id, digest.PROGRESS, clock.now, clock.now)  # 4 November, 20:00 in Shanghai
    tick(clock, redis_client)
    (sent,) = [text for text in sent_to_wecom(standin) if text.startswith("【团队进展】")]
    number = next(line.split(".")[0] for line in sent.splitlines() if "赵明星" in line)
    assert chat(f"{number}：转化率不错，明天继续。") is None  # right after the digest, the number is its line
    run_queue(redis_client, jobs.NOTIFY)
    assert sent_to_wecom(standin)[-1] == "已点评赵明星：转化率不错，明天继续（赵明星已收到）"
    thread = client.get(f"{API}/progress/{world.ids['entry']}/comments", headers=world.b).get_json()["comments"]
    assert [(c["author"], c["body"]) for c in thread][-1] == ("张组长", "转化率不错，明天继续")
    db_session.rollback()
    told = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "comment",
                                                          OutboxMessage.recipient_id == world.ids["employee"]))
    assert any("转化率不错" in m.body for m in told)


def test_a_rating_dialogue_asks_one_item_at_a_time_until_all_are_rated(chat, world, standin, db_session,
                                                                       redis_client):
    lead = bound_lead(chat, db_session)
    asked = rating_prompts.open_rating_tasks(actor(lead.id))
    unrated = [t for t in asked if not t["rated"]]
    assert len(unrated) >= 2
    chat("评分")
    for _ in unrated:
        chat("4.5分")
    run_queue(redis_client, jobs.NOTIFY)
    replies = sent_to_wecom(standin)
    first = f"{unrated[0]['employee']} {unrated[0]['name']}"
    assert replies[0] == f"共{len(unrated)}项待评分。{first}：1–5分？（可到0.5分，回复数字即可）"
    assert replies[-1].endswith("本轮评分已全部完成 ✓")
    db_session.rollback()
    given = db_session.scalars(select(Rating.value).where(Rating.rater_id == lead.id,
                                                          Rating.assessment_item_id.in_(
                                                              [t["assessment_item_id"] for t in unrated])))
    assert sorted(given) == [Decimal("4.5")] * len(unrated)
    assert chat("3") is None
    run_queue(redis_client, jobs.NOTIFY)
    assert sent_to_wecom(standin)[-1].startswith("现在没有进行中的评分")


def test_a_rejection_needs_its_reason_and_leaves_the_report_as_it_was(chat, world, standin, db_session, redis_client):
    bound_lead(chat, db_session)
    chat("待办")
    chat("驳回 1 后台ROI核实为2.8")
    run_queue(redis_client, jobs.NOTIFY)
    assert sent_to_wecom(standin)[-1].startswith("已驳回赵明星的申诉")
    db_session.rollback()
    assert db_session.get(Appeal, world.appeal_id).status == "rejected"
    assert db_session.scalar(select(func.max(Report.version)).where(Report.id >= world.ids["report"])) == 1


def test_a_bare_number_after_the_todo_list_is_not_guessed_until_a_newer_digest_comes(chat, world, clock, standin,
                                                                                     db_session, redis_client):
    lead = bound_lead(chat, db_session)
    chat("待办")
    chat("1 不错")
    run_queue(redis_client, jobs.NOTIFY)
    assert sent_to_wecom(standin)[-1].startswith("要点评团队摘要第1条，请回复“点评 1 不错”；要处理待办第1条")
    clock.advance(minutes=5)
    digest.compose(lead.id, digest.PROGRESS, clock.now, clock.now)
    tick(clock, redis_client)
    chat("1 不错")
    run_queue(redis_client, jobs.NOTIFY)
    assert sent_to_wecom(standin)[-1].startswith("已点评")


def test_the_same_message_delivered_three_times_at_once_acts_once_and_answers_alike(app, chat, world, standin,
                                                                                     db_session, redis_client):
    bound_lead(chat, db_session)
    account = DEV_ACCOUNTS["wecom"]
    plaintext = user_message(account, USERID, time.time(), content="待办")
    url = standin.app.extensions["wechat_standin"].switches.callback_urls["wecom"]
    db_session.rollback()
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: deliver(account, url, *sign_push(account, plaintext, time.time())), range(3)))
    assert [a["status"] for a in answers] == [200] * 3 and len({a["body"] for a in answers}) == 1
    run_queue(redis_client, jobs.NOTIFY)
    assert len([text for text in sent_to_wecom(standin) if text.startswith("【待办】")]) == 1


def test_a_manager_of_another_team_never_reaches_this_teams_cases(chat, world, standin, db_session, redis_client):
    keeper = db_session.scalar(select(Employee).where(Employee.name == "周仓管"))
    _, hr = lead_and_hr(db_session)
    code, _ = binding.issue_code(keeper.employee_no, actor(hr.id))
    standin.add_user("zhou.keeper", "周仓管")
    standin.push("wecom", "zhou.keeper", content=f"绑定 {code}")
    db_session.rollback()
    standin.deliver()
    for text in ("待办", "同意 1 可以", "评分 赵明星 团队协作 1", "点评 1 不行"):
        standin.push("wecom", "zhou.keeper", content=text)
        db_session.rollback()
        standin.deliver()
    run_queue(redis_client, jobs.NOTIFY)
    listing, decided, rated, commented = sent_to_wecom(standin)
    assert "赵明星" not in listing and "赵明星" not in decided
    assert rated.startswith("你的待评分名单里没有这个人") or rated.startswith("没有找到这个考核项")
    assert commented == "还没有收到过团队摘要，暂时无法按编号点评"
    db_session.rollback()
    assert db_session.get(Appeal, world.appeal_id).status == "open"
    assert db_session.scalar(select(func.count()).select_from(Rating).where(Rating.rater_id == keeper.id)) == 0


def test_the_menu_buttons_send_what_their_labels_say(chat, world, standin, db_session, redis_client):
    bound_lead(chat, db_session)
    for key in ("todo", "TEAM", "nonsense"):
        standin.push("wecom", USERID, msg_type="event", event="click", extra={"EventKey": key})
        db_session.rollback()
        (delivery,) = standin.deliver()
        assert delivery["status"] == 200
    assert "待办 —— 列出待你处理的申诉" in delivery["reply"]  # an unknown button: the help, at once
    run_queue(redis_client, jobs.NOTIFY)
    listing, team = sent_to_wecom(standin)
    assert listing.startswith("【待办】") and team.startswith("【团队本月进展】\n赵明星（运营）预计")


def test_alerts_and_self_reports_off_the_synced_figure_reach_managers_with_their_evidence(
        chat, world, clock, standin, db_session, redis_client):
    bound_lead(chat, db_session)
    keeper = db_session.scalar(select(Employee).where(Employee.name == "周仓管"))
    packer = db_session.scalar(select(Employee).where(Employee.name == "吴打包"))
    binding.bind("wecom", "zhou.keeper", keeper.employee_no, binding.issue_code(keeper.employee_no, actor(
        db_session.scalar(select(Employee.id).where(Employee.is_hr))))[0])
    alerts.load_default_rules()
    shipped = datetime(2026, 11, 3, 2, 0)
    db_session.execute(Shipment.__table__.insert(), [
        {"source": "erp", "order_no": f"B1103-{i:04d}", "batch_no": "B1103", "packer_id": packer.id,
         "packer_code": "PK7", "ordered_at": shipped - timedelta(hours=20), "shipped_at": shipped,
         "wrong_item": i in (7, 310)} for i in range(500)])
    db_session.commit()
    assert len(alerts.evaluate_batches(date(2026, 11, 3), date(2026, 11, 3))) == 1

    submissions.submit(world.ids["employee"], date(2026, 11, 3), {"ops_sales": SubmittedFigure(Decimal(1000))},
                       actor(world.ids["employee"]), now=utc(3, 18))
    run = SyncRun(source="amazon_sp_api", kind="sync")
    db_session.add(run)
    db_session.commit()
    sync.record_run(run.id, "verified", [Incoming(world.ids["employee"], "ops_sales", date(2026, 11, 3),
                                                  Decimal(900), None, "amzn/star/3", "USD")])
    progress.recompute(world.ids["assessment"], date(2026, 11, 4))
    tick(clock, redis_client)

    to = {r["json"]["touser"]: r["json"]["text"]["content"] for r in standin.requests(WECOM)}
    assert to["zhou.keeper"] == "批次B1103错发率0.4%（超过0.1%）：订单B1103-0007、B1103-0310；打包人：吴打包（PK7）"
    assert to[USERID].startswith("【数据不一致】赵明星11月3日自报的「月度销售额」为1,000 USD，")
    assert "900 USD" in to[USERID] and "赵明星" not in to["zhou.keeper"]
