"""Column presets: the shipped ones (app/data/import_presets.json, each naming where its columns
come from and whether that was the vendor's published list) and the ones HR builds from a sample
file — pick the column for each field, see the first rows parsed, save under a name."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.domain.attribution import EMPLOYEE_NO, IDENTITIES
from app.domain.import_formats import FORMATS, MappingError, RowError, compile_reader
from app.errors import ApiError
from app.extensions import db
from app.imports.files import rows_of
from app.models import ImportPreset
from app.services import audit, authz
from app.services.usecase import JsonDict, use_case

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "import_presets.json"
SAMPLE_ROWS = 5


@cache
def shipped() -> tuple[JsonDict, ...]:
    return tuple(json.loads(SHIPPED.read_text(encoding="utf-8"))["presets"])


def listing(*, actor_id: int) -> list[JsonDict]:
    """Every preset: the shipped ones first, then the saved ones, each with its format and columns."""
    authz.require(authz.actor(actor_id), authz.Action.IMPORT_DATA, authz.Subject())
    saved = [{"name": p.name, "format": p.format, "identity": p.identity, "columns": p.columns, "verified": True,
              "source": "本公司根据样例文件建立"}
             for p in db.session.scalars(select(ImportPreset).order_by(ImportPreset.id))]
    return [{**preset, "shipped": True} for preset in shipped()] + [{**p, "shipped": False} for p in saved]


def preset(name: str, *, actor_id: int) -> JsonDict:
    found = next((p for p in listing(actor_id=actor_id) if p["name"] == name), None)
    if found is None:
        raise ApiError("unknown_preset", f"没有名为「{name}」的导入模板", 404)
    return found


def check_mapping(format_code: str, identity: str, columns: dict[str, str]) -> None:
    """Refuse a format, identity or mapping that cannot be read (before any file is opened)."""
    if format_code not in FORMATS:
        raise ApiError("unknown_format", f"没有名为「{format_code}」的导入格式", 404)
    if identity not in IDENTITIES and identity != EMPLOYEE_NO:
        raise ApiError("unknown_identity", f"没有名为「{identity}」的人员标识", 404)
    if any(not isinstance(v, str) for v in columns.values()):
        raise ApiError("import_mapping", "列映射的值必须是列名", 422)


def sample(path: Path, format_code: str, identity: str, columns: dict[str, str], *, actor_id: int) -> JsonDict:
    """A sample file as the preset builder shows it: its columns, and its first rows as they would be
    read with this mapping (each a parsed row or its error). A mapping that does not fit is said so."""
    authz.require(authz.actor(actor_id), authz.Action.IMPORT_DATA, authz.Subject())
    check_mapping(format_code, identity, columns)
    headers, rows = rows_of(path)
    result: JsonDict = {"headers": headers, "rows": [], "problem": None}
    try:
        read = compile_reader(format_code, columns, headers)
    except MappingError as exc:
        result["problem"] = str(exc)
        read = None
    for number, cells in rows:
        parsed: dict[str, Any] = {"row": number, "cells": [str(c) if c is not None else "" for c in cells]}
        if read is not None:
            try:
                parsed["values"] = {k: _shown(v) for k, v in read(cells).items()}
            except RowError as exc:
                parsed["error"] = str(exc)
        result["rows"].append(parsed)
        if len(result["rows"]) == SAMPLE_ROWS:
            break
    return result


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


@use_case
def save(name: str, format_code: str, identity: str, columns: dict[str, str], *, actor_id: int) -> ImportPreset:
    """Keep a mapping under `name` for the next file of the same export (audited)."""
    authz.require(authz.actor(actor_id), authz.Action.IMPORT_DATA, authz.Subject())
    check_mapping(format_code, identity, columns)
    name = name.strip()
    if not name or len(name) > 64:
        raise ApiError("preset_name", "模板名称不能为空，最多64个字符", 422)
    if any(p["name"] == name for p in shipped()) or db.session.scalar(
            select(ImportPreset.id).where(ImportPreset.name == name)):
        raise ApiError("preset_exists", f"已有名为「{name}」的导入模板", 409)
    fields = {spec.name for spec in FORMATS[format_code].fields}
    kept = {field: column.strip() for field, column in columns.items() if field in fields and column.strip()}
    missing = [spec.label for spec in FORMATS[format_code].fields if spec.required and spec.name not in kept]
    if missing:
        raise ApiError("import_mapping", f"请为「{'、'.join(missing)}」选择一列", 422)
    row = ImportPreset(name=name, format=format_code, identity=identity, columns=kept, created_by=actor_id)
    db.session.add(row)
    db.session.flush()
    audit.record("import_preset.save", "import_preset", row.id, actor_id=actor_id,
                 after={"name": name, "format": format_code, "identity": identity, "columns": kept})
    db.session.commit()
    return row
