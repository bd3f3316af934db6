"""What is kept how long, applied by the clock's daily purge (`purge_due`).

- A leaver's data, once the retention period HR sets has passed (default 24 months, at most 120):
  what belongs to the person — their assessments, figures, progress entries, screenshots, reports,
  appeals, messages, bindings — is found from a short list of ownership columns and followed down
  every foreign key to it, then deleted children first. The employee row itself stays, renamed, so
  audit rows and the ratings or comments they gave others still point somewhere.
- Delivery attempts: 90 days (they explain a recent failure; the message keeps its outcome).
- Outbox messages that ended (sent, failed, unreachable, no quota): 180 days. A message still
  pending is never deleted; a digest outlives its message (its link is cleared).
- The audit log: 10 years, the longest of all — longer than HR's longest leaver period, so the
  record of a change outlives what it describes. But what a purged row held (a leaver's notes,
  figures, screenshots' text) leaves the payloads of the audit rows about it: the row that says
  something changed stays, what it changed to goes with the person.
- Screenshots: their files go with their rows — a blob is deleted once no row points at it (rows
  with the same image share one). An upload never attached to a day or an appeal goes after a day.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import Table, delete, select, update

from app.extensions import db
from app.models import Appeal, AuditLog, DeliveryAttempt, Digest, Employee, OutboxMessage, Screenshot
from app.services import audit, settings
from app.services.blobs import blob_store
from app.services.business_time import clock_now
from app.services.org import binding
from app.services.usecase import changed_rows, use_case

ATTEMPT_RETENTION = timedelta(days=90)
MESSAGE_RETENTION = timedelta(days=180)
UNATTACHED_UPLOAD_RETENTION = timedelta(days=1)
AUDIT_RETENTION_MONTHS = 120
ENDED = ("sent", "failed", "unreachable", "no_quota")  # outbox statuses nothing will change any more
DELETE_BATCH = 1000
KEEP = {"employee", "audit_log"}  # never deleted: anonymised, or the record of what happened
OWNERSHIP = {  # table: the column that says "this row is the person's"
    "assessment": "employee_id", "observation": "employee_id", "progress_entry": "employee_id",
    "screenshot": "owner_id", "leave_record": "employee_id", "wechat_identity": "employee_id",
    "external_identity": "employee_id", "bind_code": "employee_id", "outcome": "employee_id",
    "outbox_message": "recipient_id", "subscribe_quota": "employee_id", "notify_state": "employee_id",
    "alert": "employee_id", "appeal": "employee_id", "comment": "author_id", "digest": "manager_id",
    "mismatch_notice": "employee_id", "privacy_consent": "employee_id",
}


def retention_months() -> int:
    return settings.current().retention_months


@use_case
def purge_due(today: date) -> list[int]:
    """Drop the WeChat bindings leavers no longer need to answer a report, purge every leaver whose
    leaving date is older than the retention period, then expire old messages, attempts and audit
    rows; returns the purged leavers' ids."""
    binding.expire_leaver_bindings(clock_now())  # what a leaver keeps to answer their report, first
    cutoff = _months_before(today, retention_months())
    due = db.session.scalars(select(Employee.id).where(Employee.status == "left", Employee.left_on < cutoff)).all()
    for employee_id in due:
        purge(employee_id)
    expire_records(today)
    expire_uploads(clock_now())
    return list(due)


@use_case
def expire_records(today: date) -> dict[str, int]:
    """Delete delivery attempts, ended messages and audit rows older than their periods; one audit
    row with the counts (when anything went)."""
    midnight = datetime.combine(today, time())
    old_messages = list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.status.in_(ENDED), OutboxMessage.created_at < midnight - MESSAGE_RETENTION)))
    deleted = {"outbox_message": 0, "delivery_attempt": 0, "audit_log": 0}
    for start in range(0, len(old_messages), DELETE_BATCH):
        batch = old_messages[start:start + DELETE_BATCH]
        db.session.execute(update(Digest).where(Digest.message_id.in_(batch)).values(message_id=None))
        attempts = delete(DeliveryAttempt).where(DeliveryAttempt.message_id.in_(batch))
        deleted["delivery_attempt"] += changed_rows(attempts)
        deleted["outbox_message"] += changed_rows(delete(OutboxMessage).where(OutboxMessage.id.in_(batch)))
    deleted["delivery_attempt"] += changed_rows(
        delete(DeliveryAttempt).where(DeliveryAttempt.started_at < midnight - ATTEMPT_RETENTION))
    audit_cutoff = datetime.combine(_months_before(today, AUDIT_RETENTION_MONTHS), time())
    deleted["audit_log"] = changed_rows(delete(AuditLog).where(AuditLog.at < audit_cutoff))
    if any(deleted.values()):
        audit.record("retention.records", "retention", source="clock",
                     after={"deleted": deleted, "day": today.isoformat()})
    db.session.commit()
    return deleted


@use_case
def expire_uploads(now: datetime) -> int:
    """Delete screenshots uploaded more than a day ago and never attached to a day's progress or
    named as an appeal's evidence (the person gave up before submitting), with their files."""
    evidence = {i for ids in db.session.scalars(select(Appeal.evidence)) for i in (ids or [])}
    doomed = [i for i in db.session.scalars(select(Screenshot.id).where(
        Screenshot.progress_entry_id.is_(None), Screenshot.uploaded_at < now - UNATTACHED_UPLOAD_RETENTION))
        if i not in evidence]
    if not doomed:
        return 0
    keys = set(db.session.scalars(select(Screenshot.storage_key).where(Screenshot.id.in_(doomed))))
    for start in range(0, len(doomed), DELETE_BATCH):
        db.session.execute(delete(Screenshot).where(Screenshot.id.in_(doomed[start:start + DELETE_BATCH])))
    audit.record("retention.uploads", "retention", source="clock", after={"deleted": len(doomed)})
    db.session.commit()
    _delete_blobs(keys)
    return len(doomed)


def _delete_blobs(keys: set[str]) -> None:
    """Delete the files no remaining row points at (after the rows' deletion is committed: a
    failure here leaves a file without a row, never a row without its file)."""
    if not keys:
        return
    kept = set(db.session.scalars(select(Screenshot.storage_key).where(Screenshot.storage_key.in_(keys))))
    store = blob_store()
    for key in sorted(keys - kept):
        store.delete(key)


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, 28))


@use_case
def purge(employee_id: int) -> dict[str, int]:
    """Delete everything that belongs to one person; returns rows deleted per table."""
    tables = {t.name: t for t in db.metadata.sorted_tables}
    doomed = _collect(employee_id, tables)
    blobs = set(db.session.scalars(select(Screenshot.storage_key).where(
        Screenshot.id.in_(list(doomed.get("screenshot", set())))))) if doomed.get("screenshot") else set()
    for table in (t for t in tables.values() if t.name == "comment" and doomed.get("comment")):
        db.session.execute(update(table).where(table.c.id.in_(doomed["comment"])).values(parent_id=None))
    counts = {}
    for table in reversed(db.metadata.sorted_tables):
        ids = doomed.get(table.name)
        if ids:
            db.session.execute(delete(table).where(table.c.id.in_(list(ids))))
            counts[table.name] = len(ids)
    employee = db.session.get(Employee, employee_id)
    assert employee is not None, "purge_due passes the ids of employees it found"
    employee.name, employee.status = "（已删除）", "purged"
    _scrub_audit(doomed)
    audit.record("retention.purge", "employee", employee_id, source="clock", after=counts)
    db.session.commit()
    _delete_blobs(blobs)
    return counts


def _scrub_audit(doomed: dict[str, set[int]]) -> None:
    """Empty the payloads of the audit rows about purged rows (an audit row names its row by table
    name and id): the record that something changed stays, the leaver's data does not."""
    for table, ids in doomed.items():
        listed = sorted(ids)
        for start in range(0, len(listed), DELETE_BATCH):
            db.session.execute(update(AuditLog).where(
                AuditLog.entity == table, AuditLog.entity_id.in_(listed[start:start + DELETE_BATCH]))
                .values(before=None, after={"purged": True}))


def _collect(employee_id: int, tables: dict[str, Table]) -> dict[str, set[int]]:
    """The ids of every row owned by the person, and of every row that points at one of them."""
    doomed: dict[str, set[int]] = defaultdict(set)
    frontier = []
    for name, column in OWNERSHIP.items():
        table = tables.get(name)
        if table is None:
            continue
        ids = set(db.session.scalars(select(table.c.id).where(table.c[column] == employee_id)))
        doomed[name] |= ids
        frontier.append((name, ids))
    while frontier:
        parent, ids = frontier.pop()
        if not ids:
            continue
        for child in tables.values():
            if child.name in KEEP:
                continue
            for fk in child.foreign_keys:
                if fk.column.table.name == parent and "id" in child.c:
                    pointing = db.session.scalars(select(child.c.id).where(fk.parent.in_(list(ids))))
                    found = set(pointing) - doomed[child.name]
                    if found:
                        doomed[child.name] |= found
                        frontier.append((child.name, found))
    return doomed
