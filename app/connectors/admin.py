"""What the admin does with connectors: enter credentials (checked against the vendor before they
are kept, sealed), see each connector's state, map the sources' identities to people and see the
records nobody's mapping covers yet. Every change is audited; secrets never leave sealed."""

import time
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from app import jobs
from app.connectors import runs, vault
from app.connectors.http import Sleep, VendorError
from app.connectors.registry import KINDS
from app.connectors.registry import kind as kind_of
from app.connectors.runs import PROVENANCE, owners_of
from app.domain.attribution import IDENTITIES
from app.errors import ApiError
from app.extensions import db
from app.models import Connector, Employee, ExternalIdentity, SourceSetting, SyncRun, UnmappedRecord
from app.services import audit, authz
from app.services.business_time import clock_now, to_local
from app.services.observations import sync
from app.services.usecase import JsonDict, use_case


@use_case
def save_credentials(source: str, entered: dict[str, str], *, admin_id: int, sleep: Sleep = time.sleep) -> str:
    """Check the entered credentials with the vendor and keep them sealed; the source counts as
    configured from then on. Credentials the vendor refuses are not kept (the old ones stay)."""
    authz.require(authz.actor(admin_id), authz.Action.MANAGE_CONNECTORS, authz.Subject())
    kind = kind_of(source)
    connector = db.session.scalar(select(Connector).where(Connector.source == source))
    stored = vault.unseal(connector.secret) if connector else {}
    # A secret left blank keeps the one stored (the form never shows it back).
    entered = {**{f.name: stored.get(f.name, "") for f in kind.fields if f.secret and not entered.get(f.name)},
               **{name: value for name, value in entered.items() if value}}
    try:
        values = kind.credentials(entered)
    except ValueError as exc:
        raise ApiError("credentials_missing", f"请填写：{exc}", 422, {"source": source}) from None
    try:
        kind.build(values, dict(current_app.config), sleep).check()
    except VendorError as exc:
        raise ApiError("credentials_refused", f"{kind.name} 没有接受这组凭据：{exc}", 422, {"source": source}) from None
    if connector is None:
        connector = Connector(source=source, checkpoint={}, failures=0)
        db.session.add(connector)
    connector.secret, connector.status, connector.checked_at = vault.seal(values), "valid", clock_now()
    connector.failures, connector.updated_by = 0, admin_id
    _configure(source, admin_id)
    db.session.flush()
    audit.record("connector.credentials", "connector", connector.id, actor_id=admin_id,
                 after={"source": source, "fields": sorted(values)})
    db.session.commit()
    return f"{kind.name} 的凭据已验证并加密保存，数据来源已配置"


def _configure(source: str, admin_id: int) -> None:
    setting = db.session.scalar(select(SourceSetting).where(SourceSetting.source == source))
    if setting is None:
        setting = SourceSetting(source=source)
        db.session.add(setting)
    setting.configured, setting.updated_by = True, admin_id


def sync_now(source: str, *, admin_id: int, sleep: Sleep = time.sleep) -> SyncRun:
    """The admin's 同步 from the CLI: one sync now, in this process (the console queues it instead)."""
    authz.require(authz.actor(admin_id), authz.Action.MANAGE_CONNECTORS, authz.Subject())
    return runs.sync_now(source, sleep=sleep)


@use_case
def request_sync(source: str, *, admin_id: int) -> str:
    """The admin's 同步 from the console: a sync job queued now (audited); says so in Chinese."""
    authz.require(authz.actor(admin_id), authz.Action.MANAGE_CONNECTORS, authz.Subject())
    kind = kind_of(source)
    job = jobs.enqueue(jobs.SYNC, source)
    audit.record("connector.sync_requested", "connector", None, actor_id=admin_id,
                 after={"source": source, "job_id": job.id})
    db.session.commit()
    return f"已开始同步 {kind.name}，完成后刷新本页查看结果"


def status(*, admin_id: int) -> list[JsonDict]:
    """Each connector as the admin sees it: credentials (masked), state, last run and its counts
    (times local)."""
    authz.require(authz.actor(admin_id), authz.Action.MANAGE_CONNECTORS, authz.Subject())
    rows = []
    for kind in KINDS.values():
        connector = db.session.scalar(select(Connector).where(Connector.source == kind.source))
        last = db.session.scalar(select(SyncRun).where(SyncRun.source == kind.source, SyncRun.kind == "sync")
                                 .order_by(SyncRun.id.desc()).limit(1))
        status_now = connector.status if connector else "unset"
        try:
            values = vault.unseal(connector.secret) if connector else {}
        except vault.SealBroken:  # the master key changed: enter the credentials again
            values, status_now = {}, "unreadable"
        rows.append({
            "source": kind.source, "name": kind.name, "status": status_now,
            "checked_at": to_local(connector.checked_at) if connector and connector.checked_at else None,
            "failures": connector.failures if connector else 0,
            "fields": [{"name": f.name, "label": f.label, "secret": f.secret,
                        "value": vault.masked(values[f.name]) if f.secret and f.name in values
                        else values.get(f.name, f.default)} for f in kind.fields],
            "last_run": None if last is None else {"id": last.id, "status": last.status, "counts": last.counts,
                                                   "started_at": to_local(last.started_at), "error": last.error},
        })
    return rows


@use_case
def map_identity(identity: str, external_id: str, employee_id: int, valid_from: date, *, admin_id: int,
                 now: datetime | None = None) -> int:
    """`external_id` is `employee_id`'s from `valid_from` (a handover closes the previous owner's
    mapping the day before). Records kept unmapped that it now covers are recorded as the person's
    figures, one run per source; returns how many."""
    authz.require(authz.actor(admin_id), authz.Action.MAP_IDENTITIES, authz.Subject())
    if identity not in IDENTITIES:
        raise ApiError("unknown_identity", f"没有名为「{identity}」的外部账号类型", 404)
    if db.session.get(Employee, employee_id) is None:
        raise ApiError("not_found", "找不到该员工", 404)
    external_id = external_id.strip()
    if not external_id or len(external_id) > 128:
        raise ApiError("external_id_invalid", "外部账号不能为空，最多128个字符", 422)
    for previous in db.session.scalars(select(ExternalIdentity).where(
            ExternalIdentity.source == identity, ExternalIdentity.external_id == external_id,
            ExternalIdentity.effective_from < valid_from, ExternalIdentity.effective_to.is_(None))):
        previous.effective_to = valid_from - timedelta(days=1)
    if db.session.scalar(select(ExternalIdentity.id).where(
            ExternalIdentity.source == identity, ExternalIdentity.external_id == external_id,
            ExternalIdentity.effective_from == valid_from)):
        raise ApiError("mapping_exists", f"{external_id} 在 {valid_from} 已有映射", 409)
    mapping = ExternalIdentity(source=identity, external_id=external_id, employee_id=employee_id,
                               effective_from=valid_from)
    db.session.add(mapping)
    db.session.flush()
    audit.record("identity.map", "external_identity", mapping.id, actor_id=admin_id,
                 after={"identity": identity, "external_id": external_id, "employee_id": employee_id,
                        "valid_from": valid_from.isoformat()})
    db.session.commit()
    return _attribute_kept(identity, external_id, now or clock_now())


def _attribute_kept(identity: str, external_id: str, now: datetime) -> int:
    """Record the kept records of `external_id` that a mapping now covers, one run per source."""
    kept = list(db.session.scalars(select(UnmappedRecord).where(
        UnmappedRecord.identity == identity, UnmappedRecord.external_id == external_id)))
    owners = owners_of(identity, {external_id})
    by_source: dict[str, list[tuple[UnmappedRecord, int]]] = {}
    for row in kept:
        owner = owners.owner(row.external_id, row.day)
        if owner is not None:
            by_source.setdefault(row.source, []).append((row, owner))
    for source, rows in by_source.items():
        run = SyncRun(source=source, kind="remap", started_at=now)
        db.session.add(run)
        db.session.flush()
        incoming = [sync.Incoming(owner, r.indicator_code, r.day, r.numerator, r.denominator, r.external_ref,
                                  r.currency) for r, owner in rows]
        db.session.execute(delete(UnmappedRecord).where(UnmappedRecord.id.in_([r.id for r, _ in rows])))
        sync.record_run(run.id, rows[0][0].provenance or PROVENANCE, incoming)
    return sum(len(rows) for rows in by_source.values())


def mappings(*, admin_id: int) -> list[JsonDict]:
    """Every identity mapping, newest first, with whose it is."""
    authz.require(authz.actor(admin_id), authz.Action.MAP_IDENTITIES, authz.Subject())
    rows = db.session.execute(select(ExternalIdentity, Employee.name, Employee.employee_no).join(
        Employee, Employee.id == ExternalIdentity.employee_id).order_by(ExternalIdentity.id.desc()))
    return [{"identity": m.source, "identity_name": IDENTITIES.get(m.source, m.source), "external_id": m.external_id,
             "employee": f"{name}（{number}）", "valid_from": m.effective_from, "valid_to": m.effective_to}
            for m, name, number in rows]


def unmapped(*, admin_id: int) -> list[JsonDict]:
    """The identities whose records nobody's mapping covers, with how many records and which days."""
    authz.require(authz.actor(admin_id), authz.Action.MAP_IDENTITIES, authz.Subject())
    rows = db.session.execute(
        select(UnmappedRecord.source, UnmappedRecord.identity, UnmappedRecord.external_id, func.count(),
               func.min(UnmappedRecord.day), func.max(UnmappedRecord.day))
        .group_by(UnmappedRecord.source, UnmappedRecord.identity, UnmappedRecord.external_id)
        .order_by(UnmappedRecord.source, UnmappedRecord.external_id))
    return [{"source": s, "identity": i, "external_id": e, "records": n, "first_day": first, "last_day": last}
            for s, i, e, n, first, last in rows]

