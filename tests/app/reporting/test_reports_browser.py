"""HR's downloads in real Chromium against gunicorn, on the demo company on 4 December: the month's
workbook built by the worker and checked with openpyxl against a hand count, rebuilt to the same
bytes, built again by the clock after an accepted appeal with version 1 still downloadable; the
payroll CSV before and after that appeal with the change notice on the page; and a report PDF with
an embedded CJK subset and its exact summary sentence."""

import csv
import io
import subprocess

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from app import jobs
from app.demo import DEMO_PASSWORD
from app.models import Appeal, Assessment, Cycle, Employee, Report
from app.reporting import monthly, payroll
from app.services.scoring import progress
from tests.app.reporting.conftest import HR_NO, NOW, accept_an_appeal
from tests.app.reporting.test_monthly import assert_agrees_by_hand
from tests.support.browser import VIEWPORT, check_text, chromium, shoot
from tests.support.webserver import WebServer

pytestmark = pytest.mark.embedded_only  # see tests/pytest.ini


@pytest.fixture
def web(app, december, database_url, redis_url, tmp_path):
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "JIXIAO_INSTANCE": str(tmp_path),
           "JIXIAO_UPLOADS": app.config["UPLOADS"], "JIXIAO_FROZEN_NOW": NOW.isoformat(),
           "SECRET_KEY": "reports-browser-test-" + "s" * 32}
    with WebServer(env, tmp_path / "gunicorn.log") as server:
        yield server


def test_hr_downloads_the_months_workbook_payroll_file_and_a_report_pdf(web, db_session, redis_client, december,
                                                                        tmp_path):
    with chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True)
        page.goto(web.url + "/console/login")
        page.fill("input[name=employee_no]", HR_NO)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button.primary")
        page.click("text=2026年11月")
        page.click("text=月度报表与薪资数据")
        assert "还没有生成过月度报表" in page.inner_text("#workbook")

        page.click("text=生成月度报表")
        assert "排队中" in page.inner_text(".build-text")
        work(redis_client)  # the worker; the page polls its progress and reloads when it is done
        page.wait_for_selector("text=已完成：第1版", timeout=15000)
        first = download(page, "#workbook a:text-is('下载')")
        db_session.rollback()
        assert_agrees_by_hand(db_session, december, first)

        page.click("text=生成月度报表")
        work(redis_client)
        page.wait_for_selector("text=（内容未变化）", timeout=15000)
        assert download(page, "#workbook a:text-is('下载')") == first

        before = payroll_rows(download(page, "#payroll button:text-is('导出薪资数据')"))
        db_session.rollback()
        person, _, _ = accept_an_appeal(db_session, december, raising_the_grade=True)
        assert monthly.follow_new_reports(NOW) == [december.id] and payroll.tell_changes(NOW) == 1
        work(redis_client)
        page.reload()
        versions = page.locator("#workbook tbody tr")
        assert versions.count() == 2 and "考核报告有新版本后自动生成（最新）" in versions.nth(0).inner_text()
        second = download(page, "#workbook tbody tr >> nth=0 >> a:text-is('下载')")
        assert second != first and download(page, "#workbook tbody tr >> nth=1 >> a:text-is('下载')") == first
        notice = page.inner_text("#payroll")
        exported, now = before[person.employee_no]["绩效系数"], None
        assert "导出后绩效系数有变化（1人）" in notice and person.employee_no in notice and exported in notice
        check_text(page.inner_text("body"), "reports")
        shoot(page, "reports")
        after = payroll_rows(download(page, "#payroll button:text-is('导出薪资数据')"))
        now = after[person.employee_no]["绩效系数"]
        assert now != exported and {r["状态"] for r in after.values()} == {"暂定", "正式"}
        page.reload()
        assert "导出后没有人的绩效系数发生变化" in page.inner_text("#payroll")

        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(download(page, f"tr:has-text('{person.employee_no}') >> a:text-is('PDF')"))
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "+WenQuanYiMicroHei" in fonts and " yes yes yes " in fonts and "Type 3" not in fonts
        text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                      check=True).stdout.split())
        db_session.rollback()
        summary = db_session.scalar(select(Report.summary).join(Assessment).where(
            Assessment.employee_id == person.id, Assessment.cycle_id == december.id).order_by(Report.version.desc()))
        assert "".join(summary.split()) in text and f"工号{person.employee_no}" in text
        assert db_session.get(Employee, person.id).name in text


def test_hr_reads_the_dashboard(web, db_session, december):
    open_month = db_session.scalar(select(Cycle).where(Cycle.status == "open"))
    progress.recompute_many(list(db_session.scalars(select(Assessment.id).where(Assessment.cycle_id == open_month.id))))
    with chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        page.goto(web.url + "/console/login")
        page.fill("input[name=employee_no]", HR_NO)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button.primary")
        page.click(".side >> text=数据看板")
        body = page.inner_text("body")
        for heading in ("各部门完成度与预计等级（2026年12月，进行中）", "等级分布（2026年11月）", "近7天预警",
                        "今日未提交进展", "指标趋势", "成效指标（按月）", "2026年11月 各部门"):
            assert heading in body, heading
        assert page.locator("#spread svg rect.bar").count() == 4 and page.locator("#trends svg.spark").count() > 5
        check_text(body, "dashboard")
        shoot(page, "dashboard")

        appellant = db_session.scalar(select(Employee).join(Appeal, Appeal.employee_id == Employee.id))
        page.click(".side >> text=操作记录")
        page.fill("input[name=person]", appellant.employee_no)
        page.select_option("select[name=entity]", "appeal")
        page.click("button:text-is('筛选')")
        table = page.inner_text("table.audit")
        assert "提交申诉" in table and f"{appellant.name}（{appellant.employee_no}）" in table
        check_text(page.inner_text("body"), "audit")
        shoot(page, "audit")


def work(redis_client) -> None:
    SimpleWorker([jobs.queue(jobs.DEFAULT)], connection=redis_client).work(burst=True)


def download(page, selector: str) -> bytes:
    with page.expect_download() as started:
        page.click(selector)
    with open(started.value.path(), "rb") as handle:
        return handle.read()


def payroll_rows(data: bytes) -> dict[str, dict]:
    return {r["工号"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
