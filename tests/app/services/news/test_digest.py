"""Manager digests composed from the seeded demo company with a fixed clock, compared with golden text.

The demo stamps progress entries with the moment it was seeded, so the tests stamp each entry at
17:30 Shanghai time of its own day (as if submitted then), add screenshots and an alert, and compose
with fixed slots. Set JIXIAO_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
"""

import os
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from app.models import Alert, AlertRule, DigestLine, Employee, OutboxMessage, ProgressEntry
from app.services.news import digest
from tests.support.clock import utc
from tests.support.news import add_alert, add_screenshots
from tests.support.people import lead, member

GOLDEN = Path(__file__).resolve().parents[3] / "golden" / "digest"


def matches_golden(name: str, text: str) -> bool:
    path = GOLDEN / name
    if os.environ.get("JIXIAO_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    return text + "\n" == path.read_text(encoding="utf-8")


def body(session, composed) -> str:
    return session.get(OutboxMessage, composed.message_id).body


def test_the_customer_service_leads_progress_digest_matches_the_golden_text(demo):
    cs = lead(demo, "cs")
    add_screenshots(demo, member(demo, cs, 0), date(2026, 11, 26), 2)
    add_screenshots(demo, member(demo, cs, 1), date(2026, 11, 26), 1)
    add_alert(demo, member(demo, cs, 1), "连续3天平均响应时间超过30秒", utc(26, 9))
    composed = digest.compose(cs.id, digest.PROGRESS, utc(26, 18), utc(26, 18))
    assert matches_golden("progress_cs_lead.txt", body(demo, composed))
    message = demo.get(OutboxMessage, composed.message_id)
    assert (message.kind, message.audience, message.title) == ("digest", "manager", "团队进展")
    assert message.summary.startswith(f"{composed.line_count}条进展")


def test_each_number_of_a_digest_stands_for_the_entry_on_that_line(demo):
    cs = lead(demo, "cs")
    composed = digest.compose(cs.id, digest.PROGRESS, utc(26, 18), utc(26, 18))
    lines = body(demo, composed).splitlines()[1:-1]
    stored = demo.execute(select(DigestLine.number, Employee.name, ProgressEntry.day, ProgressEntry.employee_id)
                          .join(ProgressEntry, ProgressEntry.id == DigestLine.progress_entry_id)
                          .join(Employee, Employee.id == ProgressEntry.employee_id)
                          .where(DigestLine.digest_id == composed.id).order_by(DigestLine.number)).all()
    # one line per entry the lead's people made on the 26th (stamped 17:30 that day, within the 24 hours)
    submitted = demo.scalar(select(func.count()).select_from(ProgressEntry).where(
        ProgressEntry.employee_id.in_(select(Employee.id).where(Employee.manager_id == cs.id)),
        ProgressEntry.day == date(2026, 11, 26)))
    assert len(stored) == len(lines) == composed.line_count == submitted
    for (number, name, day, _), line in zip(stored, lines, strict=True):
        assert line.startswith(f"{number}. {name}（客服）") and day == date(2026, 11, 26)


def test_the_operations_leads_monday_digest_matches_the_golden_text(demo):
    ops = lead(demo, "ops")
    composed = digest.compose(ops.id, digest.WEEKLY, utc(23, 9), utc(23, 9))
    assert matches_golden("weekly_ops_lead.txt", body(demo, composed))
    refs = demo.execute(select(DigestLine.employee_id, DigestLine.assessment_id)
                        .where(DigestLine.digest_id == composed.id)).all()
    assert refs and all(assessment_id is not None for _, assessment_id in refs)


def test_the_alert_summary_matches_the_golden_text(demo):
    cs = lead(demo, "cs")
    add_alert(demo, member(demo, cs, 3), "连续3天平均响应时间超过30秒", utc(26, 7))
    add_alert(demo, member(demo, cs, 8), "连续3天30秒响应率低于目标", utc(26, 8))
    add_alert(demo, member(demo, cs, 8), "昨日平均响应时间超过30秒", utc(24, 8))  # before the window
    composed = digest.compose(cs.id, digest.ALERTS, utc(26, 9, 30), utc(26, 9, 30))
    assert matches_golden("alerts_cs_lead.txt", body(demo, composed))


def test_the_general_managers_digest_covers_the_whole_company_within_one_chat_message(demo):
    composed = digest.compose(1, digest.PROGRESS, utc(26, 18), utc(26, 18))
    text = body(demo, composed)
    assert matches_golden("progress_general_manager.txt", text)
    assert len(text.encode()) <= 2000 and "另有" in text


def test_a_batch_alert_reaches_the_alert_summary_of_the_packers_managers_only(demo):
    warehouse, cs = lead(demo, "warehouse"), lead(demo, "cs")
    packer = member(demo, warehouse, 2)
    rule = AlertRule(code="wh_batch", name="批次错发率超标", kind="batch", indicator_code="wh_misship_rate")
    demo.add(rule)
    demo.flush()
    demo.add(Alert(rule_id=rule.id, employee_id=None, fingerprint="wh_batch:B1126", raised_at=utc(26, 8),
                   message="批次B1126错发率0.4%（订单SO-1、SO-2）", evidence={"packers": [{"employee_id": packer.id}]}))
    demo.commit()
    composed = digest.compose(warehouse.id, digest.ALERTS, utc(26, 9, 30), utc(26, 9, 30))
    assert body(demo, composed).splitlines()[1] == "1. 批次B1126错发率0.4%（订单SO-1、SO-2）"
    assert digest.compose(cs.id, digest.ALERTS, utc(26, 9, 30), utc(26, 9, 30)).message_id is None
