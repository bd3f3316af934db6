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
from app.models import Employee, SyncRun
from app.services.authz import system
from app.services.notify import quota
from app.services.observations import sync
from app.services.observations.sync import Incoming
from app.services.org import binding
from app.services.scoring import progress
from tests.miniprogram.recording import Recorder
from tests.support.clock import utc
from tests.support.company import configured
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
    world = build_world(client, clock, db_session)
    star = person("钱新人")
    first = Recorder(client, "login", "first", "首次登录：未绑定，须输入工号和绑定码")
    standin.add_code("code-first", "o-new-trainee")
    first.call("POST", "/auth/login", {"code": "code-first"})
    code, _ = binding.issue_code(star.employee_no, system("cli"))
    standin.add_code("code-bind", "o-new-trainee")
    first.call("POST", "/auth/login", {"code": "code-bind", "employee_no": star.employee_no, "bind_code": code})
    first.shows("工号", "绑定码")
    first.save()
    again = Recorder(client, "login", "bound", "已绑定：静默登录后进入首页")
    standin.add_code("code-again", "o-new-trainee")
    again.call("POST", "/auth/login", {"code": "code-again"})
    again.save()
    assert world


def record_home(client, clock, db_session):
    world = november(client, clock, db_session)
    behind = Recorder(client, "home", "behind", "赵明星：销售额落后进度，今日未提交", world.b)
    sheet_id = behind.call("GET", "/assessments")["assessments"][0]["id"]
    sheet = behind.call("GET", f"/assessments/{sheet_id}")
    behind.shows(sheet["progress"]["body"]["summary"], "22,000 USD", "截至11月11日", "进度应达36%")
    behind.save()
    keeper_sheet = client.get("/api/mp/v1/assessments", headers=world.m).get_json()["assessments"][0]["id"]
    progress.recompute(keeper_sheet, date(2026, 11, 12))
    db_session.commit()
    client.post("/api/mp/v1/progress", headers={**world.m, "Idempotency-Key": "keeper-today"},
                json={"day": "2026-11-12", "note": "月中盘点完成",
                      "figures": {"wh_stock_accuracy": {"numerator": "1996", "denominator": "2000"}}})
    ahead = Recorder(client, "home", "ahead_done", "周仓管：错发率低于目标（越低越好）领先，今日已提交", world.m)
    ahead.call("GET", "/assessments")
    ahead.call("GET", f"/assessments/{keeper_sheet}")
    ahead.shows("错发率", "24小时发货率", "完成103%")
    ahead.save()


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
    again.shows("大促预热", "2300")
    again.save()
