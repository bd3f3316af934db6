"""A team's news for the digests: progress entries stamped as submitted at a fixed time of their
own day, screenshots on an entry, and alerts raised about a person."""

from datetime import date, datetime, time

from sqlalchemy import bindparam, select, update

from app.models import Alert, AlertRule, Employee, ProgressEntry, Screenshot


def stamp_submissions(session, at: time = time(9, 30)) -> None:
    """Each entry submitted at `at` UTC on its own day (17:30 in Shanghai by default)."""
    table = ProgressEntry.__table__
    rows = [{"entry_id": entry_id, "at": datetime.combine(day, at)}
            for entry_id, day in session.execute(select(table.c.id, table.c.day))]
    session.execute(update(table).where(table.c.id == bindparam("entry_id")).values(submitted_at=bindparam("at")), rows)
    session.commit()


def add_screenshots(session, employee: Employee, day: date, count: int) -> None:
    entry = session.scalar(select(ProgressEntry).where(ProgressEntry.employee_id == employee.id,
                                                       ProgressEntry.day == day))
    for n in range(count):
        session.add(Screenshot(progress_entry_id=entry.id, owner_id=employee.id, storage_key=f"shot-{entry.id}-{n}",
                               sha256="0" * 64, content_type="image/png", width=750, height=1334, size_bytes=1000))
    session.commit()


def add_alert(session, employee: Employee, message: str, raised_at: datetime) -> Alert:
    rule = session.scalar(select(AlertRule).where(AlertRule.code == "cs_slow_reply"))
    if rule is None:
        rule = AlertRule(code="cs_slow_reply", name="响应时间连续超标", kind="streak",
                         indicator_code="cs_avg_reply_seconds", params={"days": 3, "above": 30})
        session.add(rule)
        session.flush()
    alert = Alert(rule_id=rule.id, employee_id=employee.id, fingerprint=f"cs_slow_reply:{employee.id}:{raised_at}",
                  message=message, raised_at=raised_at)
    session.add(alert)
    session.commit()
    return alert
