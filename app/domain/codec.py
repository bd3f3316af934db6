"""Plain JSON-ready dicts → domain objects, shared by the built-in data file and score files.

Numbers are read exactly: strings ("0.05") and integers are preferred; a float is taken by its
shortest repr (0.05 → "0.05"), which is what the writer typed. Every error names the field path
and is raised as the caller's error class, so a score file gets `score_file_invalid` and the data
file `library_invalid`.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, NoReturn, Protocol, TypeVar

from .errors import DomainError
from .exact import number_problem, plain
from .indicators import Aggregation, Direction, Display, Indicator, Kind, Money, PaceBasis
from .methods import RATIO, Band, Bands, ByRatio, Deduction, Method, MethodKind, PassFail
from .templates import DEFAULT_CAP, RATING_SCALE, KpiTemplate, Rater, TemplateItem

E = TypeVar("E", bound=Enum)
JsonDict = dict[str, Any]  # a parsed JSON object: its values are whatever the document holds


class ErrorClass(Protocol):
    """A DomainError class whose code is fixed (ScoreFileInvalid, LibraryInvalid): the caller's choice
    of error, built from a message and the fields it names."""

    def __call__(self, message_zh: str, fields: JsonDict, /) -> DomainError: ...


def fail(err: ErrorClass, path: str, message: str) -> NoReturn:
    """Raise `err` with one field's message."""
    raise err(f"{path}：{message}", {path: message})


def decimal_of(value: Any, path: str, err: ErrorClass) -> Decimal:
    """An exact Decimal from a JSON number or numeric string."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        fail(err, path, f"必须是数字（建议写成字符串，如\"0.05\"），当前为{value!r}")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        fail(err, path, f"不是有效的数字：{value!r}")
    problem = number_problem(number)
    if problem:
        fail(err, path, f"{problem}，当前为{value!r}")
    return number


def optional_decimal(value: Any, path: str, err: ErrorClass) -> Decimal | None:
    return None if value is None else decimal_of(value, path, err)


def date_of(value: Any, path: str, err: ErrorClass) -> date:
    """A date written as "YYYY-MM-DD"."""
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    fail(err, path, f"必须是YYYY-MM-DD格式的日期，当前为{value!r}")


def enum_of(value: Any, enum: type[E], path: str, err: ErrorClass) -> E:
    try:
        return enum(value)
    except ValueError:
        choices = "、".join(m.value for m in enum)
        fail(err, path, f"必须是以下之一：{choices}，当前为{value!r}")


def mapping_of(value: Any, path: str, err: ErrorClass) -> JsonDict:
    if not isinstance(value, dict):
        fail(err, path, "必须是JSON对象")
    return value


def list_of(value: Any, path: str, err: ErrorClass) -> list[Any]:
    if not isinstance(value, list):
        fail(err, path, "必须是JSON数组")
    return value


def text_of(value: Any, path: str, err: ErrorClass, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        fail(err, path, "必须是非空文本")
    return value


def indicator_of(data: Any, path: str, err: ErrorClass) -> Indicator:
    """An indicator definition (see data/positions.json for the fields)."""
    d = mapping_of(data, path, err)
    kind = enum_of(d.get("kind"), Kind, f"{path}.kind", err)
    qualitative = kind is Kind.QUALITATIVE
    return Indicator(
        code=text_of(d.get("code"), f"{path}.code", err),
        name_zh=text_of(d.get("name_zh"), f"{path}.name_zh", err),
        kind=kind,
        direction=enum_of(d.get("direction", "higher"), Direction, f"{path}.direction", err),
        aggregation=enum_of(d.get("aggregation", "mean_rating" if qualitative else None), Aggregation,
                            f"{path}.aggregation", err),
        display=enum_of(d.get("display", "rating" if qualitative else "number"), Display, f"{path}.display", err),
        unit=text_of(d.get("unit"), f"{path}.unit", err, required=False),
        cumulative=bool(d.get("cumulative", False)),
        source=text_of(d.get("source", "self_report"), f"{path}.source", err),
        hint_zh=text_of(d.get("hint_zh"), f"{path}.hint_zh", err, required=False),
        money=enum_of(d.get("money", "none"), Money, f"{path}.money", err),
        scored=bool(d.get("scored", True)),
        definition_zh=text_of(d.get("definition_zh"), f"{path}.definition_zh", err, required=False),
        pace_basis=enum_of(d.get("pace_basis", "working"), PaceBasis, f"{path}.pace_basis", err),
    )


def template_of(data: Any, position_code: str, position_name_zh: str, path: str, err: ErrorClass,
                qualitative: set[str]) -> KpiTemplate:
    """A KPI template; `qualitative` names the indicators whose target defaults to the rating scale."""
    d = mapping_of(data, path, err)
    items = []
    for index, raw in enumerate(list_of(d.get("items"), f"{path}.items", err)):
        p = f"{path}.items[{index}]"
        item = mapping_of(raw, p, err)
        code = text_of(item.get("indicator"), f"{p}.indicator", err)
        default_target = RATING_SCALE if code in qualitative else None
        target = item.get("target", default_target)
        if target is None:
            fail(err, f"{p}.target", "定量考核项必须设目标值")
        method = RATIO if item.get("method") is None else method_of(item["method"], f"{p}.method", err)
        if "cap" in item and not isinstance(method, ByRatio):
            fail(err, f"{p}.cap", f"封顶系数只适用于比例计分，该项按{method.kind.label_zh}计分")
        items.append(TemplateItem(
            indicator_code=code,
            weight=decimal_of(item.get("weight"), f"{p}.weight", err),
            target=decimal_of(target, f"{p}.target", err),
            cap=decimal_of(item.get("cap", DEFAULT_CAP), f"{p}.cap", err),
            floor=optional_decimal(item.get("floor"), f"{p}.floor", err),
            rater=None if item.get("rater") is None else enum_of(item["rater"], Rater, f"{p}.rater", err),
            method=method,
        ))
    return KpiTemplate(
        position_code=position_code,
        position_name_zh=position_name_zh,
        currency=text_of(d.get("currency"), f"{path}.currency", err),
        items=tuple(items),
        editable=bool(d.get("editable", True)),
    )


def method_of(data: Any, path: str, err: ErrorClass) -> Method:
    """A scoring method: {"kind": "ratio" | "pass_fail"}, {"kind": "deduction", "step", "points"} or
    {"kind": "bands", "bands": [{"min"?, "max"?, "points"}, …]} (rules checked by validate_template)."""
    d = mapping_of(data, path, err)
    kind = enum_of(d.get("kind"), MethodKind, f"{path}.kind", err)
    if kind is MethodKind.DEDUCTION:
        return Deduction(decimal_of(d.get("step"), f"{path}.step", err),
                         decimal_of(d.get("points"), f"{path}.points", err))
    if kind is MethodKind.BANDS:
        bands = []
        for i, raw in enumerate(list_of(d.get("bands"), f"{path}.bands", err)):
            b, at = mapping_of(raw, f"{path}.bands[{i}]", err), f"{path}.bands[{i}]"
            bands.append(Band(decimal_of(b.get("points"), f"{at}.points", err),
                              optional_decimal(b.get("min"), f"{at}.min", err),
                              optional_decimal(b.get("max"), f"{at}.max", err)))
        return Bands(tuple(bands))
    return PassFail() if kind is MethodKind.PASS_FAIL else RATIO


def method_json(method: Method) -> JsonDict | None:
    """The stored form of a method, read back by `method_of`; None for the ratio (the default)."""
    if isinstance(method, Deduction):
        return {"kind": MethodKind.DEDUCTION.value, "step": plain(method.step), "points": plain(method.points)}
    if isinstance(method, Bands):
        return {"kind": MethodKind.BANDS.value, "bands": [
            {"points": plain(b.points)} | ({} if b.low is None else {"min": plain(b.low)})
            | ({} if b.high is None else {"max": plain(b.high)}) for b in method.bands]}
    return {"kind": MethodKind.PASS_FAIL.value} if isinstance(method, PassFail) else None
