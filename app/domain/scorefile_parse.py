"""Reading a score document (SCOREFILE.md) into domain objects, refusing what does not fit.

Every refusal is a ScoreFileInvalid naming the field, so `flask kpi score` can print one clear
error object instead of a traceback.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from .adjustments import Adjustment, AdjustmentLimit, SheetLines, Veto
from .builtin import load_builtin
from .codec import (
    JsonDict,
    date_of,
    decimal_of,
    enum_of,
    fail,
    indicator_of,
    list_of,
    mapping_of,
    template_of,
    text_of,
)
from .errors import ScoreFileInvalid
from .evaluation import EvaluationInput
from .exact import Actual, Ratio
from .fx import FxRate, RateTable
from .grades import DEFAULT_BANDS, GradeBand, GradeBands
from .indicators import IndicatorLibrary, Kind, Provenance
from .observations import DayObservation, Rating
from .templates import KpiTemplate, rating_scale, validate_template
from .workcalendar import WorkCalendar, month_bounds

ERR = ScoreFileInvalid
MODES = ("final", "projection")
FieldPath = Callable[[str], str]  # a key → its path in the document (parse_assessment's `at`)


def parse_assessment(doc: JsonDict, path: str = "") -> EvaluationInput:
    """One assessment's document (shared keys already merged in)."""

    def at(key: str) -> str:
        """A field's path, prefixed inside a multi-assessment document ("assessments[1].period")."""
        return f"{path}{key}"

    library, template = _template(doc, at)
    month = _month(doc.get("month"), at("month"))
    period = _period(doc.get("period"), month, at("period"))
    calendar, leave = _calendar(doc.get("calendar"), at("calendar"))
    mode = doc.get("mode", "final")
    if mode not in MODES:
        fail(ERR, at("mode"), "必须是final（月末评分）或projection（预计得分）")
    as_of = None if doc.get("as_of") is None else date_of(doc["as_of"], at("as_of"), ERR)
    if mode == "projection" and as_of is None:
        fail(ERR, at("as_of"), "预计得分需要指定截至日期as_of")
    codes = {item.indicator_code for item in template.items}
    actuals = {c: _actual(v, f"{at('actuals')}.{c}") for c, v in _by_item(doc, "actuals", codes, at).items()}
    observations = {
        code: [_observation(o, f"{at('observations')}.{code}[{i}]")
               for i, o in enumerate(list_of(rows, f"{at('observations')}.{code}", ERR))]
        for code, rows in _by_item(doc, "observations", codes, at).items()
    }
    ratings = _ratings(doc, "ratings", template, library, at)
    twice = sorted((set(actuals) & set(observations)) | (set(ratings) & (set(actuals) | set(observations))))
    if twice:
        fail(ERR, at("actuals"), f"「{twice[0]}」的数据只能用actuals、observations、ratings中的一种给出")
    return EvaluationInput(
        template, library, month, period, calendar, leave, _rates(doc.get("rates"), at("rates")),
        _bands(doc.get("grade_bands"), at("grade_bands")), mode, as_of, actuals, observations,
        ratings, _ratings(doc, "last_month_ratings", template, library, at), _lines(doc, at),
    )


def _template(doc: JsonDict, at: FieldPath) -> tuple[IndicatorLibrary, KpiTemplate]:
    catalog = load_builtin()
    extra = [indicator_of(raw, f"{at('indicators')}[{i}]", ERR)
             for i, raw in enumerate(list_of(doc.get("indicators", []), at("indicators"), ERR))]
    library = catalog.library.extended(extra) if extra else catalog.library
    if ("position" in doc) == ("template" in doc):
        fail(ERR, at("position"), "必须给出内置岗位position或自定义模板template，且只能给一个")
    if "position" in doc:
        template = catalog.template(doc["position"]) if isinstance(doc["position"], str) else None
        if template is None:
            fail(ERR, at("position"), f"没有内置岗位「{doc['position']}」，可选：{'、'.join(catalog.positions)}")
        return library, template
    raw = mapping_of(doc["template"], at("template"), ERR)
    qualitative = {code for code, ind in library.items() if ind.kind is Kind.QUALITATIVE}
    name = text_of(raw.get("name_zh"), at("template.name_zh"), ERR)
    code = text_of(raw.get("position_code", "custom"), at("template.position_code"), ERR)
    template = template_of(raw, code, name, at("template"), ERR, qualitative)
    validate_template(template, library)
    return library, template


def _month(value: Any, path: str) -> tuple[date, date]:
    if isinstance(value, str) and len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        if 1 <= int(value[5:]) <= 12:
            return month_bounds(int(value[:4]), int(value[5:]))
    fail(ERR, path, f"必须是YYYY-MM格式的月份，当前为{value!r}")


def _period(value: Any, month: tuple[date, date], path: str) -> tuple[date, date]:
    if value is None:
        return month
    p = mapping_of(value, path, ERR)
    start = date_of(p.get("start", month[0].isoformat()), f"{path}.start", ERR)
    end = date_of(p.get("end", month[1].isoformat()), f"{path}.end", ERR)
    if not month[0] <= start <= end <= month[1]:
        fail(ERR, path, f"考核期必须在{month[0].isoformat()}至{month[1].isoformat()}之内且开始不晚于结束")
    return start, end


def _calendar(value: Any, path: str) -> tuple[WorkCalendar, frozenset[date]]:
    if value is None:
        return WorkCalendar(), frozenset()
    c = mapping_of(value, path, ERR)

    def days(key: str) -> frozenset[date]:
        entries = list_of(c.get(key, []), f"{path}.{key}", ERR)
        return frozenset(date_of(d, f"{path}.{key}[{i}]", ERR) for i, d in enumerate(entries))

    rest = list_of(c.get("rest_weekdays", [6, 7]), f"{path}.rest_weekdays", ERR)
    if not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in rest):
        fail(ERR, f"{path}.rest_weekdays", "必须是1（周一）到7（周日）之间的整数")
    return WorkCalendar(days("holidays"), days("makeup_days"), frozenset(rest)), days("leave")


def _rates(value: Any, path: str) -> RateTable:
    rates = []
    for i, raw in enumerate(list_of(value or [], path, ERR)):
        r = mapping_of(raw, f"{path}[{i}]", ERR)
        month = _month(r.get("month"), f"{path}[{i}].month")[0]
        rates.append(FxRate(
            text_of(r.get("from"), f"{path}[{i}].from", ERR), text_of(r.get("to"), f"{path}[{i}].to", ERR),
            f"{month.year:04d}-{month.month:02d}", decimal_of(r.get("rate"), f"{path}[{i}].rate", ERR),
        ))
    return RateTable(rates)


def _bands(value: Any, path: str) -> GradeBands:
    if value is None:
        return DEFAULT_BANDS
    bands = []
    for i, raw in enumerate(list_of(value, path, ERR)):
        b = mapping_of(raw, f"{path}[{i}]", ERR)
        minimum = None if b.get("min") is None else decimal_of(b["min"], f"{path}[{i}].min", ERR)
        bands.append(GradeBand(
            text_of(b.get("code"), f"{path}[{i}].code", ERR), text_of(b.get("label"), f"{path}[{i}].label", ERR),
            minimum, decimal_of(b.get("coefficient", "1"), f"{path}[{i}].coefficient", ERR),
        ))
    return GradeBands(bands)


def _lines(doc: JsonDict, at: FieldPath) -> SheetLines:
    """HR's 加减分项 (with their limit) and 一票否决; SheetLines checks the rules."""
    adjustments = []
    for i, raw in enumerate(list_of(doc.get("adjustments", []), at("adjustments"), ERR)):
        a, path = mapping_of(raw, f"{at('adjustments')}[{i}]", ERR), f"{at('adjustments')}[{i}]"
        adjustments.append(Adjustment(decimal_of(a.get("points"), f"{path}.points", ERR),
                                      text_of(a.get("reason"), f"{path}.reason", ERR),
                                      text_of(a.get("given_by"), f"{path}.given_by", ERR)))
    limit = None
    if doc.get("adjustment_limit") is not None:
        raw, path = mapping_of(doc["adjustment_limit"], at("adjustment_limit"), ERR), at("adjustment_limit")
        limit = AdjustmentLimit(decimal_of(raw.get("bonus"), f"{path}.bonus", ERR),
                                decimal_of(raw.get("penalty"), f"{path}.penalty", ERR))
    veto = None
    if doc.get("veto") is not None:
        v, path = mapping_of(doc["veto"], at("veto"), ERR), at("veto")
        veto = Veto(text_of(v.get("name"), f"{path}.name", ERR), text_of(v.get("evidence"), f"{path}.evidence", ERR),
                    text_of(v.get("recorded_by"), f"{path}.recorded_by", ERR),
                    text_of(v.get("code", ""), f"{path}.code", ERR, required=False))
    return SheetLines(tuple(adjustments), limit, veto)


def _by_item(doc: JsonDict, key: str, codes: set[str], at: FieldPath) -> JsonDict:
    """A per-indicator block, refusing indicators the template does not have (typos)."""
    block = mapping_of(doc.get(key, {}), at(key), ERR)
    for code in block:
        if code not in codes:
            fail(ERR, f"{at(key)}.{code}", f"「{code}」不是该模板的考核项")
    return block


def _actual(value: Any, path: str) -> Actual:
    """A month figure: a number, or {"numerator", "denominator"} for a rate."""
    if isinstance(value, dict):
        num = decimal_of(value.get("numerator"), f"{path}.numerator", ERR)
        den = decimal_of(value.get("denominator"), f"{path}.denominator", ERR)
        if not den > 0:
            fail(ERR, f"{path}.denominator", "分母必须大于0")
        return Ratio(num, den)
    return Ratio.of(decimal_of(value, path, ERR))


def _observation(value: Any, path: str) -> DayObservation:
    o = mapping_of(value, path, ERR)
    if ("value" in o) == ("numerator" in o):
        fail(ERR, path, "每条数据需要value（数值），或numerator加denominator（比率），二选一")
    num = decimal_of(o.get("value", o.get("numerator")), f"{path}.value", ERR)
    den = None if o.get("denominator") is None else decimal_of(o["denominator"], f"{path}.denominator", ERR)
    currency = o.get("currency")
    return DayObservation(
        day=date_of(o.get("day"), f"{path}.day", ERR), numerator=num, denominator=den,
        provenance=enum_of(o.get("provenance", "self_reported"), Provenance, f"{path}.provenance", ERR),
        source=text_of(o.get("source", ""), f"{path}.source", ERR, required=False),
        currency=None if currency is None else text_of(currency, f"{path}.currency", ERR),
    )


def _ratings(doc: JsonDict, key: str, template: KpiTemplate, library: IndicatorLibrary,
             at: FieldPath) -> dict[str, list[Rating]]:
    """Ratings per qualitative item: a list of numbers between 1 and the item's scale.

    The template is validated, so each indicator has exactly one item.
    """
    items = {i.indicator_code: i for i in template.items}
    found = {}
    for code, values in _by_item(doc, key, set(items), at).items():
        item, path = items[code], f"{at(key)}.{code}"
        if library[code].kind is not Kind.QUALITATIVE:
            fail(ERR, path, f"「{library[code].name_zh}」是定量指标，请用actuals或observations给出数据")
        scale = rating_scale(item.target)
        ratings = []
        for i, raw in enumerate(list_of(values, path, ERR)):
            value = decimal_of(raw, f"{path}[{i}]", ERR)
            if not 1 <= value <= scale:
                fail(ERR, f"{path}[{i}]", f"评分必须在1到{scale}之间，当前为{value}")
            ratings.append(Rating(value, item.rater))
        found[code] = ratings
    return found
