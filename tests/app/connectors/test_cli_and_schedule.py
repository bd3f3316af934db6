"""`flask connectors …` drives the real connector against the stand-in, and the clock queues each
connector's sync once per schedule slot (Zendesk hourly)."""

from datetime import datetime

from sqlalchemy import select

from app import jobs
from app.connectors import runs
from app.models import Connector, Observation, SyncRun
from tests.support.clock import utc


def test_the_admin_enters_credentials_maps_an_agent_and_syncs_from_the_cli(vendors, company, runner, db_session):
    by = ["--by", company.admin.employee_no]
    entered = runner.invoke(args=["connectors", "set", "zendesk", *by, "--set", "subdomain=acme",
                                  "--set", "email=admin@example.com", "--set", "complaint_tags=enterprise"],
                            input="zendesk-token\n\n")  # the API token is asked for, hidden; the default kept
    assert entered.exit_code == 0, entered.output
    assert "zendesk-token" not in entered.output and "已验证并加密保存" in entered.output
    mapped = runner.invoke(args=["connectors", "map", "zendesk", "235323", company.agent.employee_no,
                                 "--from", "2009-01-01", *by])
    assert mapped.exit_code == 0, mapped.output
    assert mapped.stdout.strip() == "235323 自 2009-01-01 起归 孙客服；已归入未映射记录 0 条"
    synced = runner.invoke(args=["connectors", "sync", "zendesk", *by])
    assert synced.exit_code == 0, synced.output
    assert synced.stdout.startswith("同步 #") and "done" in synced.stdout
    listed = runner.invoke(args=["connectors", "list", *by])
    assert "amazon_sp_api\tunset\t连续失败0次\t从未同步" in listed.stdout.splitlines()
    assert [line for line in listed.stdout.splitlines() if line.startswith("zendesk")][0].startswith(
        "zendesk\tvalid\t连续失败0次\tdone 2026-11-12 14:00")  # local time
    refused = runner.invoke(args=["connectors", "list", "--by", company.hr.employee_no])
    assert (refused.exit_code, refused.stderr.strip()) == (2, "只有管理员可以管理数据连接")
    assert db_session.scalar(select(Observation)) is None  # nothing changed in Zendesk this month
    assert db_session.scalar(select(Connector)).checkpoint["cursor"]


def test_the_clock_queues_each_connector_once_per_slot(vendors, company, sleeps, db_session, redis_client):
    from app.connectors import admin

    admin.save_credentials("zendesk", {"subdomain": "acme", "email": "admin@example.com",
                                       "api_token": "zendesk-token"}, admin_id=company.admin.id, sleep=sleeps)
    at = utc(12, 14, 5)
    assert runs.enqueue_due(at) == ["zendesk"]
    assert runs.enqueue_due(at) == []  # the same hour: the slot's job is already queued
    queued = jobs.queue(jobs.DEFAULT).jobs
    assert [(j.func_name, j.args, j.id) for j in queued] == [
        ("workers.jobs.connectors.sync", ("zendesk",), "sync-zendesk-2026111214")]
    db_session.add(SyncRun(source="zendesk", kind="sync", started_at=utc(12, 15, 1), status="done"))
    db_session.commit()
    assert runs.enqueue_due(utc(12, 15, 30)) == []  # a sync already started in this hour
    assert runs.enqueue_due(datetime(2026, 11, 12, 8, 0)) == ["zendesk"]  # 16:00 in Shanghai
