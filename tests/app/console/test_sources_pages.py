"""数据连接, 外部账号映射 and 数据导入 in the console: the admin enters Zendesk's credentials (checked
with the stand-in, never shown back), asks for a sync, maps an identity; HR uploads a file, sees the
first rows read through a preset, and imports it — in real Chromium against gunicorn."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import jobs
from app.models import Connector, ExternalIdentity, Observation, SyncRun
from app.standins.harness import RunningVendors
from tests.support.browser import VIEWPORT, chromium, shoot
from tests.support.console import PASSWORD, console_company, csrf, sign_in
from tests.support.webserver import WebServer


@pytest.fixture
def vendors(app, monkeypatch):
    running = RunningVendors()
    monkeypatch.setitem(app.config, "ZENDESK_URL", running.url)
    yield running
    running.stop()


def test_the_admin_connects_zendesk_asks_for_a_sync_and_maps_an_agent(client, db_session, vendors):
    people, admin = console_company()
    sign_in(client, admin.employee_no)
    token = csrf(client, "/console/admin/connectors")
    refused = client.post("/console/admin/connectors/zendesk", data={
        "csrf_token": token, "subdomain": "acme", "email": "admin@example.com", "api_token": "wrong"},
        follow_redirects=True).get_data(as_text=True)
    assert "未保存：Zendesk 客服系统 没有接受这组凭据" in refused
    page = client.post("/console/admin/connectors/zendesk", data={
        "csrf_token": token, "subdomain": "acme", "email": "admin@example.com", "api_token": "zendesk-token",
        "complaint_tags": "complaint"}, follow_redirects=True).get_data(as_text=True)
    assert "凭据已验证并加密保存" in page and "已连接" in page and "zendesk-token" not in page
    # the secret left blank keeps the stored one
    again = client.post("/console/admin/connectors/zendesk", data={
        "csrf_token": token, "subdomain": "acme", "email": "admin@example.com", "api_token": "",
        "complaint_tags": "complaint,投诉"}, follow_redirects=True).get_data(as_text=True)
    assert "凭据已验证并加密保存" in again
    assert db_session.scalar(select(Connector.status)) == "valid"
    asked = client.post("/console/admin/connectors/zendesk/sync", data={"csrf_token": token},
                        follow_redirects=True).get_data(as_text=True)
    assert "已开始同步 Zendesk 客服系统" in asked
    assert [j.args for j in jobs.queue(jobs.DEFAULT).jobs] == [("zendesk",)]

    mapped = client.post("/console/admin/mappings", data={
        "csrf_token": token, "identity": "zendesk", "external_id": "235323",
        "employee_no": people.star.employee_no, "valid_from": "2026-11-01"}, follow_redirects=True)
    assert "已保存映射" in mapped.get_data(as_text=True) and "235323" in mapped.get_data(as_text=True)
    assert db_session.scalar(select(ExternalIdentity.employee_id)) == people.star.id


@pytest.fixture
def web(db_session, database_url, redis_url, tmp_path):
    people, admin = console_company()
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "JIXIAO_INSTANCE": str(tmp_path),
           "SECRET_KEY": "imports-browser-test-" + "s" * 32}
    with WebServer(env, tmp_path / "gunicorn.log") as server:
        server.people = people
        yield server


@pytest.mark.embedded_only  # a browser: see tests/pytest.ini
def test_hr_uploads_a_file_sees_the_first_rows_read_and_imports_it_in_chromium(web, db_session, tmp_path):
    people = web.people
    good = tmp_path / "自报数据.csv"
    good.write_text("工号,指标代码,日期,分子,分母\n"
                    f"{people.lead.employee_no},ops_sales,2026-11-10,1234.50,\n"
                    f"{people.star.employee_no},ops_sales,2026-11-10,800,\n", encoding="utf-8-sig")
    bad = tmp_path / "有错.csv"
    bad.write_text("工号,指标代码,日期,分子,分母\n"
                   f"{people.star.employee_no},ops_sales,2026-11-31,1,\n", encoding="utf-8-sig")
    with chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        page.goto(web.url + "/console/login")
        page.fill("input[name=employee_no]", people.hr.employee_no)
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.click("text=数据导入")
        shoot(page, "imports")
        for path, preset in ((bad, "通用指标表（工号）"), (good, "通用指标表（工号）")):
            page.goto(web.url + "/console/imports")
            page.set_input_files("input[name=file]", str(path))
            page.select_option("select[name=preset]", preset)
            page.click("text=上传并预览")
            if path is bad:
                assert "日期：「2026-11-31」不是日期" in page.inner_text("body")
                page.click("text=导入整个文件")
                body = page.inner_text("body")
                assert "文件有 1 行错误，没有导入任何数据" in body and "第2行：日期：「2026-11-31」不是日期" in body
                shoot(page, "imports-refused")
                continue
            body = page.inner_text("body")
            assert "1234.50" in body and body.count("可导入") == 2
            shoot(page, "imports-preview")
            page.click("text=导入整个文件")
            assert "已导入：新增 2 条" in page.inner_text("body")
            shoot(page, "imports-done")
    db_session.rollback()  # a fresh snapshot: the web server committed the import (MariaDB's REPEATABLE READ)
    figures = {(o.employee_id, o.numerator, o.provenance) for o in db_session.scalars(select(Observation))}
    assert figures == {(people.lead.id, Decimal("1234.50"), "imported"), (people.star.id, Decimal(800), "imported")}
    run = db_session.scalar(select(SyncRun).where(SyncRun.status == "done"))
    assert run.uploaded_by == people.hr.id and run.file_sha256 and run.covered_through == date(2026, 11, 10)


@pytest.mark.embedded_only  # a browser: see tests/pytest.ini
def test_the_admin_sees_connectors_mappings_and_unmapped_records_in_chromium(app, db_session, database_url,
                                                                           redis_url, tmp_path):
    from app.connectors import vault
    from app.models import Connector, UnmappedRecord

    people, admin = console_company()
    db_session.add(Connector(source="zendesk", status="valid", checkpoint={}, failures=1, secret=vault.seal(
        {"subdomain": "acme", "email": "admin@example.com", "api_token": "zendesk-token-1234",
         "complaint_tags": "complaint"})))
    db_session.add(SyncRun(source="zendesk", kind="sync", status="failed", started_at=date(2026, 11, 12), counts={},
                           error="Zendesk GET /api/v2/incremental/tickets/cursor 重试6次仍失败（最后一次：503）"))
    db_session.add(ExternalIdentity(source="amazon", external_id="B0000301X", employee_id=people.star.id,
                                    effective_from=date(2026, 11, 1)))
    db_session.add(UnmappedRecord(source="amazon_sp_api", identity="amazon", external_id="B0009905N",
                                  indicator_code="ops_sales", day=date(2026, 11, 10), numerator=Decimal("88.20"),
                                  provenance="verified", external_ref="ATVPDKIKX0DER/2026-11-10/B0009905N/sales"))
    db_session.commit()
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "JIXIAO_INSTANCE": str(tmp_path),
           "SECRET_KEY": "connectors-browser-test-" + "s" * 32, "JIXIAO_MASTER_KEY": app.config["MASTER_KEY"]}
    with WebServer(env, tmp_path / "gunicorn.log") as web, chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        page.goto(web.url + "/console/login")
        page.fill("input[name=employee_no]", admin.employee_no)
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.click("text=数据连接")
        body = page.inner_text("body")
        assert "已连接" in body and "已连续失败 1 次" in body and "zendesk-token-1234" not in body
        assert page.get_attribute("#zendesk input[name=api_token]", "placeholder") == "••••1234"
        shoot(page, "admin-connectors")
        page.click("text=外部账号映射")
        body = page.inner_text("body")
        assert "B0009905N" in body and "B0000301X" in body and people.star.name in body
        page.click("a:has-text('建立映射')")
        page.wait_for_url("**external_id=B0009905N**")
        assert page.input_value("input[name=external_id]") == "B0009905N"
        page.fill("input[name=employee_no]", people.star.employee_no)
        page.click("text=保存映射")
        assert "已保存映射；归入未映射记录 1 条" in page.inner_text("body")
        shoot(page, "admin-mappings")
    db_session.rollback()  # a fresh snapshot: the web server committed the mapping
    assert db_session.scalar(select(Observation.employee_id).where(Observation.indicator_code == "ops_sales")) == \
        people.star.id
