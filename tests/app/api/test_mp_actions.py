"""The mini-program's actions after sign-in: a month's days with their conversations, corrections
past the edit window, reports with confirm and appeal, ratings, a manager's decisions, and
subscribe grants — each through the service that asks the one policy."""

import pytest
from sqlalchemy import func, select

from app.models import Alert, AlertRule, AuditLog, SubscribeQuota, SyncRun
from app.services.observations import sync
from tests.app.api.test_mp_auth import signed
from tests.support.clock import utc
from tests.support.company import assessment_of, configured, open_month, publish_history, small_company

API = "/api/mp/v1"


@pytest.fixture
def company(app, clock, db_session):
    return small_company()


def audit_rows(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(AuditLog))


def once(key: str, headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": f"idem-{key}"}


def test_a_days_conversation_and_a_correction_past_the_window(client, company, db_session):
    november = open_month(2026, 11)
    star, lead, trainee = (signed(db_session, p) for p in (company.star, company.lead, company.trainee))
    sheet = assessment_of(company.star, november).id
    figures = {"ops_sales": {"numerator": "1200"}}
    entry = client.post(f"{API}/progress", json={"day": "2026-11-12", "figures": figures, "note": "返场"},
                        headers=once("k-day-12", star)).get_json()["id"]

    (day,) = client.get(f"{API}/assessments/{sheet}/days", headers=star).get_json()["days"]
    assert (day["day"], day["note"], day["editable"], day["comments"]) == ("2026-11-12", "返场", True, 0)
    assert day["editable_until"] == "2026-11-13T10:00" and day["figures"][0]["display"] == "1,200 USD"

    said = client.post(f"{API}/progress/{entry}/comments", json={"body": "返场数据不错"}, headers=once("k-c1", lead))
    assert said.status_code == 200, said.get_json()
    parent = said.get_json()["id"]
    reply = client.post(f"{API}/progress/{entry}/comments", json={"body": "谢谢，明天继续", "parent_id": parent},
                        headers=once("k-c2", star))
    assert reply.status_code == 200 and reply.get_json()["author"] == "赵明星"
    thread = client.get(f"{API}/progress/{entry}/comments", headers=star).get_json()["comments"]
    assert [(c["author"], c["parent_id"]) for c in thread] == [("张组长", None), ("赵明星", parent)]
    assert client.get(f"{API}/progress/{entry}/comments", headers=trainee).status_code == 403
    stray = client.post(f"{API}/assessments/{sheet}/comments", json={"body": "串了", "parent_id": parent},
                        headers=once("k-c3", star))
    assert stray.status_code == 404 and stray.get_json()["error"]["code"] == "not_found"
    assert client.get(f"{API}/assessments/{sheet}/days", headers=star).get_json()["days"][0]["comments"] == 2

    before = audit_rows(db_session)
    late = client.post(f"{API}/corrections", headers=once("k-fix-10", star), json={
        "day": "2026-11-10", "indicator": "ops_sales", "numerator": "800", "reason": "10日漏报了一单"})
    assert late.status_code == 200 and late.get_json()["status"] == "pending", late.get_json()
    assert audit_rows(db_session) == before + 1
    (waiting,) = client.get(f"{API}/team/corrections", headers=lead).get_json()["corrections"]
    assert waiting["employee"] == "赵明星" and waiting["new"] == "800 USD"
    assert client.get(f"{API}/team/corrections", headers=star).get_json()["corrections"] == []
    assert client.post(f"{API}/corrections/{waiting['correction_request_id']}/decision", json={"approve": True},
                       headers=star).status_code == 403
    decided = client.post(f"{API}/corrections/{waiting['correction_request_id']}/decision", json={"approve": True},
                          headers=lead)
    assert decided.status_code == 200 and decided.get_json()["status"] == "approved"
    days = client.get(f"{API}/assessments/{sheet}/days", headers=star).get_json()["days"]
    assert [d["day"] for d in days] == ["2026-11-12", "2026-11-10"]  # the forgotten day now has its entry
    assert days[1]["corrections"][0]["status"] == "approved" and days[1]["editable"] is False


def test_reports_grade_history_confirm_and_an_appeal_decided_by_the_manager(client, company, db_session, clock):
    publish_history(company)
    clock.now = utc(4, 12)  # inside October's appeal window
    star, lead, trainee = (signed(db_session, p) for p in (company.star, company.lead, company.trainee))
    months = client.get(f"{API}/reports", headers=trainee).get_json()["months"]
    assert [(m["label"], m["grade"]) for m in months] == [("2026年10月", "不合格"), ("2026年9月", "不合格"),
                                                          ("2026年8月", "不合格")]
    october = months[0]["parts"][0]
    assert october["versions"][0]["response"] == "pending" and october["total"] == months[0]["total"]

    report = client.get(f"{API}/reports/{october['report_id']}", headers=trainee).get_json()
    assert report["can_appeal"] and report["can_confirm"] and report["month"]["grade"] == "不合格"
    assert client.get(f"{API}/reports/{october['report_id']}", headers=star).status_code == 403
    appealed = client.post(f"{API}/reports/{october['report_id']}/appeals", headers=once("k-ap-1", trainee),
                           json={"indicator": "ops_ad_roi", "claimed_value": "3", "reason": "广告归因延迟，后台ROI为3"})
    assert appealed.status_code == 200 and appealed.get_json()["status"] == "open", appealed.get_json()
    (waiting,) = client.get(f"{API}/team/appeals", headers=lead).get_json()["appeals"]
    assert waiting["employee"] == "钱新人" and waiting["claimed"] == "3:1", waiting
    refused = client.post(f"{API}/appeals/{waiting['appeal_id']}/decision", json={"approve": False}, headers=lead)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "invalid_input"  # a reason is owed
    decided = client.post(f"{API}/appeals/{waiting['appeal_id']}/decision",
                          json={"approve": False, "reason": "后台ROI核实为0"}, headers=lead)
    assert decided.status_code == 200 and decided.get_json()["status"] == "rejected"

    star_october = client.get(f"{API}/reports", headers=star).get_json()["months"][0]["parts"][0]["report_id"]
    confirmed = client.post(f"{API}/reports/{star_october}/confirm", headers=star)
    assert confirmed.status_code == 200 and confirmed.get_json()["response"] == "confirmed"
    again = client.post(f"{API}/reports/{star_october}/confirm", headers=star)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_answered"


def test_a_manager_rates_in_the_mini_program_and_nobody_else_can(client, company, db_session):
    open_month(2026, 11)
    lead, star = signed(db_session, company.lead), signed(db_session, company.star)
    tasks = client.get(f"{API}/ratings", headers=lead).get_json()["tasks"]
    assert {(t["employee"], t["name"]) for t in tasks} >= {("赵明星", "团队协作"), ("钱新人", "团队协作")}
    assert all(t["month"] == "2026年11月" and not t["rated"] for t in tasks)
    assert client.get(f"{API}/ratings", headers=star).get_json()["tasks"] == []
    item = next(t["assessment_item_id"] for t in tasks if t["employee"] == "赵明星" and t["name"] == "团队协作")
    assert client.post(f"{API}/ratings", json={"assessment_item_id": item, "value": "5"},
                       headers=once("k-r-1", star)).status_code == 403
    bad = client.post(f"{API}/ratings", json={"assessment_item_id": item, "value": "7"}, headers=once("k-r-2", lead))
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_input"
    rated = client.post(f"{API}/ratings", json={"assessment_item_id": item, "value": "4.5", "comment": "配合积极"},
                        headers=once("k-r-3", lead))
    assert rated.status_code == 200 and rated.get_json() == {"assessment_item_id": item, "value": "4.5",
                                                             "comment": "配合积极"}
    assert next(t for t in client.get(f"{API}/ratings", headers=lead).get_json()["tasks"]
                if t["assessment_item_id"] == item)["rated"]


def test_subscribe_grants_are_counted_per_template_and_a_foreign_template_is_refused(client, company, db_session):
    star = signed(db_session, company.star)
    offered = {s["kind"]: s for s in client.get(f"{API}/subscriptions", headers=star).get_json()["subscriptions"]}
    assert offered["report_published"]["name"] == "考核结果" and offered["report_published"]["left"] == 0
    template = offered["report_published"]["template_id"]
    for _ in range(2):
        granted = client.post(f"{API}/subscriptions", json={"accepted": [template]}, headers=star)
        assert granted.status_code == 200
    assert {s["kind"]: s["left"] for s in granted.get_json()["subscriptions"]}["report_published"] == 2
    foreign = client.post(f"{API}/subscriptions", json={"accepted": ["someone-elses-template"]}, headers=star)
    assert foreign.status_code == 422 and foreign.get_json()["error"]["code"] == "unknown_template"
    db_session.rollback()
    assert db_session.scalar(select(func.sum(SubscribeQuota.remaining))) == 2


def test_the_submit_button_is_open_then_done_and_closed_after_the_month(client, world, clock):
    sheet = f"{API}/assessments/{world.ids['assessment']}"
    clock.now = utc(12, 14)
    today = client.get(sheet, headers=world.b).get_json()["today"]
    assert today == {"day": "2026-11-12", "state": "open", "editable_until": "2026-11-13T10:00"}
    submitted = client.post(f"{API}/progress", headers={**world.b, "Idempotency-Key": "today-12"},
                            json={"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "1200"}}})
    assert submitted.status_code == 200
    assert client.get(sheet, headers=world.b).get_json()["today"]["state"] == "done"
    assert client.get(sheet, headers=world.lead).get_json()["today"]["state"] == "done"  # the manager sees it too
    clock.now = utc(1, 0, 30, month=12)  # 1 December, 00:30 in Shanghai: November's days are over
    assert client.get(sheet, headers=world.b).get_json()["today"]["state"] == "closed"


def test_each_item_says_how_the_submit_page_takes_its_figure(client, world, clock, db_session):
    configured("amazon_sp_api")
    run = SyncRun(source="amazon_sp_api", kind="sync")
    db_session.add(run)
    db_session.commit()
    clock.now = utc(12, 6, 30)
    sync.record_run(run.id, "verified", [])
    entries = {i["indicator"]: i["entry"] for i in
               client.get(f"{API}/assessments/{world.ids['assessment']}", headers=world.b).get_json()["items"]}
    assert entries["ops_sales"] == {"display": "money", "unit": "USD", "two_parts": False, "by": "sync",
                                    "parts": ["完成数", "总数"],
                                    "source": "亚马逊销售数据（Amazon SP-API）", "synced_at": "2026-11-12T06:30"}
    assert entries["ops_new_conversion"]["two_parts"] is True and entries["ops_new_conversion"]["display"] == "percent"
    assert entries["ops_new_conversion"]["parts"] == ["订购件数", "会话数"]
    assert entries["ops_ad_roi"]["parts"] == ["广告销售额", "广告花费"]
    assert entries["ops_ad_roi"]["by"] == "self"  # Amazon Ads is not connected: the person reports it
    assert entries["ops_teamwork"] == {"display": "rating", "unit": "", "two_parts": False, "by": "rating",
                                       "parts": ["完成数", "总数"],
                                       "source": "主管评分", "synced_at": None}


def test_the_home_page_lists_the_persons_recent_alerts_and_the_team_counts_them(client, world, clock, db_session):
    rule = AlertRule(code="test_rule", name="测试预警", kind="streak", params={}, active=True)
    db_session.add(rule)
    db_session.flush()
    clock.now = utc(12, 14)
    for fingerprint, raised in (("old", utc(2, 9)), ("new", utc(11, 9))):  # 10 days and 1 day ago
        db_session.add(Alert(rule_id=rule.id, employee_id=world.ids["employee"], fingerprint=fingerprint,
                             message=f"赵明星连续3天销售额低于目标（{fingerprint}）", raised_at=raised))
    db_session.commit()
    sheet = client.get(f"{API}/assessments/{world.ids['assessment']}", headers=world.b).get_json()
    assert [a["message"] for a in sheet["alerts"]] == ["赵明星连续3天销售额低于目标（new）"]
    members = {m["name"]: m for m in client.get(f"{API}/team", headers=world.lead).get_json()["members"]}
    assert (members["赵明星"]["alerts"], members["钱新人"]["alerts"]) == (1, 0)
    assert members["赵明星"]["submitted_today"] is False
    client.post(f"{API}/progress", headers={**world.b, "Idempotency-Key": "alerts-today"},
                json={"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "10"}}})
    members = {m["name"]: m for m in client.get(f"{API}/team", headers=world.lead).get_json()["members"]}
    assert members["赵明星"]["submitted_today"] is True
    assert members["钱新人"]["bars"] == []  # nothing computed yet
