"""Alerts on the seeded company: each streak and batch alerts once, holidays break no streak,
batch alerts name orders and packers, rules load without overwriting HR, evaluation is set-based."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from app.domain.alerts import Finding
from app.extensions import db
from app.models import (
    Alert,
    AlertRule,
    AuditLog,
    Department,
    Employee,
    Observation,
    OutboxMessage,
    Shipment,
)
from app.services.news import alerts
from tests.support.demo import seeded_demo

TODAY = date(2026, 11, 27)


def seeded():
    """The demo without its warehouse order lines: the batch tests ship batches of their own."""
    seeded_demo(today=TODAY, lived=False)
    db.session.execute(delete(Shipment))
    db.session.commit()
    alerts.load_default_rules()


def team(session, department: str) -> list[Employee]:
    """The department's members below its lead, in id order."""
    return session.scalars(select(Employee).join(Department).where(
        Department.code == department, Employee.manager_id != 1).order_by(Employee.id)).all()


def reply_seconds(session, employee: Employee, day: date, average: int) -> None:
    """A verified figure for the day: it outranks the seed's imported one as the figure of record."""
    session.add(Observation(employee_id=employee.id, indicator_code="cs_avg_reply_seconds", day=day,
                            numerator=Decimal(average * 100), denominator=Decimal(100), source="zendesk",
                            provenance="verified", external_ref=f"test/{employee.id}/{day.isoformat()}"))
    session.commit()


def alerts_named(session, fingerprint: str) -> list[Alert]:
    session.rollback()  # a fresh snapshot on MariaDB
    return session.scalars(select(Alert).where(Alert.fingerprint == fingerprint)).all()


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def test_the_cs_streak_fires_once_and_the_national_day_holiday_neither_counts_nor_breaks_it(db_session):
    seeded()
    agent = team(db_session, "cs")[0]
    for day, average in ((28, 25), (29, 35), (30, 34)):
        reply_seconds(db_session, agent, date(2026, 9, day), average)
    for holiday in (1, 2):  # worked on the holiday, slowly: not a counted day
        reply_seconds(db_session, agent, date(2026, 10, holiday), 50)
    fingerprint = f"cs_reply_slow_streak:{agent.id}:2026-09-29"

    alerts.evaluate_employee(agent.id, date(2026, 10, 7))
    assert alerts_named(db_session, fingerprint) == []

    reply_seconds(db_session, agent, date(2026, 10, 8), 31)
    raised = alerts.evaluate_employee(agent.id, date(2026, 10, 8))
    assert fingerprint in [a.fingerprint for a in raised]
    [alert] = alerts_named(db_session, fingerprint)
    assert [d["day"] for d in alert.evidence["days"]] == ["2026-09-29", "2026-09-30", "2026-10-08"]
    assert alert.message == f"{agent.name}连续3天响应时间超过30秒（9月29日 35秒、9月30日 34秒、10月8日 31秒）"
    assert alert.employee_id == agent.id

    assert alerts.evaluate_employee(agent.id, date(2026, 10, 8)) == []
    reply_seconds(db_session, agent, date(2026, 10, 9), 40)  # a 4th slow day: the same streak
    again = alerts.evaluate_employee(agent.id, date(2026, 10, 9)) + alerts.evaluate_all(date(2026, 10, 9))
    assert [a for a in again if a.employee_id == agent.id] == []
    assert len(alerts_named(db_session, fingerprint)) == 1


def test_an_alert_another_worker_raised_first_is_skipped_without_error(db_session):
    seeded()
    rule = db_session.scalar(select(AlertRule).where(AlertRule.code == "cs_reply_slow_streak"))
    agent = team(db_session, "cs")[0]
    finding = Finding(rule.code, f"{rule.code}:{agent.id}:2026-11-02", agent.id, "测试预警", {"days": []})
    assert db_session.scalar(select(Alert.id).where(Alert.fingerprint == finding.fingerprint)) is None
    with Session(db.engine) as other_worker:  # its own connection, committing after our snapshot began
        other_worker.add(Alert(rule_id=rule.id, employee_id=agent.id, fingerprint=finding.fingerprint,
                               message="另一个进程先写入", evidence={}))
        other_worker.commit()
    assert alerts.raise_alert(rule.id, finding) is None  # the unique fingerprint refuses it; the session lives on
    db_session.commit()
    assert [a.message for a in alerts_named(db_session, finding.fingerprint)] == ["另一个进程先写入"]


def ship(session, batch_no: str, orders: int, wrong: dict[int, Employee], packers: list[Employee], day: date,
         unmatched: bool = False) -> None:
    """`orders` shipments of a batch at 10:00 Beijing time; order i is wrong when i is in `wrong`,
    and packed by `wrong[i]` then, else by the packers in turn."""
    shipped_at = datetime(day.year, day.month, day.day, 2, 0)  # naive UTC
    rows = []
    for i in range(orders):
        packer = wrong.get(i) or packers[i % len(packers)]
        rows.append({"source": "erp", "order_no": f"{batch_no}-{i:04d}", "batch_no": batch_no,
                     "packer_id": None if unmatched else packer.id, "packer_code": f"PK{packer.id}",
                     "ordered_at": shipped_at - timedelta(hours=20), "shipped_at": shipped_at,
                     "wrong_item": i in wrong})
    session.execute(Shipment.__table__.insert(), rows)
    session.commit()


def test_a_mis_shipment_batch_alert_names_orders_and_packers_once(db_session):
    seeded()
    a, b, *others = team(db_session, "warehouse")
    day = date(2026, 11, 25)
    ship(db_session, "B20261125-03", 500, {7: a, 310: b}, [a, b] + others, day)
    ship(db_session, "B20261125-04", 1000, {5: b}, [a, b], day)  # exactly 0.1 %: no alert

    raised = alerts.evaluate_batches(day, day)

    assert [x.fingerprint for x in raised] == ["wh_batch_misship:erp:B20261125-03"]
    alert = raised[0]
    assert alert.message == (f"批次B20261125-03错发率0.4%（超过0.1%）：订单B20261125-03-0007、B20261125-03-0310；"
                             f"打包人：{a.name}（PK{a.id}）、{b.name}（PK{b.id}）")
    assert [p["employee_id"] for p in alert.evidence["packers"]] == [a.id, b.id]
    assert alerts.recipients(alert) == [(a.manager_id, "manager")]
    assert alerts.evaluate_batches(day, day) == []
    assert alert.fingerprint not in [x.fingerprint for x in alerts.evaluate_all(day + timedelta(days=1))]
    assert len(alerts_named(db_session, alert.fingerprint)) == 1


def test_a_batch_of_unmatched_packers_is_reported_to_hr(db_session):
    seeded()
    packers = team(db_session, "warehouse")[:2]
    ship(db_session, "B20261126-01", 200, {3: packers[0]}, packers, date(2026, 11, 26), unmatched=True)
    [alert] = alerts.evaluate_batches(date(2026, 11, 26), date(2026, 11, 26))
    assert f"PK{packers[0].id}（未匹配员工）" in alert.message
    hr = db_session.scalars(select(Employee.id).where(Employee.is_hr.is_(True)).order_by(Employee.id)).all()
    assert alerts.recipients(alert) == [(employee_id, "manager") for employee_id in hr]


def test_a_streak_alert_goes_to_the_agent_and_their_manager(db_session):
    seeded()
    agent = team(db_session, "cs")[1]
    for day in (17, 18, 19):
        reply_seconds(db_session, agent, date(2026, 11, day), 45)
    reply_seconds(db_session, agent, date(2026, 11, 16), 20)
    [alert] = [a for a in alerts.evaluate_employee(agent.id, date(2026, 11, 19))
               if a.fingerprint == f"cs_reply_slow_streak:{agent.id}:2026-11-17"]
    assert alerts.recipients(alert) == [(agent.id, "employee"), (agent.manager_id, "manager")]
    db_session.commit()
    told = db_session.execute(select(OutboxMessage.recipient_id, OutboxMessage.audience).where(
        OutboxMessage.kind == "alert", OutboxMessage.dedupe_key.like(f"alert:{alert.id}:%"))).all()
    assert sorted(told) == sorted([(agent.id, "employee"), (agent.manager_id, "manager")])


def test_pace_nudges_after_mid_month_once_a_week_and_the_daily_run_is_audited(db_session):
    seeded()
    selects = []

    def count_selects(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_selects)
    try:
        raised = alerts.evaluate_all(date(2026, 11, 26))
    finally:
        event.remove(db.engine, "before_cursor_execute", count_selects)
    nudges = [a for a in raised if a.fingerprint.startswith("cumulative_behind_pace:")]
    assert nudges, "the seed's weakest operations people are well behind their sales pace"
    for nudge in nudges:
        evidence = nudge.evidence
        assert evidence["indicator"] == "ops_sales" and evidence["as_of"] == "2026-11-26"
        assert Decimal(evidence["achievement"]) < Decimal(evidence["pace"]) * Decimal("0.8")
        assert nudge.fingerprint.endswith(":ops_sales:2026W48") and "落后进度超过20%" in nudge.message
    # Telling people costs a few queries per message (the outbox's dedupe, calendar look-ups and the
    # month's quiet hours); evaluating everyone costs a fixed handful, not one per person.
    per_message = [q for q in selects if any(table in q for table in (
        "outbox_message", "rest_weekdays", "calendar_day", "cycle.settings", "company_setting"))]
    assert len(selects) - len(per_message) < 40, "evaluating everyone costs a fixed handful of queries"
    assert len(per_message) <= 5 * 2 * len(raised)

    assert alerts.evaluate_all(date(2026, 11, 26)) == []
    assert not [a for a in alerts.evaluate_all(date(2026, 11, 25)) if a.fingerprint.startswith("cumulative")]
    assert not [a for a in alerts.evaluate_all(date(2026, 11, 13)) if a.fingerprint.startswith("cumulative")]
    next_week = [a for a in alerts.evaluate_all(date(2026, 11, 30)) if a.fingerprint.startswith("cumulative")]
    assert {a.evidence["assessment_id"] for a in nudges} <= {a.evidence["assessment_id"] for a in next_week}
    assert all(a.fingerprint.endswith("2026W49") for a in next_week)

    runs = db_session.scalars(select(AuditLog).where(AuditLog.action == "alerts.evaluate").order_by(AuditLog.id)).all()
    assert len(runs) == 5 and {r.source for r in runs} == {"alerts"}
    assert runs[0].after["raised"] == len(raised) and runs[0].after["by_rule"]["cumulative_behind_pace"] == len(nudges)
    assert runs[1].after["raised"] == 0


def test_default_rules_load_once_and_never_overwrite_hr_edits(db_session):
    assert alerts.load_default_rules() == 4
    rule = db_session.scalar(select(AlertRule).where(AlertRule.code == "cs_reply_slow_streak"))
    rule.params = {**rule.params, "threshold": "40"}
    db_session.commit()
    assert alerts.load_default_rules() == 0
    db_session.rollback()
    params = db_session.scalar(select(AlertRule.params).where(AlertRule.code == "cs_reply_slow_streak"))
    assert params["threshold"] == "40"
    assert count(db_session, AlertRule) == 4


def test_an_inactive_or_unusable_rule_raises_nothing(db_session):
    seeded()
    agent = team(db_session, "cs")[2]
    for day in (17, 18, 19):
        reply_seconds(db_session, agent, date(2026, 11, day), 45)
    rule = db_session.scalar(select(AlertRule).where(AlertRule.code == "cs_reply_slow_streak"))
    rule.params = {**rule.params, "days": "three"}
    db_session.commit()
    assert alerts.evaluate_employee(agent.id, date(2026, 11, 19)) == []
    rule.params, rule.active = {**rule.params, "days": 3}, False
    db_session.commit()
    assert alerts.evaluate_employee(agent.id, date(2026, 11, 19)) == []
