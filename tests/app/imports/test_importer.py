"""The importer: a bad file is refused with row-numbered errors and nothing imported; a good one is
imported (attributed, marked imported with uploader and file hash, unknown people kept and reported);
the same file again changes nothing; shipments become each packer-day's figures."""

import hashlib
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.connectors import admin
from app.errors import ApiError
from app.imports import service
from app.models import AuditLog, ImportRow, Observation, Shipment, SyncRun, UnmappedRecord

GENERIC = {"who": "工号", "indicator": "指标代码", "day": "日期", "numerator": "分子", "denominator": "分母"}
SHIPMENTS = {"order_no": "订单号", "batch_no": "批次号", "packer": "打包员", "ordered_at": "下单时间",
             "shipped_at": "发货时间", "wrong_item": "是否错发"}


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_bad_file_is_refused_with_every_bad_row_numbered_and_nothing_imported(company, write, db_session):
    path = write("chat.csv", [
        ["工号", "指标代码", "日期", "分子", "分母"],
        [company.agent.employee_no, "cs_reply_30s_share", "2026-11-10", "90", "100"],
        [company.agent.employee_no, "cs_reply_30s_share", "2026-13-40", "90", "100"],
        [company.agent.employee_no, "cs_reply_30s_share", "2026-11-11", "-3", "100"],
        [company.agent.employee_no, "no_such_indicator", "2026-11-12", "1", "2"],
        ["", "cs_reply_30s_share", "2026-11-12", "1", "2"],
    ])
    with pytest.raises(ApiError) as refused:
        service.import_file(path, format_code="generic", identity="employee", columns=GENERIC,
                            uploader_id=company.hr.id)
    assert refused.value.code == "import_invalid" and refused.value.status == 422
    assert refused.value.message == "文件有 4 行错误，没有导入任何数据"
    assert refused.value.fields["errors"] == [
        "第3行：日期：「2026-13-40」不是日期（例如 2026-11-05）",
        "第4行：数值/分子：不能为负数",
        "第5行：指标代码：没有可导入的指标「no_such_indicator」",
        "第6行：工号或外部账号：不能为空",
    ]
    assert count(db_session, Observation) == 0 and count(db_session, ImportRow) == 0
    failed = db_session.scalar(select(SyncRun))
    assert failed.status == "failed" and failed.error.startswith("4 行有错误：第3行")


def test_a_good_file_is_imported_attributed_and_kept_for_unknown_people_and_again_changes_nothing(
        company, write, db_session):
    rows = [["工号", "指标代码", "日期", "分子", "分母"],
            [company.agent.employee_no, "cs_reply_30s_share", "2026/11/10", "90", "100"],
            [company.agent.employee_no, "cs_reply_30s_share", "2026-11-11", "85.5", "100"],
            ["S999", "cs_reply_30s_share", "2026-11-11", "70", "80"]]
    path = write("chat.csv", rows)
    run = service.import_file(path, format_code="generic", identity="employee", columns=GENERIC,
                              uploader_id=company.hr.id)
    assert (run.status, run.source, run.kind, run.uploaded_by) == ("done", "chat_import", "import", company.hr.id)
    assert run.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert run.counts == {"inserted": 2, "unmapped": 1}
    got = {(o.employee_id, o.day, o.numerator, o.denominator, o.provenance, o.source, o.run_id)
           for o in db_session.scalars(select(Observation))}
    assert got == {(company.agent.id, date(2026, 11, 10), Decimal(90), Decimal(100), "imported", "chat_import", run.id),
                   (company.agent.id, date(2026, 11, 11), Decimal("85.5"), Decimal(100), "imported", "chat_import",
                    run.id)}
    kept = db_session.scalar(select(UnmappedRecord))
    assert (kept.identity, kept.external_id, kept.numerator) == ("employee", "S999", Decimal(70))
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "import.run"))
    assert audit.entity_id == run.id and audit.after == {"inserted": 2, "unmapped": 1}
    assert count(db_session, ImportRow) == 0

    again = service.import_file(path, format_code="generic", identity="employee", columns=GENERIC,
                                uploader_id=company.hr.id)
    assert again.counts == {"unchanged": 2, "unmapped": 1}
    assert count(db_session, Observation) == 2 and count(db_session, UnmappedRecord) == 1

    rows[2][3] = "88"  # a corrected figure
    changed = service.import_file(write("chat2.csv", rows), format_code="generic", identity="employee",
                                  columns=GENERIC, uploader_id=company.hr.id)
    assert changed.counts["updated"] == 1
    assert db_session.scalar(select(Observation.numerator).where(Observation.day == date(2026, 11, 11))) == 88


def test_the_same_record_twice_and_a_mapping_to_a_missing_column_are_refused(company, write, db_session):
    twice = write("twice.csv", [["工号", "指标代码", "日期", "分子", "分母"],
                                [company.agent.employee_no, "cs_reply_30s_share", "2026-11-10", "1", "2"],
                                [company.agent.employee_no, "cs_reply_30s_share", "2026-11-10", "1", "3"]])
    with pytest.raises(ApiError) as refused:
        service.import_file(twice, format_code="generic", identity="employee", columns=GENERIC,
                            uploader_id=company.hr.id)
    assert refused.value.fields["errors"][0].startswith("第3行：与第2行重复")
    with pytest.raises(ApiError) as unmapped:
        service.import_file(twice, format_code="generic", identity="employee", columns=GENERIC | {"day": "业务日期"},
                            uploader_id=company.hr.id)
    assert (unmapped.value.code, unmapped.value.message) == ("import_mapping", "文件里没有「业务日期」这一列（日期）")
    assert count(db_session, Observation) == 0


def test_shipments_become_each_packer_days_mis_shipment_and_dispatch_figures(company, write, db_session):
    admin.map_identity("erp", "PK-07", company.packer.id, date(2026, 11, 1), admin_id=company.admin.id)
    rows = [list(SHIPMENTS.values()),
            ["SO1", "B1", "PK-07", "2026-11-09 10:00", "2026-11-10 09:00", "否"],
            ["SO2", "B1", "PK-07", "2026-11-08 10:00", "2026-11-10 09:30", "是"],  # 47.5 hours: late
            ["SO3", "B1", "PK-07", "2026-11-10 08:00", "2026-11-10 16:00", "0"],
            ["SO4", "B2", "PK-99", "2026-11-10 08:00", "2026-11-10 10:00", "0"],  # nobody's packer yet
            ["SO5", "B2", "PK-07", "2026-11-10 17:00", "", ""]]  # not shipped yet
    run = service.import_file(write("ship.csv", rows), format_code="erp_shipments", identity="erp",
                              columns=SHIPMENTS, uploader_id=company.admin.id)
    assert run.counts == {"shipments": 5, "unattributed_shipments": 1, "inserted": 2, "unmapped": 2}
    figures = {(o.indicator_code, o.day, o.numerator, o.denominator) for o in db_session.scalars(select(Observation))}
    assert figures == {("wh_misship_rate", date(2026, 11, 10), Decimal(1), Decimal(3)),
                       ("wh_dispatch_24h_share", date(2026, 11, 10), Decimal(2), Decimal(3))}
    shipped = db_session.scalar(select(Shipment).where(Shipment.order_no == "SO1"))
    assert (shipped.packer_id, shipped.day, shipped.on_time, shipped.shipped_at) == (
        company.packer.id, date(2026, 11, 10), True, datetime(2026, 11, 10, 1, 0))  # stored in UTC
    rows[1][5] = "是"  # the ERP corrects SO1: a wrong item after all
    again = service.import_file(write("ship2.csv", rows), format_code="erp_shipments", identity="erp",
                                columns=SHIPMENTS, uploader_id=company.admin.id)
    assert again.counts["shipments_updated"] == 1 and again.counts["updated"] == 1
    assert db_session.scalar(select(Observation.numerator).where(
        Observation.indicator_code == "wh_misship_rate")) == Decimal(2)


def test_only_hr_and_admins_import(company, write, db_session):
    path = write("chat.csv", [["工号", "指标代码", "日期", "分子", "分母"],
                              [company.agent.employee_no, "cs_reply_30s_share", "2026-11-10", "90", "100"]])
    with pytest.raises(ApiError) as refused:
        service.import_file(path, format_code="generic", identity="employee", columns=GENERIC,
                            uploader_id=company.agent.id)
    assert refused.value.status == 403 and count(db_session, SyncRun) == 0


def test_uploads_nobody_imported_within_a_day_are_deleted_by_the_clock(app, db_session):
    import os
    import time

    from app.imports.files import prune_uploads, upload_folder

    with app.test_request_context():
        folder = upload_folder()
        stale, fresh = folder / ("a" * 32 + ".csv"), folder / ("b" * 32 + ".xlsx")
        stale.write_text("工号\n")
        fresh.write_text("工号\n")
        two_days_ago = time.time() - 2 * 86400
        os.utime(stale, (two_days_ago, two_days_ago))
        assert prune_uploads() == 1
        assert not stale.exists() and fresh.exists()
        fresh.unlink()
