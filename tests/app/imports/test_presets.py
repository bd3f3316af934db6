"""Presets: HR builds one from a sample file (pick the column for each field, see the first rows
parsed), saves it and imports the next file through it; every shipped preset names where its
columns come from and imports a file laid out with them; XLSX and GBK-encoded CSV are read alike."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.connectors import admin
from app.errors import ApiError
from app.imports import presets, service
from app.models import AuditLog, Observation, Shipment, UnmappedRecord


def test_hr_builds_a_preset_from_a_sample_xlsx_and_imports_the_next_file_through_it(company, write, db_session):
    sample = write("千牛导出.xlsx", [["子账号", "统计日期", "30秒内回复", "总回复", "备注"],
                                  [company.agent.employee_no, "2026-11-10", 180, 200, ""],
                                  [company.agent.employee_no, "2026-11-1x", 150, 160, "录入错误"]])
    columns = {"who": "子账号", "indicator": "=cs_reply_30s_share", "day": "统计日期", "numerator": "30秒内回复",
               "denominator": "总回复"}
    shown = presets.sample(sample, "generic", "employee", columns, actor_id=company.hr.id)
    assert shown["headers"] == ["子账号", "统计日期", "30秒内回复", "总回复", "备注"] and shown["problem"] is None
    assert shown["rows"][0]["values"] == {"who": company.agent.employee_no, "indicator": "cs_reply_30s_share",
                                          "day": "2026-11-10", "numerator": "180", "denominator": "200",
                                          "currency": ""}
    assert shown["rows"][1] == {"row": 3, "cells": [company.agent.employee_no, "2026-11-1x", "150", "160", "录入错误"],
                                "error": "日期：「2026-11-1x」不是日期（例如 2026-11-05）"}
    half = presets.sample(sample, "generic", "employee", {"who": "子账号"}, actor_id=company.hr.id)
    assert half["problem"] == "请为「指标代码」选择一列" and "values" not in half["rows"][0]

    saved = presets.save("千牛回复率（工号）", "generic", "employee", columns, actor_id=company.hr.id)
    assert saved.columns == columns
    assert db_session.scalar(select(AuditLog.action).where(AuditLog.entity == "import_preset")) == "import_preset.save"
    with pytest.raises(ApiError) as twice:
        presets.save("千牛回复率（工号）", "generic", "employee", columns, actor_id=company.hr.id)
    assert twice.value.code == "preset_exists"

    chosen = presets.preset("千牛回复率（工号）", actor_id=company.hr.id)
    following = write("下一期.xlsx", [["子账号", "统计日期", "30秒内回复", "总回复", "备注"],
                                    [company.agent.employee_no, "2026-11-11", 95.0, 100.0, None]])
    run = service.import_file(following, format_code=chosen["format"], identity=chosen["identity"],
                              columns=chosen["columns"], uploader_id=company.hr.id)
    assert run.counts == {"inserted": 1}
    figure = db_session.scalar(select(Observation))
    assert (figure.day, figure.numerator, figure.denominator) == (date(2026, 11, 11), Decimal(95), Decimal(100))


SAMPLE_VALUES = {"who": "SKU-1", "indicator": None, "day": "2026-11-10", "numerator": "123.45",
                 "denominator": "150", "currency": "USD", "order_no": "SO-1", "batch_no": "B-1", "packer": "PK-1",
                 "ordered_at": "2026-11-09 18:00", "shipped_at": "2026-11-10 09:00", "wrong_item": "否",
                 "counter": "PK-1", "counted": "2000", "matched": "1990"}


FIGURES = [p for p in presets.shipped() if p["format"] != "roster"]  # the roster's: tests/app/imports/test_roster.py


@pytest.mark.parametrize("shipped", FIGURES, ids=lambda p: p["name"])
def test_each_shipped_preset_names_its_source_and_imports_a_file_laid_out_with_its_columns(
        company, write, db_session, shipped):
    assert shipped["source"] and isinstance(shipped["verified"], bool)
    owner = company.agent if shipped["identity"] in ("qianniu", "doudian") else (
        company.packer if shipped["identity"] == "erp" else company.operator)
    who = owner.employee_no if shipped["identity"] == "employee" else "SKU-1" if shipped["identity"] == "amazon" \
        else "PK-1"
    if shipped["identity"] != "employee":
        admin.map_identity(shipped["identity"], who, owner.id, date(2026, 11, 1), admin_id=company.admin.id)
    file_columns = {field: column for field, column in shipped["columns"].items() if not column.startswith("=")}
    header = list(file_columns.values())
    values = SAMPLE_VALUES | {"who": who, "indicator": "cs_reply_30s_share"}
    path = write("export.csv", [header, [values[field] for field in file_columns]])
    run = service.import_file(path, format_code=shipped["format"], identity=shipped["identity"],
                              columns=shipped["columns"], uploader_id=company.hr.id)
    assert run.status == "done" and db_session.scalar(select(func.count()).select_from(UnmappedRecord)) == 0
    mine = {o.employee_id for o in db_session.scalars(select(Observation))}
    assert mine == {owner.id}, shipped["name"]
    if shipped["format"] == "erp_shipments":
        assert db_session.scalar(select(Shipment.packer_id)) == owner.id


def test_a_gbk_csv_is_read_like_utf8(company, write, db_session):
    path = write("gbk.csv", [["工号", "指标代码", "日期", "分子", "分母"],
                             [company.agent.employee_no, "cs_reply_30s_share", "2026-11-10", "9", "10"]],
                 encoding="gb18030")
    run = service.import_file(path, format_code="generic", identity="employee",
                              columns={"who": "工号", "indicator": "指标代码", "day": "日期", "numerator": "分子",
                                       "denominator": "分母"}, uploader_id=company.hr.id)
    assert run.counts == {"inserted": 1}
