"""Importing one file: read through a mapping, every row checked, staged, then moved all at once.

1. The file is hashed and read row by row (app.imports.files); each row is parsed by the reader
   compiled once for the file's columns (app.domain.import_formats). Valid rows go to the staging
   table in batches; the first error stops staging but not checking, so the person sees every bad
   row (up to MAX_ERRORS, with row numbers) and nothing is imported.
2. In one transaction the staged rows are attributed (an employee number, or a source identity on
   its day) and moved with set-based statements: new figures by INSERT … SELECT; figures already
   there, and days of published months, through the write path's per-row rules in batches (updates,
   restatements for HR). Rows nobody's mapping covers are kept as unmapped records and reported.
   Shipments go to their own table, and each touched packer-day's mis-shipment and 24-hour dispatch
   figures are counted again from all of that day's shipments.
3. The run is audited once, with its counts, the uploader and the file's hash.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    update,
)

from app.connectors.base import Record
from app.connectors.runs import keep_unmapped, owners_of
from app.domain.attribution import EMPLOYEE_NO, figure_problem
from app.domain.cycles import CycleStatus
from app.domain.import_formats import FORMATS, MappingError, Parsed, RowError, compile_reader
from app.errors import ApiError
from app.extensions import db
from app.imports import roster
from app.imports.files import rows_of, sha256_of
from app.imports.presets import check_mapping
from app.imports.spool import Spool
from app.models import (
    Cycle,
    Employee,
    ImportRow,
    Indicator,
    Observation,
    Shipment,
    SyncRun,
    UnmappedRecord,
)
from app.services import audit, authz
from app.services.business_time import clock_now, to_utc
from app.services.observations import sync
from app.services.usecase import changed_rows, use_case

PROVENANCE = "imported"
BATCH = 5000  # rows per batch moved through the write path's per-row rules
MAX_ERRORS = 50
DISPATCH_WITHIN = timedelta(hours=24)
ERP = "erp"
MISSHIP, DISPATCH, STOCK = "wh_misship_rate", "wh_dispatch_24h_share", "wh_stock_accuracy"
_PUBLISHED = (CycleStatus.SCORING, CycleStatus.REVIEW, CycleStatus.PUBLISHED, CycleStatus.FINAL)


@use_case
def import_file(path: Path, *, format_code: str, identity: str, columns: dict[str, str], uploader_id: int | None,
                now: datetime | None = None) -> SyncRun:
    """Import one file all or nothing; returns its done run (counts), or raises 422 with the row
    numbered errors (the failed run is kept with them). `uploader_id` None: the signed webhook,
    whose errors count its JSON rows (第1条 …) instead of a sheet's lines (第2行 … under the header)."""
    who = authz.actor(uploader_id) if uploader_id is not None else authz.system("webhook")
    authz.require(who, authz.Action.IMPORT_DATA, authz.Subject())
    if format_code == "roster":
        if uploader_id is None:
            raise ApiError("roster_by_hand", "花名册只能由人事在后台上传导入", 422)
        return roster.import_roster(path, columns, uploader_id, now=now)
    check_mapping(format_code, identity, columns)
    headers, rows = rows_of(path)
    try:
        read = compile_reader(format_code, columns, headers)
    except MappingError as exc:
        raise ApiError("import_mapping", str(exc), 422) from None
    run = SyncRun(source=_source_of(format_code), kind="import", uploaded_by=uploader_id, file_sha256=sha256_of(path),
                  started_at=now or clock_now(), counts={})
    db.session.add(run)
    db.session.commit()
    stage = Staging(run, format_code, identity, _item if uploader_id is None else _line)
    errors, bad_rows = stage.fill(rows, read)
    errors += stage.duplicates() if not bad_rows else []
    if errors:
        _refuse(run, errors, bad_rows or len(errors))
    counts, touched = stage.move()
    sync.finish(run, +counts, touched, stage.last_day)  # +: only the counts that happened
    stage.clear()
    return run


def _line(number: int) -> str:
    return f"第{number}行"


def _item(number: int) -> str:
    return f"第{number - 1}条"


def _source_of(format_code: str) -> str:
    return ERP if format_code != "generic" else "import"  # a generic file's source is its indicators'


def _refuse(run: SyncRun, errors: list[str], bad_rows: int) -> None:
    db.session.rollback()
    db.session.execute(delete(ImportRow).where(ImportRow.run_id == run.id))
    run.status, run.finished_at = "failed", clock_now()
    run.error = f"{bad_rows} 行有错误：" + "；".join(errors[:5])
    run.counts = {"bad_rows": bad_rows}
    audit.record("import.refused", "sync_run", run.id, actor_id=run.uploaded_by,
                 source="web" if run.uploaded_by else "webhook",
                 after={"bad_rows": bad_rows, "file_sha256": run.file_sha256})
    db.session.commit()
    raise ApiError("import_invalid", f"文件有 {bad_rows} 行错误，没有导入任何数据", 422,
                   {"errors": errors[:MAX_ERRORS], "bad_rows": bad_rows})


class Staging:
    """One file's rows in the staging table, and how they move into the real tables."""

    def __init__(self, run: SyncRun, format_code: str, identity: str, where: Callable[[int], str]):
        self.run, self.format, self.identity, self.where = run, format_code, identity, where
        self.indicators = {i.code: i.source for i in db.session.scalars(select(Indicator))}
        self.last_day: date | None = None
        self.offsets: dict[datetime, timedelta] = {}
        self.owners = _owners(identity)
        self.unattributed = 0

    # -- 1. checking and staging -----------------------------------------------------------------

    def fill(self, rows: Iterator[tuple[int, list[Any]]], read: Callable[[list[Any]], Parsed]) -> tuple[list[str], int]:
        """Stage every valid row; returns the row-numbered errors and how many rows had one."""
        to_stage = getattr(self, f"_{self.format}")
        errors: list[str] = []
        bad_rows, spool = 0, Spool()
        for number, cells in rows:
            try:
                staged = to_stage(read(cells))
            except RowError as exc:
                bad_rows += 1
                if len(errors) < MAX_ERRORS:
                    errors.append(f"{self.where(number)}：{exc}")
                continue
            if not bad_rows:  # after the first error: still checking, no longer staging
                staged["row_no"], staged["run_id"] = number, self.run.id
                staged["employee_id"] = self.owners(staged["who"], staged["day"] or staged["ordered_at"].date())
                self.unattributed += staged["employee_id"] is None
                spool.add(staged)
        if bad_rows:
            spool.discard()
        elif spool.flush() == 0:
            errors.append("文件里没有数据行")
        return errors, bad_rows

    def _generic(self, row: Parsed) -> dict[str, Any]:
        code = row["indicator"]
        source = self.indicators.get(code)
        if source is None or source == "rating":
            raise RowError(f"指标代码：没有可导入的指标「{code}」")
        if self.run.source == "import":
            self.run.source = source
        elif source != self.run.source:
            raise RowError(f"指标代码：一个文件只能导入同一数据来源的指标（「{code}」来自 {source}，"
                           f"本文件是 {self.run.source}）")
        problem = figure_problem(row["numerator"], row["denominator"])
        if problem:
            raise RowError(f"数值：{problem}")
        currency = (row.get("currency") or "").upper() or None
        if currency is not None and (len(currency) != 3 or not currency.isalpha()):
            raise RowError("币种：应为三位字母代码，例如 USD")
        self._saw(row["day"])
        return {"key": f"import/{self.identity}/{row['who']}/{code}/{row['day'].isoformat()}", "who": row["who"],
                "indicator_code": code, "day": row["day"], "numerator": row["numerator"],
                "denominator": row["denominator"], "currency": currency}

    def _stock_take(self, row: Parsed) -> dict[str, Any]:
        if row["matched"] > row["counted"]:
            raise RowError("账实相符库位数：不能多于盘点库位数")
        self._saw(row["day"])
        return {"key": f"stocktake/{row['counter']}/{row['day'].isoformat()}", "who": row["counter"],
                "indicator_code": STOCK, "day": row["day"], "numerator": row["matched"],
                "denominator": row["counted"]}

    def _erp_shipments(self, row: Parsed) -> dict[str, Any]:
        ordered, shipped = self._utc(row["ordered_at"]), row["shipped_at"]
        day = shipped.date() if shipped else None
        if shipped is not None:
            self._saw(day)
            shipped = self._utc(shipped)
            if shipped < ordered:
                raise RowError("发货时间：早于下单时间")
        return {"key": row["order_no"], "who": row["packer"], "batch_no": row["batch_no"], "ordered_at": ordered,
                "shipped_at": shipped, "day": day, "wrong_item": bool(row["wrong_item"]),
                "numerator": None if shipped is None else Decimal(int(shipped - ordered <= DISPATCH_WITHIN))}

    def _utc(self, local: datetime) -> datetime:
        """Business-local wall time (what ERPs export) → naive UTC; the offset is worked out once per
        hour of the file, not per row."""
        hour = local.replace(minute=0, second=0, microsecond=0)
        offset = self.offsets.get(hour)
        if offset is None:
            offset = self.offsets[hour] = hour - to_utc(hour)
        return local - offset

    def _saw(self, day: date | None) -> None:
        if day is not None and (self.last_day is None or day > self.last_day):
            self.last_day = day

    def duplicates(self) -> list[str]:
        """The same record twice in one file (an order, a person's indicator on a day) is an error."""
        found = db.session.execute(
            select(ImportRow.key, func.min(ImportRow.row_no), func.max(ImportRow.row_no))
            .where(ImportRow.run_id == self.run.id).group_by(ImportRow.key).having(func.count() > 1)
            .order_by(func.min(ImportRow.row_no)).limit(MAX_ERRORS))
        return [f"{self.where(last)}：与{self.where(first)}重复（{key.rsplit('/', 1)[0] if '/' in key else key}）"
                for key, first, last in found]

    # -- 2. the move ----------------------------------------------------------------------------------

    def move(self) -> tuple[Counter[str], set[tuple[int, date]]]:
        if self.format == "erp_shipments":
            return self._move_shipments()
        return self._move_figures()

    def _staged(self) -> ColumnElement[bool]:
        return ImportRow.run_id == self.run.id

    def _move_figures(self) -> tuple[Counter[str], set[tuple[int, date]]]:
        source = self.run.source
        counts: Counter[str] = Counter()
        counts["unmapped"] = self._keep_unmapped(source)
        known = exists().where(Observation.source == source, Observation.external_ref == ImportRow.key)
        settled = _in_published_months()
        mine = and_(self._staged(), ImportRow.employee_id.is_not(None))
        touched: set[tuple[int, date]] = set()
        # Records already there, or of a published month: the write path's per-row rules, in batches.
        for batch in _batches(select(ImportRow).where(mine, or_(known, settled)).order_by(ImportRow.id)):
            more, also = sync.apply(self.run, PROVENANCE, [
                sync.Incoming(r.employee_id, r.indicator_code, r.day, r.numerator, r.denominator, r.key, r.currency)
                for r in batch if r.employee_id is not None and r.indicator_code and r.day and r.numerator is not None])
            counts += more
            touched |= also
        # The new ones: one INSERT … SELECT.
        new = and_(mine, not_(known), not_(settled))
        touched |= self._touched(new)
        counts["inserted"] += _count(insert(Observation).from_select(
            ["employee_id", "indicator_code", "day", "numerator", "denominator", "currency", "source", "provenance",
             "run_id", "external_ref", "recorded_at"],
            select(ImportRow.employee_id, ImportRow.indicator_code, ImportRow.day, ImportRow.numerator,
                   ImportRow.denominator, ImportRow.currency, literal(source), literal(PROVENANCE),
                   literal(self.run.id), ImportRow.key, literal(clock_now())).where(new)))
        return counts, touched

    def _touched(self, where: ColumnElement[bool]) -> set[tuple[int, date]]:
        return {(e, d) for e, d in db.session.execute(
            select(ImportRow.employee_id, ImportRow.day).distinct().where(where)) if e is not None and d is not None}

    def _keep_unmapped(self, source: str) -> int:
        """Move the rows nobody is found for into unmapped records (replacing the same records)."""
        nobody = and_(self._staged(), ImportRow.employee_id.is_(None))
        db.session.execute(delete(UnmappedRecord).where(
            UnmappedRecord.source == source, UnmappedRecord.external_ref.in_(select(ImportRow.key).where(nobody))))
        return _count(insert(UnmappedRecord).from_select(
            ["source", "identity", "external_id", "indicator_code", "day", "numerator", "denominator", "currency",
             "provenance", "external_ref", "run_id", "recorded_at"],
            select(literal(source), literal(self.identity), ImportRow.who, ImportRow.indicator_code, ImportRow.day,
                   ImportRow.numerator, ImportRow.denominator, ImportRow.currency, literal(PROVENANCE), ImportRow.key,
                   literal(self.run.id), literal(clock_now())).where(nobody)))

    def _move_shipments(self) -> tuple[Counter[str], set[tuple[int, date]]]:
        counts: Counter[str] = Counter()
        known = exists().where(Shipment.source == ERP, Shipment.order_no == ImportRow.key)
        for batch in _batches(select(ImportRow).where(self._staged(), known).order_by(ImportRow.id)):
            counts["shipments_updated"] += self._update_shipments(batch)  # before the new ones are "known" too
        counts["shipments"] = _count(insert(Shipment).from_select(
            ["source", "order_no", "batch_no", "packer_id", "packer_code", "ordered_at", "shipped_at", "wrong_item",
             "run_id", "day", "on_time"],
            select(literal(ERP), ImportRow.key, ImportRow.batch_no, ImportRow.employee_id, ImportRow.who,
                   ImportRow.ordered_at, ImportRow.shipped_at, ImportRow.wrong_item, literal(self.run.id),
                   ImportRow.day, case((ImportRow.numerator == 1, True), else_=False))
            .where(self._staged(), not_(known))))
        counts["unattributed_shipments"] = self.unattributed
        figures, touched = self._packer_days()
        counts += figures
        return counts, touched

    def _update_shipments(self, batch: list[ImportRow]) -> int:
        changed = 0
        for row in batch:
            changed += changed_rows(update(Shipment).where(
                Shipment.source == ERP, Shipment.order_no == row.key,
                or_(Shipment.batch_no != row.batch_no, Shipment.packer_code != row.who,
                    Shipment.wrong_item != row.wrong_item, Shipment.day.is_distinct_from(row.day),
                    Shipment.shipped_at.is_distinct_from(row.shipped_at)))
                .values(batch_no=row.batch_no, packer_code=row.who, packer_id=row.employee_id,
                        ordered_at=row.ordered_at, shipped_at=row.shipped_at, wrong_item=row.wrong_item, day=row.day,
                        on_time=None if row.numerator is None else row.numerator == 1, run_id=self.run.id)
                .execution_options(synchronize_session=False))
        return changed

    def _packer_days(self) -> tuple[Counter[str], set[tuple[int, date]]]:
        """Count each touched packer-day again from all its shipments: wrong / shipped and on time / shipped."""
        days = (select(ImportRow.who, ImportRow.day).distinct()
                .where(self._staged(), ImportRow.day.is_not(None)).subquery())
        totals = db.session.execute(
            select(Shipment.packer_code, Shipment.day, func.count(),
                   func.sum(case((Shipment.wrong_item.is_(True), 1), else_=0)),
                   func.sum(case((Shipment.on_time.is_(True), 1), else_=0)))
            .join(days, and_(days.c.who == Shipment.packer_code, days.c.day == Shipment.day))
            .where(Shipment.source == ERP).group_by(Shipment.packer_code, Shipment.day)).all()
        records = []
        for code, day, shipped, wrong, on_time in totals:
            ref = f"erp/{code}/{day.isoformat()}"
            records += [Record(code, MISSHIP, day, Decimal(wrong), Decimal(shipped), f"{ref}/misship"),
                        Record(code, DISPATCH, day, Decimal(on_time), Decimal(shipped), f"{ref}/dispatch")]
        owners = owners_of(ERP, {r.external_id for r in records})
        mine = [r for r in records if owners.owner(r.external_id, r.day) is not None]
        nobodys = [r for r in records if owners.owner(r.external_id, r.day) is None]
        keep_unmapped(ERP, ERP, nobodys, self.run.id)
        counts, touched = sync.apply(self.run, PROVENANCE, [
            sync.Incoming(owners.owner(r.external_id, r.day) or 0, r.indicator_code, r.day, r.numerator,
                          r.denominator, r.external_ref) for r in mine])
        counts["unmapped"] += len(nobodys)
        return counts, touched

    # -- 3. done ----------------------------------------------------------------------------------------

    def clear(self) -> None:
        """Empty the staging table of this file's rows, after the move committed: the whole table at
        once (TRUNCATE on MariaDB) when no other import is using it."""
        others = db.session.scalar(select(ImportRow.id).where(ImportRow.run_id != self.run.id).limit(1))
        if others is None and db.engine.dialect.name in ("mysql", "mariadb"):
            db.session.commit()
            db.session.connection().exec_driver_sql("TRUNCATE TABLE import_row")
        else:
            db.session.execute(delete(ImportRow).where(self._staged()))
        db.session.commit()


def _owners(identity: str) -> Callable[[str, date], int | None]:
    """Who a file's people column names on a day: an employee number, or a source identity through
    its effective-dated mappings (loaded once for the file)."""
    if identity == EMPLOYEE_NO:
        numbers = {number: employee_id for number, employee_id in
                   db.session.execute(select(Employee.employee_no, Employee.id))}
        return lambda who, day: numbers.get(who)
    return owners_of(identity).owner


def _count(statement: Any) -> int:
    """Run an INSERT … SELECT; how many rows it inserted."""
    result = db.session.execute(statement)
    assert isinstance(result, CursorResult), "INSERT without RETURNING gives a CursorResult"
    return int(result.rowcount)


def _in_published_months() -> ColumnElement[bool]:
    """Whether a staged row's day is in a month scored or published (its figures go to HR instead)."""
    months = db.session.execute(select(Cycle.year, Cycle.month).where(Cycle.status.in_(_PUBLISHED))).all()
    ranges = [(date(y, m, 1), (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1))) for y, m in months]
    if not ranges:
        return literal(False)
    return or_(*(ImportRow.day.between(first, last) for first, last in ranges))


def _batches(query: Any) -> Iterator[list[ImportRow]]:
    """The rows of `query` BATCH at a time, by id (bounded memory whatever the file's size)."""
    after = 0
    while True:
        batch = list(db.session.scalars(query.where(ImportRow.id > after).limit(BATCH)))
        if not batch:
            return
        yield batch
        after = batch[-1].id


def formats() -> list[dict[str, Any]]:
    """The formats with their fields, for the upload page and the docs."""
    return [{"code": f.code, "name": f.name, "fields": [{"name": s.name, "label": s.label, "required": s.required}
                                                         for s in f.fields]} for f in FORMATS.values()]
