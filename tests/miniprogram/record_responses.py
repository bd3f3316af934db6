"""Writes the mini-program's recorded API answers (see recording.py). Not collected by the suite;
`make record-miniprogram` runs it:

    pytest -c tests/pytest.ini --rootdir . -o python_files=record_responses.py \
        -o python_functions='record_*' tests/miniprogram

Every state is built in the API's test company (tests/support/mp_world.py) on Thursday
12 November 2026, 14:00 in Shanghai, with figures synced the way the connectors write them.
"""

import io
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Alert, AlertRule, Employee, SyncRun
from app.services.authz import system
from app.services.news import alerts
from app.services.notify import quota
from app.services.observations import sync
from app.services.observations.sync import Incoming
from app.services.org import binding
from app.services.scoring import progress
from tests.app.api.test_mp_auth import signed
from tests.miniprogram.recording import Recorder
from tests.support.clock import utc
from tests.support.company import configured
from tests.support.demo import seeded_demo
from tests.support.images import png_bytes
from tests.support.mp_world import build_world


def person(name: str) -> Employee:
    found = db.session.scalar(select(Employee).where(Employee.name == name))
    assert found is not None, name
    return found


def synced(source: str, rows: list[Incoming]) -> None:
    run = SyncRun(source=source, kind="sync")
    db.session.add(run)
    db.session.commit()
    sync.record_run(run.id, "verified", rows)


def november(client, clock, db_session):
    """The world, moved to 12 November with eleven days of synced figures and progress computed."""
    world = build_world(client, clock, db_session)
    configured("amazon_sp_api", "amazon_ads", "erp")
    clock.now = utc(12, 6, 30)  # the night's syncs end at 06:30
    star, keeper = person("赵明星"), person("周仓管")
    days = [date(2026, 11, d) for d in range(1, 12)]
    synced("amazon_sp_api", [Incoming(star.id, "ops_sales", d, Decimal(1800 + 40 * n), None, f"s/{d}", "USD")
                             for n, d in enumerate(days)])
    synced("amazon_ads", [Incoming(star.id, "ops_ad_roi", d, Decimal(330), Decimal(100), f"r/{d}", "USD")
                          for d in days])
    synced("erp", [Incoming(keeper.id, "wh_misship_rate", d, Decimal(0 if n % 4 else 1), Decimal(2000), f"m/{d}")
                   for n, d in enumerate(days)]
           + [Incoming(keeper.id, "wh_dispatch_24h_share", d, Decimal(1960), Decimal(2000), f"d/{d}") for d in days])
    clock.now = utc(12, 14)
    progress.recompute(world.ids["assessment"], date(2026, 11, 12))
    db_session.commit()
    return world


def record_login(client, clock, db_session, standin):
    build_world(client, clock, db_session)
    trainee = person("钱新人")
    first = Recorder(client, "login", "first", "首次登录：未绑定，须输入工号和绑定码")
    standin.add_code("code-first", "o-new-trainee")
    first.call("POST", "/auth/login", {"code": "code-first"})
    code, _ = binding.issue_code(trainee.employee_no, system("cli"))
    standin.add_code("code-bind", "o-new-trainee")
    first.call("POST", "/auth/login", {"code": "code-bind", "employee_no": trainee.employee_no, "bind_code": code})
    first.shows("工号", "绑定码")
    first.save()
    again = Recorder(client, "login", "bound", "已绑定：静默登录后进入首页")
    standin.add_code("code-again", "o-new-trainee")
    again.call("POST", "/auth/login", {"code": "code-again"})
    again.save()


def record_home(client, clock, db_session):
    world = november(client, clock, db_session)
    alerts.load_default_rules()
    rule = db_session.scalar(select(AlertRule).order_by(AlertRule.id))
    db_session.add(Alert(rule_id=rule.id, employee_id=world.ids["employee"], fingerprint="record-home-1",
                         raised_at=utc(12, 9), message="赵明星的月度销售额落后进度超过10%：完成22%，进度应达36%"))
    db_session.commit()
    behind = Recorder(client, "home", "behind", "赵明星：销售额落后进度，今日未提交", world.b)
    behind.call("GET", "/me")
    sheet_id = behind.call("GET", "/assessments")["assessments"][0]["id"]
    sheet = behind.call("GET", f"/assessments/{sheet_id}")
    behind.shows(sheet["progress"]["body"]["summary"], "22,000 USD", "截至11月11日", "进度应达36%",
                 sheet["alerts"][0]["message"])
    behind.save()
    keeper_sheet = client.get("/api/mp/v1/assessments", headers=world.m).get_json()["assessments"][0]["id"]
    progress.recompute(keeper_sheet, date(2026, 11, 12))
    db_session.commit()
    client.post("/api/mp/v1/progress", headers={**world.m, "Idempotency-Key": "keeper-today"},
                json={"day": "2026-11-12", "note": "月中盘点完成",
                      "figures": {"wh_stock_accuracy": {"numerator": "1996", "denominator": "2000"}}})
    ahead = Recorder(client, "home", "ahead_done", "周仓管：错发率低于目标（越低越好）领先，今日已提交", world.m)
    ahead.call("GET", "/me")
    ahead.call("GET", "/assessments")
    ahead.call("GET", f"/assessments/{keeper_sheet}")
    ahead.shows("错发率", "24小时发货率", "完成103%", "周仓管")
    ahead.save()

    clock.now = utc(1, 0, 30, month=12)  # November is over: nothing more to submit for it
    closed = Recorder(client, "home", "closed", "12月1日凌晨：11月的提交窗口已关闭", world.b)
    closed.call("GET", "/me")
    sheet_id = closed.call("GET", "/assessments")["assessments"][0]["id"]
    closed.call("GET", f"/assessments/{sheet_id}")
    closed.shows("赵明星")
    closed.save()


def record_submit(client, clock, db_session):
    world = november(client, clock, db_session)
    trainee = world.a
    first = Recorder(client, "submit", "first_day", "钱新人今天首次提交：须先同意截图说明，销售额同步、可自报",
                     trainee)
    sheet_id = first.call("GET", "/assessments")["assessments"][0]["id"]
    first.call("GET", f"/assessments/{sheet_id}")
    first.call("GET", f"/assessments/{sheet_id}/days")
    privacy = first.call("GET", "/privacy")
    for kind, count in (("comment", 2), ("alert", 1), ("data_mismatch", 3)):  # taps "允许" earlier
        quota.grant_quota(person("钱新人").id, f"dev-tpl-{'mismatch' if kind == 'data_mismatch' else kind}", count,
                          now=clock.now)
    first.call("GET", "/subscriptions")
    first.call("POST", "/privacy", {"version": privacy["version"]})
    upload = client.post("/api/mp/v1/screenshots", headers=trainee, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(png_bytes(seed=12)), "shot.png")})
    first.recording["requests"].append({"method": "POST", "path": "/screenshots", "status": upload.status_code,
                                        "body": upload.get_json()})
    roi = {"ops_ad_roi": {"numerator": "660", "denominator": "200"}}
    first.call("POST", "/progress", {"day": "2026-11-12", "figures": roi, "note": "新广告组上线",
                                     "screenshots": [upload.get_json()["id"]]}, key="record-submit-1")
    first.shows("亚马逊销售数据（Amazon SP-API）", "100,000 USD", "广告销售额")
    first.save()

    client.post("/api/mp/v1/progress", headers={**world.b, "Idempotency-Key": "record-b-12"},
                json={"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "2300"}}, "note": "大促预热"})
    again = Recorder(client, "submit", "edit_today", "赵明星修改今天已提交的数据：表单带出已填的数与备注", world.b)
    sheet_id = again.call("GET", "/assessments")["assessments"][0]["id"]
    again.call("GET", f"/assessments/{sheet_id}")
    again.call("GET", f"/assessments/{sheet_id}/days")
    again.call("GET", "/privacy")
    again.call("GET", "/subscriptions")
    again.call("POST", "/progress", {"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "2350"}},
                                     "note": "大促预热，已更正"}, key="record-b-12-edit")
    again.call("POST", "/corrections", {"day": "2026-11-03", "indicator": "ops_sales", "numerator": "1800",
                                        "reason": "当天出差漏报"}, key="record-b-forgotten-3")
    again.shows("大促预热", "2300")
    again.save()


def record_targets(client, clock, db_session):
    world = november(client, clock, db_session)
    ask = Recorder(client, "targets", "to_acknowledge", "赵明星：本月目标待确认，每项的计分规则", world.b,
                   query={"id": world.ids["assessment"]})
    sheet = ask.call("GET", f"/assessments/{world.ids['assessment']}")
    rules = ask.call("GET", f"/assessments/{world.ids['assessment']}/rules")
    ask.call("GET", "/subscriptions")
    ask.call("POST", f"/assessments/{world.ids['assessment']}/acknowledge")
    ask.call("POST", "/subscriptions", {"accepted": ["dev-tpl-report", "dev-tpl-target", "dev-tpl-reminder"]})
    ask.shows(rules["rules"][0]["rule"], rules["rules"][0]["by"], sheet["items"][0]["target_display"])
    ask.save()
    done = Recorder(client, "targets", "acknowledged", "赵明星已确认本月目标", world.b,
                    query={"id": world.ids["assessment"]})
    done.call("GET", f"/assessments/{world.ids['assessment']}")
    done.call("GET", f"/assessments/{world.ids['assessment']}/rules")
    done.call("GET", "/subscriptions")
    done.shows("广告ROI")
    done.save()


def record_team(client, clock, db_session):
    world = november(client, clock, db_session)
    for state, headers, about in (("lead", world.lead, "张组长：两人的进度、待处理的申诉、更正与评分"),
                                  ("keeper", world.m, "周仓管：一人，无待处理事项")):
        team = Recorder(client, "team", state, about, headers)
        members = team.call("GET", "/team")["members"]
        for path in ("/team/appeals", "/team/corrections", "/ratings"):
            team.call("GET", path)
        team.shows(*(m["name"] for m in members))
        team.save()


def record_reports(client, clock, db_session):
    world = november(client, clock, db_session)
    mine = Recorder(client, "reports", "history", "赵明星：三个月的结果与等级", world.b)
    months = mine.call("GET", "/reports")
    mine.shows(months["months"][0]["label"], months["months"][0]["parts"][0]["summary"])
    mine.save()
    new = Recorder(client, "reports", "newcomer", "钱新人：只有一个月", world.a)
    months = new.call("GET", "/reports")
    new.shows(months["months"][0]["label"])
    new.save()


def record_report(client, clock, db_session):
    world = november(client, clock, db_session)
    clock.now = utc(4, 12)  # inside October's window: 认可 / 申诉 still open
    appealed = Recorder(client, "report", "appealed", "赵明星10月报告：已对广告ROI申诉", world.b,
                        query={"id": world.ids["report"]})
    report = appealed.call("GET", f"/reports/{world.ids['report']}")
    appealed.shows(report["body"]["items"][0]["name"], report["body"]["grade"])
    appealed.save()
    trainee_report = client.get("/api/mp/v1/reports", headers=world.a).get_json()["months"][0]["parts"][0]["report_id"]
    pending = Recorder(client, "report", "pending", "钱新人10月报告：待认可，申诉倒计时", world.a,
                       query={"id": trainee_report})
    report = pending.call("GET", f"/reports/{trainee_report}")
    pending.call("POST", f"/reports/{trainee_report}/confirm")
    pending.shows(report["body"]["summary"])
    pending.save()


def record_history(client, clock, db_session):
    world = november(client, clock, db_session)
    mine = Recorder(client, "history", "with_comment", "赵明星：一天带点评、截图和更正申请", world.b)
    sheet = mine.call("GET", "/assessments")["assessments"][0]["id"]
    days = mine.call("GET", f"/assessments/{sheet}/days")
    mine.shows(days["days"][0]["figures"][0]["display"])
    mine.save()
    client.post("/api/mp/v1/progress", headers={**world.a, "Idempotency-Key": "record-a-10"},
                json={"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "1500"}}, "note": "新人第一单"})
    new = Recorder(client, "history", "plain", "钱新人：今天一天，无点评", world.a)
    sheet = new.call("GET", "/assessments")["assessments"][0]["id"]
    new.call("GET", f"/assessments/{sheet}/days")
    new.shows("新人第一单")
    new.save()


def record_comments(client, clock, db_session):
    world = november(client, clock, db_session)
    entry = Recorder(client, "comments", "entry", "赵明星11月4日的进展：主管的点评与回复", world.b,
                     query={"entry": world.ids["entry"]})
    thread = entry.call("GET", f"/progress/{world.ids['entry']}/comments")
    entry.call("POST", f"/progress/{world.ids['entry']}/comments",
               {"body": "谢谢，继续加油", "parent_id": thread["comments"][0]["id"]}, key="record-reply-1")
    entry.shows(thread["comments"][0]["body"])
    entry.save()
    sheet = Recorder(client, "comments", "assessment", "主管对钱新人本月考核表的点评", world.lead,
                     query={"assessment": assessment_id(client, world.a)})
    sheet.call("POST", f"/assessments/{assessment_id(client, world.a)}/comments", {"body": "本月重点是新品转化"},
               key="record-sheet-1")
    sheet.recording["requests"].clear()
    thread = sheet.call("GET", f"/assessments/{assessment_id(client, world.a)}/comments")
    sheet.shows(thread["comments"][0]["body"])
    sheet.save()


def assessment_id(client, headers) -> int:
    return client.get("/api/mp/v1/assessments", headers=headers).get_json()["assessments"][0]["id"]


def record_job(client, clock, db_session):
    world = november(client, clock, db_session)
    for state, headers, about in (("ops", world.b, "运营岗位说明书"), ("warehouse", world.m, "仓储岗位说明书")):
        job = Recorder(client, "job", state, about, headers)
        described = job.call("GET", "/me/job-description")
        job.call("GET", "/assessments")
        job.shows(described["duties"][0]["text"], described["position"])
        job.save()


def record_appeal(client, clock, db_session):
    world = november(client, clock, db_session)
    clock.now = utc(4, 12)
    decide = Recorder(client, "appeal", "decide", "张组长处理赵明星的申诉", world.lead, query={"id": world.appeal_id})
    appeal = decide.call("GET", f"/appeals/{world.appeal_id}")
    decide.call("POST", f"/appeals/{world.appeal_id}/decision", {"approve": False, "reason": "ROI以后台为准"})
    decide.shows(appeal["reason"])
    decide.save()
    trainee_report = client.get("/api/mp/v1/reports", headers=world.a).get_json()["months"][0]["parts"][0]["report_id"]
    file = Recorder(client, "appeal", "file", "钱新人对10月报告提出申诉", world.a, query={"report": trainee_report})
    report = file.call("GET", f"/reports/{trainee_report}")
    file.call("POST", f"/reports/{trainee_report}/appeals",
              {"indicator": "ops_sales", "claimed_value": "105000", "reason": "10月31日订单晚到账"},
              key="record-appeal-1")
    file.shows(report["body"]["items"][0]["name"])
    file.save()


def record_ratings(client, clock, db_session):
    world = november(client, clock, db_session)
    todo = Recorder(client, "ratings", "to_rate", "张组长：四项待评分", world.lead)
    tasks = todo.call("GET", "/ratings")
    todo.call("POST", "/ratings", {"assessment_item_id": tasks["tasks"][0]["assessment_item_id"], "value": "4.5",
                                   "comment": "配合积极"}, key="record-rating-1")
    todo.shows(tasks["tasks"][0]["employee"], tasks["tasks"][0]["name"])
    todo.save()
    for task in client.get("/api/mp/v1/ratings", headers=world.lead).get_json()["tasks"]:
        rated = client.post("/api/mp/v1/ratings", json={"assessment_item_id": task["assessment_item_id"], "value": "4"},
                            headers={**world.lead, "Idempotency-Key": f"record-rate-{task['assessment_item_id']}"})
        assert rated.status_code == 200, rated.get_json()
    done = Recorder(client, "ratings", "all_rated", "张组长：本月已全部评分", world.lead)
    done.call("GET", "/ratings")
    done.shows("钱新人")
    done.save()


def record_correction(client, clock, db_session):
    world = november(client, clock, db_session)
    decide = Recorder(client, "correction", "decide", "张组长审批赵明星的数据更正", world.lead,
                      query={"id": world.ids["correction"]})
    correction = decide.call("GET", f"/corrections/{world.ids['correction']}")
    decide.call("POST", f"/corrections/{world.ids['correction']}/decision", {"approve": True, "reason": "已核实"})
    decide.shows(correction["reason"])
    decide.save()
    mine = Recorder(client, "correction", "mine", "赵明星查看自己的更正申请（已批准）", world.b,
                    query={"id": world.ids["correction"]})
    correction = mine.call("GET", f"/corrections/{world.ids['correction']}")
    mine.shows(correction["reason"])
    mine.save()


def record_peer_ratings(client, clock, db_session):
    seeded_demo(today=date(2026, 11, 27))
    clock.now = utc(27, 15)
    for packer in db_session.scalars(select(Employee).where(Employee.status == "active").order_by(Employee.id)):
        headers = signed(db_session, packer) if not packer.is_hr else None
        tasks = headers and client.get("/api/mp/v1/ratings", headers=headers).get_json().get("tasks", [])
        if tasks and all(t["rater_kind"] == "peer" for t in tasks):
            break
    else:
        raise AssertionError("the demo has nobody asked only for peer ratings")
    peer = Recorder(client, "ratings", "peer", "仓储同事互评：只评同事，不评自己", headers)
    tasks = peer.call("GET", "/ratings")["tasks"]
    peer.call("POST", "/ratings", {"assessment_item_id": tasks[0]["assessment_item_id"], "value": "3"},
              key="record-peer-1")
    peer.shows(tasks[0]["employee"], tasks[0]["name"])
    peer.save()


def record_report_of_two_positions(client, clock, db_session):
    seeded_demo(today=date(2026, 11, 27))
    clock.now = utc(27, 15)
    for person in db_session.scalars(select(Employee).where(Employee.status == "active").order_by(Employee.id)):
        headers = signed(db_session, person)
        months = client.get("/api/mp/v1/reports", headers=headers).get_json()["months"]
        split = next((m for m in months if len(m["parts"]) > 1), None)
        if split:
            break
    else:
        raise AssertionError("the demo has nobody whose month was two assessments")
    report_id = split["parts"][-1]["report_id"]
    two = Recorder(client, "report", "two_positions", "换岗的一个月：两段考核合并为月度结果", headers,
                   query={"id": report_id})
    report = two.call("GET", f"/reports/{report_id}")
    two.shows(*(part["position"] for part in report["month"]["parts"]))
    two.save()
