"""Reading a built workbook back with openpyxl, as HR's Excel would."""

import io
from decimal import Decimal

from openpyxl import load_workbook


def sheets(data: bytes) -> dict[str, list[dict]]:
    """Sheet name → its rows as {header: value} (the 部门汇总 sheet's title row skipped)."""
    book = load_workbook(io.BytesIO(data))
    found = {}
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        if sheet.title == "部门汇总":
            rows = rows[1:]
        header, *body = rows
        found[sheet.title] = [dict(zip(header, row, strict=True)) for row in body]
    return found


def detail(data: bytes, employee_no: str, indicator: str) -> dict:
    rows = [r for r in sheets(data)["考核明细"] if r["工号"] == employee_no and r["指标"] == indicator]
    assert len(rows) == 1, (employee_no, indicator, rows)
    return rows[0]


def number(value) -> Decimal:
    """A numeric cell as the Decimal it was written from (openpyxl reads numbers back as float)."""
    return Decimal(str(value))


def charts(data: bytes) -> int:
    return len(load_workbook(io.BytesIO(data))["部门汇总"]._charts)
