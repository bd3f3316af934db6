"""The console in real headless Chromium against gunicorn, on the demo company: sign in as HR and as
the admin, open every page, and keep a 1440 × 900 screenshot of each (build/screenshots/console/),
each checked for blank pages and leaked placeholders before it is saved."""

import time
from datetime import date, datetime
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect
from rq import Queue, SimpleWorker
from sqlalchemy import select, update

from app import jobs
from app.demo import DEMO_PASSWORD
from app.models import AuditLog, Cycle, Employee, Outcome
from app.services.scoring import runs
from app.standins.wechat_push import sign_push, user_message
from app.standins.wechat_state import DEV_ACCOUNTS, dev_environment
from tests.support.browser import VIEWPORT, check_text, chromium, shoot
from tests.support.demo import seeded_demo
from tests.support.webserver import WebServer

pytestmark = pytest.mark.embedded_only  # see tests/pytest.ini

TODAY = date(2026, 11, 27)
CALENDAR_2027 = Path(__file__).resolve().parents[2] / "fixtures" / "calendar" / "2027.json"
HR, ADMIN = "E00002", "E00004"


@pytest.fixture
def web(db_session, database_url, redis_url, tmp_path):
    seeded_demo(TODAY)
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "JIXIAO_INSTANCE": str(tmp_path),
           "SECRET_KEY": "console-browser-test-" + "s" * 32, "JIXIAO_PUBLIC_URL": "https://kpi.example.cn",
           "WECHAT_MP_TEMPLATES": "report_published=Rp7Kq title:thing4 total:character_string2 grade:phrase1 "
                                  "time:date3",
           **dev_environment("http://127.0.0.1:9")}  # WeChat configured; nothing here calls it
    with WebServer(env, tmp_path / "gunicorn.log") as server:
        yield server


@pytest.fixture
def browser():
    with chromium() as running:
        yield running


def sign_in(browser, web, employee_no: str, password: str = DEMO_PASSWORD):
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
    page.goto(web.url + "/console/")
    assert page.url.startswith(web.url + "/console/login")
    page.fill("input[name=employee_no]", employee_no)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    return page


def test_hr_signs_in_and_sees_the_months_and_the_people(web, browser):
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
    page.goto(web.url + "/console/login")
    shoot(page, "login")
    page.fill("input[name=employee_no]", HR)
    page.fill("input[name=password]", "wrong-password-1")
    page.click("button.primary")
    assert "工号或密码不正确" in page.inner_text("body")
    shoot(page, "login-refused")
    page.close()

    page = sign_in(browser, web, HR)
    assert page.url == web.url + "/console/"
    body = page.inner_text("body")
    assert "2026年11月" in body and "进行中" in body and "已归档" in body
    shoot(page, "home")
    page.click("text=人员")
    body = page.inner_text("body")
    assert "采购部" in body and "人事" in body and "共 " in body
    shoot(page, "people")
    page.click(".chip >> text=仓储部")
    assert page.url.endswith("department=warehouse") and "仓储部" in page.inner_text("table")
    shoot(page, "people-department")
    page.goto(web.url + "/console/admin/logins")
    assert "该页面只对管理员开放" in page.inner_text("body")
    shoot(page, "refused")
    page.goto(web.url + "/console/password")
    shoot(page, "password")
    page.click("text=退出登录")
    assert page.url.startswith(web.url + "/console/login")


def test_the_admin_resets_a_password_the_person_must_change(web, browser):
    page = sign_in(browser, web, ADMIN)
    assert "人员" not in page.inner_text(".side")  # scores and people are HR's
    page.click("text=后台账号")
    shoot(page, "admin-logins")
    page.click("tr:has-text('E00003') >> text=重置密码")
    issued = page.inner_text("code.secret")
    check_text(page.inner_text("body"), "admin-logins-reset")
    shoot(page, "admin-logins-reset")

    other = sign_in(browser, web, "E00003", issued)
    assert other.url.endswith("/console/password") and "请先设置自己的新密码" in other.inner_text("body")
    other.fill("input[name=current]", issued)
    other.fill("input[name=new]", "my-own-password-9")
    other.fill("input[name=again]", "my-own-password-9")
    other.click("button.primary")
    assert other.url == web.url + "/console/" and "密码已修改" in other.inner_text("body")


def test_the_admin_sees_the_wechat_channels_and_retries_a_failed_job(web, browser, redis_client):
    query, body = sign_push(DEV_ACCOUNTS["oa"], user_message(DEV_ACCOUNTS["oa"], "o-visitor", time.time(),
                                                             content="你好"), time.time())
    assert requests.post(web.url + "/wechat/callback/oa", params=query, data=body.encode(), timeout=10).ok
    query, body = sign_push(DEV_ACCOUNTS["wecom"], "<xml/>", time.time())
    refused = requests.post(web.url + "/wechat/callback/wecom", params=query | {"msg_signature": "0" * 40},
                            data=body.encode(), timeout=10)
    assert refused.status_code == 403
    failing = Queue(jobs.DEFAULT, connection=redis_client)
    failing.enqueue("builtins.int", "not a number")
    SimpleWorker([failing], connection=redis_client).work(burst=True)

    page = sign_in(browser, web, ADMIN)
    page.click(".side >> text=微信接入")
    oa, wecom = page.locator("section#oa").inner_text(), page.locator("section#wecom").inner_text()
    assert "https://kpi.example.cn/wechat/callback/oa" in oa and "最近收到" in oa and "（文本消息）" in oa
    assert "签名不符：检查该渠道的 Token" in wecom and "不需要模板ID" in wecom
    mp = page.locator("section#mp").inner_text()
    assert "已配置模板ID 1 / " in mp and "Rp7Kq" in mp and "等级 → phrase1" in mp and "事项　内容　时间" in mp
    shoot(page, "admin-wechat")

    page.click(".side >> text=失败任务")
    assert "builtins.int" in page.inner_text("table >> nth=1") and "ValueError" in page.inner_text("table >> nth=1")
    shoot(page, "admin-jobs")
    page.click("button:text-is('重试')")
    assert "已重新排队执行" in page.inner_text(".flash.ok") and "没有失败的任务" in page.inner_text("body")
    assert failing.count == 1


def test_hr_acknowledges_the_gaps_publishes_the_reviewed_month_and_approves_an_outcome(web, browser, db_session):
    october = db_session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 10))
    undecided, employee_no = db_session.execute(
        select(Outcome, Employee.employee_no).join(Employee, Employee.id == Outcome.employee_id)
        .where(Outcome.cycle_id == october.id, Outcome.kind == "pay_rise", Employee.is_hr.is_(False))
        .order_by(Outcome.id)).first()
    db_session.execute(update(Outcome).where(Outcome.id == undecided.id)
                       .values(status="pending", decider_id=None, decided_at=None))  # HR has not got to this one
    db_session.commit()
    page = sign_in(browser, web, HR)

    page.click("text=2026年11月")
    body = page.inner_text("body")
    assert "结算待办" in body and "还差" in body  # November's manager ratings are not given yet
    shoot(page, "month-open")
    page.click("text=确认缺口，按现有数据评分")
    assert "已确认数据缺口" in page.inner_text("body") and "人事已确认以上缺口" in page.inner_text("body")
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.action == "cycle.acknowledge_gaps")) is not None

    november = db_session.scalar(select(Cycle).where(Cycle.year == 2026, Cycle.month == 11))
    runs.score_cycle(november.id, reason="月度评分", now=datetime(2026, 12, 3, 1, 0))  # the clock on 3 December
    page.reload()
    body = page.inner_text("body")
    assert "待发布" in body and "各部门等级分布" in body and "运营部" in body
    shoot(page, "month-review")
    page.click("text=发布考核报告")
    assert "已发布" in page.inner_text(".flash") and "已发布" in page.inner_text("h1")

    page.goto(web.url + f"/console/months/{october.id}")
    row = page.locator("tr", has_text=f"（{employee_no}）").filter(has_text="加薪建议")
    assert "待审批" in row.inner_text()
    shoot(page, "month-final")
    row.locator("text=批准").click()
    assert "已批准" in page.inner_text(".flash")
    db_session.rollback()  # a new transaction: on MariaDB the open one still sees its first snapshot
    assert db_session.get(Outcome, undecided.id).status == "approved"


def test_hr_records_a_joiner_sees_the_pro_rated_sheet_and_amends_a_target_with_its_audit_row(web, browser):
    page = sign_in(browser, web, HR)
    page.click("text=人员")
    page.click("text=办理入职")
    shoot(page, "join")
    page.fill("input[name=employee_no]", "E00100")
    page.fill("input[name=name]", "郑新来")
    page.select_option("select[name=department]", "ops")
    page.select_option("select[name=position]", "ops")
    page.fill("input[name=manager_no]", "E00005")
    page.fill("input[name=joined_on]", "2026-11-16")
    page.click("button.primary")
    body = page.inner_text("body")
    assert "已办理入职：郑新来" in body and "2026年11月考核表" in body and "2026-11-16 至 2026-11-30" in body
    assert "50,000 USD" in body and "按在岗天数折算，整月目标 100000" in body  # sales accrue 15 of 30 days
    shoot(page, "person-joiner")

    row = page.locator("tr", has_text="新品转化率")
    row.locator("input[name=target]").fill("0.06")
    row.locator("input[name=reason]").fill("新品推广期提高要求")
    row.locator("text=调整").click()
    body = page.inner_text("body")
    assert "目标已调整" in body and "调整目标" in body and "新品推广期提高要求" in body
    history = page.locator("section", has_text="操作记录").inner_text()
    assert "调整目标" in history and "于浩宇" in history and "目标：0.05" in history and "目标：0.06" in history
    shoot(page, "person-amended")


def test_hr_edits_a_template_refused_at_95_previews_a_figure_and_saves_at_100(web, browser, db_session):
    page = sign_in(browser, web, HR)
    page.click(".side >> text=考核模板")
    assert "仓储" in page.inner_text("table")
    shoot(page, "templates")
    page.click("text=指标库")
    row = page.locator("tr", has_text="库存准确率").inner_text()
    assert "定量" in row and "越高越好" in row and "ERP" in row and "仓储" in row
    shoot(page, "indicators")
    page.go_back()
    page.click("tr:has-text('仓储部') >> text=编辑")
    expect(page.locator("#weight-total")).to_have_text("权重合计 100 / 100")  # the editor's script has run
    stock = page.locator("tr.item").filter(has=page.locator("option[value=wh_stock_accuracy][selected]"))
    assert stock.locator("select[name=method]").input_value() == "deduction"  # HR's rule in the demo
    stock.locator("input.figure").fill("99.2%")
    expect(stock.locator("output")).to_have_text("99.2% 得 12.00 / 30 分（未达标）")  # 3 steps of 6 short
    shoot(page, "template")

    weight = stock.locator("input[name=weight]")
    weight.fill("25")
    expect(page.locator("#weight-total")).to_have_text("权重合计 95 / 100（必须等于100）")
    page.click("text=保存模板")
    assert "未保存" in page.inner_text(".flash.error") and "当前合计为95" in page.inner_text(".flash.error")
    shoot(page, "template-refused")
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.action == "template.save")) is None

    stock = page.locator("tr.item").filter(has=page.locator("option[value=wh_stock_accuracy][selected]"))
    stock.locator("input[name=weight]").fill("30")
    stock.locator("input[name=target]").fill("99.6%")
    page.click("text=保存模板")
    assert "模板已保存" in page.inner_text(".flash.ok")
    assert stock.locator("input[name=target]").input_value() == "99.6%"
    db_session.rollback()  # a new transaction: on MariaDB the open one still sees its first snapshot
    saved = db_session.scalar(select(AuditLog).where(AuditLog.action == "template.save"))
    assert saved.after["position"] == "warehouse" and saved.actor_id is not None


def test_hr_imports_a_calendar_year_edits_a_line_and_confirms_it(web, browser, db_session):
    page = sign_in(browser, web, HR)
    page.click(".side >> text=工作日历")
    assert "2027年" in page.inner_text("table") and "待确认" in page.inner_text("table")
    shoot(page, "calendar")
    page.set_input_files("input[name=file]", str(CALENDAR_2027))
    page.click("button:text-is('导入')")
    assert "已导入2027年工作日历" in page.inner_text(".flash.ok") and "待确认" in page.inner_text("h1")
    assert "2027-02-14" in page.inner_text("table") and "调休上班" in page.inner_text("table")
    shoot(page, "calendar-year")

    text = page.locator("textarea[name=text]")
    text.fill(text.input_value().replace("| 2027-02-14 2027-02-20", "| 2027-02-14 2027-02-15"))
    page.click("button:text-is('保存')")
    assert "编辑的内容有1处错误：2027-02-15是周一，本来就上班" in page.inner_text(".flash.error")
    shoot(page, "calendar-year-refused")
    page.goto(web.url + "/console/calendar/2027")

    page.click("text=确认2027年工作日历")
    assert "2027年工作日历已确认（人事导入）" in page.inner_text(".flash.ok") and "已确认" in page.inner_text("h1")
    db_session.rollback()  # a new transaction: on MariaDB the open one still sees its first snapshot
    actions = db_session.scalars(select(AuditLog.action).where(AuditLog.action.like("calendar.%"))).all()
    assert actions.count("calendar.import") == 1 and actions.count("calendar.confirm") == 1
    assert "calendar.edit" not in actions  # the refused edit wrote nothing


def test_hr_changes_a_setting_and_enters_a_rate(web, browser):
    page = sign_in(browser, web, HR)
    page.click(".side >> text=公司设置")
    assert "等级与绩效系数" in page.inner_text("body") and "免打扰时段" in page.inner_text("body")
    shoot(page, "settings")
    row = page.locator("tr#scoring_day")
    row.locator("input[name=value]").fill("4")
    row.locator("button").click()
    assert "已保存：4" in page.inner_text(".flash.ok") and page.locator("tr#scoring_day td.value").inner_text() == "4"

    page.click(".side >> text=汇率")
    page.fill("input[name=month]", "2026-11")
    page.fill("input[name=currency]", "EUR")
    page.fill("input[name=rate]", "1.0845")
    page.click("button.primary")
    assert "已录入2026年11月汇率：1 EUR = 1.0845 USD" in page.inner_text(".flash.ok")
    assert "1 EUR = 1.0845 USD" in page.inner_text("table")
    shoot(page, "fx-rates")
