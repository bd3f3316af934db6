"""The documented import formats and the checks each row passes (docs/imports.md).

A format names its fields; a column mapping says which column of a file holds each field (built
once from a sample file and saved as a preset). `compile_reader` turns a mapping and a file's header
row into one function per file that parses a row — the checks are chosen once, not per row, so a
million rows are read quickly. A row that fails raises RowError with a Chinese message naming the
field; the importer adds the row number. A mapping's value "=X" is a constant rather than a column
(a preset for a sales export fixes the indicator: "=ops_sales").
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .exact import number_problem

Cell = Any  # what a CSV (str) or XLSX (str, int, float, datetime) cell holds
Parser = Callable[[Cell], Any]
Parsed = dict[str, Any]


class RowError(ValueError):
    """A row that cannot be imported, in Chinese, naming the field."""


class MappingError(ValueError):
    """A column mapping that does not fit the file (a field without a column, a column the file lacks)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text | date | datetime | number | flag
    required: bool = True


@dataclass(frozen=True)
class Format:
    code: str
    name: str
    fields: tuple[FieldSpec, ...]


FORMATS = {f.code: f for f in (
    Format("generic", "通用指标数据（人员、指标、日期、分子、分母）", (
        FieldSpec("who", "工号或外部账号", "text"), FieldSpec("indicator", "指标代码", "text"),
        FieldSpec("day", "日期", "date"), FieldSpec("numerator", "数值/分子", "number"),
        FieldSpec("denominator", "分母", "number", required=False),
        FieldSpec("currency", "币种", "text", required=False))),
    Format("erp_shipments", "ERP 发货记录（订单、批次、打包员、时间、错发）", (
        FieldSpec("order_no", "订单号", "text"), FieldSpec("batch_no", "批次号", "text"),
        FieldSpec("packer", "打包员", "text"), FieldSpec("ordered_at", "下单时间", "datetime"),
        FieldSpec("shipped_at", "发货时间", "datetime", required=False),
        FieldSpec("wrong_item", "是否错发", "flag", required=False))),
    Format("stock_take", "ERP 盘点结果（盘点人、日期、盘点库位数、账实相符数）", (
        FieldSpec("counter", "盘点人", "text"), FieldSpec("day", "盘点日期", "date"),
        FieldSpec("counted", "盘点库位数", "number"), FieldSpec("matched", "账实相符库位数", "number"))),
    Format("roster", "人员花名册（工号、姓名、部门、岗位、上级工号、入职日期）", (
        FieldSpec("employee_no", "工号", "text"), FieldSpec("name", "姓名", "text"),
        FieldSpec("department", "部门（名称或代码）", "text"),
        FieldSpec("position", "岗位（名称或代码）", "text", required=False),
        FieldSpec("manager", "上级工号", "text", required=False), FieldSpec("joined_on", "入职日期", "date"))),
)}
TEXT_LENGTH = 64
TRUE_WORDS = frozenset({"1", "是", "y", "yes", "true", "错发", "错", "√"})
FALSE_WORDS = frozenset({"", "0", "否", "n", "no", "false", "正常", "无"})


def compile_reader(format_code: str, columns: dict[str, str], headers: list[str]) -> Callable[[list[Cell]], Parsed]:
    """A row parser for files with `headers`, reading each field from its mapped column."""
    fmt = FORMATS.get(format_code)
    if fmt is None:
        raise MappingError(f"没有名为「{format_code}」的导入格式")
    positions = {header.strip(): n for n, header in enumerate(headers) if isinstance(header, str)}
    steps: list[tuple[str, int | None, Parser, bool]] = []
    for spec in fmt.fields:
        column = (columns.get(spec.name) or "").strip()
        if not column:
            if spec.required:
                raise MappingError(f"请为「{spec.label}」选择一列")
            steps.append((spec.name, None, PARSERS[spec.kind], False))
            continue
        if column.startswith("="):
            steps.append((spec.name, None, _constant(_labelled(spec, PARSERS[spec.kind])(column[1:])), True))
            continue
        if column not in positions:
            raise MappingError(f"文件里没有「{column}」这一列（{spec.label}）")
        steps.append((spec.name, positions[column], _labelled(spec, PARSERS[spec.kind]), spec.required))

    def read(row: list[Cell]) -> Parsed:
        values: Parsed = {}
        for name, position, parse, required in steps:
            if position is None and required:  # a constant
                values[name] = parse(None)
                continue
            cell = row[position] if position is not None and position < len(row) else None
            if cell is None or cell == "" or (cell.__class__ is str and cell.isspace()):
                if required:
                    raise RowError(f"{_label_of(fmt, name)}：不能为空")
                values[name] = None
                continue
            values[name] = parse(cell)
        return values
    return read


def _constant(value: Any) -> Parser:
    return lambda _: value


def _label_of(fmt: Format, name: str) -> str:
    return next(spec.label for spec in fmt.fields if spec.name == name)


def _labelled(spec: FieldSpec, parse: Parser) -> Parser:
    def run(cell: Cell) -> Any:
        try:
            return parse(cell)
        except RowError as exc:
            raise RowError(f"{spec.label}：{exc}") from None
    return run


def _text(cell: Cell) -> str:
    text = (cell if isinstance(cell, str) else _plain(cell)).strip()
    if len(text) > TEXT_LENGTH:
        raise RowError(f"最多{TEXT_LENGTH}个字符")
    return text


def _plain(cell: Cell) -> str:
    """A number cell as the text it shows (Excel keeps 10086 as 10086.0)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _number(cell: Cell) -> Decimal:
    if isinstance(cell, bool):
        raise RowError("不是数字")
    try:
        value = Decimal(cell.strip().replace(",", "")) if isinstance(cell, str) else Decimal(_plain(cell))
    except InvalidOperation:
        raise RowError(f"「{str(cell)[:20]}」不是数字") from None
    problem = number_problem(value) or ("不能为负数" if value < 0 else None)
    if problem:
        raise RowError(problem)
    return value


def _date(cell: Cell) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = str(cell).strip().replace("/", "-").replace(".", "-")[:10]
    try:
        return date.fromisoformat(_padded(text))
    except ValueError:
        raise RowError(f"「{str(cell)[:20]}」不是日期（例如 2026-11-05）") from None


def _datetime(cell: Cell) -> datetime:
    if isinstance(cell, datetime):
        return cell.replace(tzinfo=None)
    try:  # the common case first: "2026-11-05 14:30" as ISO 8601 already
        moment = datetime.fromisoformat(cell)
        if moment.tzinfo is None:
            return moment
    except (TypeError, ValueError):
        pass
    text = str(cell).strip().replace("/", "-").replace("T", " ")
    day, _, clock = text.partition(" ")
    try:
        return datetime.fromisoformat(f"{_padded(day)} {clock.strip() or '00:00'}")
    except ValueError:
        raise RowError(f"「{str(cell)[:20]}」不是时间（例如 2026-11-05 14:30）") from None


def _padded(day: str) -> str:
    """2026-1-5 → 2026-01-05 (Excel's and ERPs' short dates)."""
    parts = day.split("-")
    return "-".join([parts[0], *(p.zfill(2) for p in parts[1:])]) if len(parts) == 3 else day


def _flag(cell: Cell) -> bool:
    word = _plain(cell).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError(f"「{word[:20]}」应为 是/否")


PARSERS: dict[str, Parser] = {"text": _text, "number": _number, "date": _date, "datetime": _datetime, "flag": _flag}
