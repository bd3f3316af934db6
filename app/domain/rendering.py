"""An evaluated assessment as the JSON-ready result of `flask kpi score` (SCOREFILE.md "Output").

Decimals are strings: figures rounded half-up to 6 places, achievements to 4, item scores to 2, the
total to 1 (the total is the rounded sum of the unrounded item scores and HR's counted adjustments).
What is not the default is shown only where it applies — an item's method when it is not the ratio,
the adjustments and the veto when HR recorded them — so a ratio-only result reads as it always did.
A rated item is `rated`, never met or unmet: its row and bar read its rating ("4/5分"), with no hint.
"""

from fractions import Fraction
from typing import TYPE_CHECKING

from .adjustments import SheetLines
from .codec import JsonDict
from .exact import Actual, fixed, plain, round_half_up
from .formatting import (
    SummaryLine,
    adjustments_text,
    completion_label,
    format_total,
    format_value,
    method_label,
    method_rule,
    signed,
    summary_sentence,
)
from .grades import GradeBands
from .indicators import Aggregation, Indicator, Kind
from .methods import Bands, ByRatio
from .observations import DayFigure, Discrepancy
from .progress import ItemProgress
from .scoring import AssessmentScore, ItemScore, ItemStatus, ScoringItem, rated_label

if TYPE_CHECKING:  # evaluation is only read here
    from .evaluation import Evaluation

MISSED = (ItemStatus.UNMET, ItemStatus.NO_DATA)  # named in the summary, with the indicator's hint


def render_assessment(ev: "Evaluation") -> JsonDict:
    """The result document; the score has one item per scoring item, in the same order."""
    given, score = ev.input, ev.score
    template, library = given.template, given.library
    rows, lines = [], []
    for item, result in zip(ev.items, score.items, strict=True):
        indicator = library[item.code]
        rows.append(_item(ev, item, result, indicator))
        if result.status in MISSED:
            no_data, qualitative = result.status is ItemStatus.NO_DATA, indicator.kind is Kind.QUALITATIVE
            lines.append(SummaryLine(indicator.name_zh, no_data, qualitative, rows[-1]["actual_display"] or "",
                                     indicator.hint_zh, rows[-1].get("method_label", ""),
                                     plain(round_half_up(result.score, 2))))
    out = {
        "position": {"code": template.position_code, "name": template.position_name_zh},
        "mode": given.mode,
        "month": given.month[0].isoformat()[:7],
        "period": {
            "start": given.period[0].isoformat(),
            "end": given.period[1].isoformat(),
            "working_days": ev.cover.covered,
            "month_working_days": ev.cover.month,
            "prorated": ev.cover.partial,
        },
        "currency": template.currency,
        "items": rows,
        "total": format(score.total, "f"),
        "total_display": format_total(score.total),
        "grade": score.grade.label_zh,
        "grade_code": score.grade.code,
        "coefficient": format(score.grade.coefficient, "f"),
        "summary": summary_sentence(
            template.position_name_zh, score.total, score.grade.label_zh, lines, projected=given.mode == "projection",
            veto_zh="" if score.veto is None else score.veto.label_zh,
            adjustments_zh="" if score.adjustments is None else adjustments_text(score.adjustments),
        ),
    }
    if given.as_of is not None:
        out["as_of"] = given.as_of.isoformat()
    out.update(_sheet_lines(given.lines, score, given.bands))
    return out


def _sheet_lines(lines: SheetLines, score: AssessmentScore, bands: GradeBands) -> JsonDict:
    """HR's adjustments and veto, when there are any (absent keys keep ratio-only results unchanged)."""
    out: JsonDict = {}
    counted, limit = score.adjustments, lines.limit
    if counted is not None and limit is not None:
        out["adjustments"] = {
            "lines": [{"points": signed(a.points), "reason": a.reason, "given_by": a.given_by}
                      for a in lines.adjustments],
            "limit": {"bonus": plain(limit.bonus), "penalty": plain(limit.penalty)},
            "bonus": plain(counted.bonus), "bonus_counted": plain(counted.bonus_counted),
            "bonus_limited": counted.bonus_limited,
            "penalty": plain(counted.penalty), "penalty_counted": plain(counted.penalty_counted),
            "penalty_limited": counted.penalty_limited,
            "counted": signed(counted.counted),
            "label": adjustments_text(counted),
        }
    if score.veto is not None:
        by_total = bands.grade_for(score.total)
        out["veto"] = {
            "code": score.veto.code, "name": score.veto.name, "evidence": score.veto.evidence,
            "recorded_by": score.veto.recorded_by, "label": score.veto.label_zh,
            "grade_by_total": by_total.label_zh, "grade_code_by_total": by_total.code,
        }
    return out


def _item(ev: "Evaluation", item: ScoringItem, result: ItemScore, indicator: Indicator) -> JsonDict:
    currency = ev.input.template.currency
    actual = ev.so_far.get(item.code)
    value = None if actual is None else actual.fraction()
    a = None if result.achievement is None else result.achievement.fraction()
    completion, status_label = _labels(item, result, ev.actuals.get(item.code), a)
    row = {
        "indicator": item.code,
        "name": indicator.name_zh,
        "kind": indicator.kind.value,
        "direction": indicator.direction.value,
        "weight": plain(item.weight),
        "target": plain(item.target),
        "target_display": format_value(Fraction(item.target), indicator.display, indicator.unit, currency),
        "cap": plain(item.cap),
        "floor": None if item.floor is None else plain(item.floor),
        "actual": None if value is None else plain(round_half_up(value, 6)),
        "actual_display": None if value is None else format_value(value, indicator.display, indicator.unit, currency),
        "achievement": None if a is None else fixed(round_half_up(a, 4), 4),
        "completion": completion,
        "score": fixed(result.score, 2),
        "met": result.met,
        "status": result.status.value,
        "status_label": status_label,
        "capped": result.capped,
        "below_floor": result.below_floor,
        "hint": (indicator.hint_zh or None) if result.status in MISSED else None,
        "data": _data(ev, item.code, indicator, currency),
    }
    if actual is not None and indicator.aggregation is Aggregation.RATIO:
        row["numerator"], row["denominator"] = plain(actual.num), plain(actual.den)
    if not isinstance(item.method, ByRatio):
        row.update(_method(item, result, indicator, currency))
    if ev.bases is not None:
        row["basis"], row["basis_label"] = ev.bases[item.code].value, ev.bases[item.code].label_zh
        row.update(_projected(ev, item.code, indicator, currency))
    if ev.progress is not None:
        row["progress"] = _progress(ev.progress[item.code])
    return row


def _projected(ev: "Evaluation", code: str, indicator: Indicator, currency: str) -> JsonDict:
    """The figure a projection scores, beside the real one so far: "预计" 90,000 USD when 45,000 USD
    are sold half-way (a last month's rating is shown as such, not as this month's)."""
    projected = ev.actuals.get(code)
    if projected is None or projected == ev.so_far.get(code):
        return {}
    value = projected.fraction()
    return {"projected": plain(round_half_up(value, 6)),
            "projected_display": format_value(value, indicator.display, indicator.unit, currency)}


def _labels(item: ScoringItem, result: ItemScore, scored: Actual | None, a: Fraction | None) -> tuple[str, str]:
    """(completion, status label): "完成80%" and 达标 / 未达标 / 无数据, or a rated item's rating twice
    (the rating it is scored on: last month's in a projection, when this month's is not in yet)."""
    if result.status is ItemStatus.RATED and scored is not None:
        rating = rated_label(item, scored)
        return rating, rating
    return completion_label(a), result.status.label_zh


def _method(item: ScoringItem, result: ItemScore, indicator: Indicator, currency: str) -> JsonDict:
    """How a deduction, bands or pass/fail item got its points; cap and floor are the ratio's only."""
    shown = (item.direction, indicator.display, indicator.unit, currency)
    out: JsonDict = {
        "method": item.method.kind.value,
        "method_label": method_label(item.method, item.weight, *shown),
        "cap": None,
        "floor": None,
    }
    if result.steps is not None:
        out["steps"] = result.steps
    if result.band is not None and isinstance(item.method, Bands):
        out["band"] = method_rule(Bands((item.method.bands[result.band],)), item.weight, *shown)
    return out


def _data(ev: "Evaluation", code: str, indicator: Indicator, currency: str) -> JsonDict:
    given = ev.input
    if code in ev.figures:
        figure = ev.figures[code]
        return {
            "from": "observations",
            "days": figure.days,
            "days_by_provenance": {p.value: n for p, n in sorted(figure.days_by_provenance.items())},
            "discrepancies": [_discrepancy(d, indicator, currency) for d in figure.discrepancies],
        }
    if code in given.actuals:
        return {"from": "actuals"}
    if code in given.ratings:
        return {"from": "ratings", "ratings": len(given.ratings[code])}
    return {"from": "none"}


def _discrepancy(d: Discrepancy, indicator: Indicator, currency: str) -> JsonDict:
    reported, record = _compared(d.reported), _compared(d.record)
    return {
        "day": d.day.isoformat(),
        "reported": plain(round_half_up(reported, 6)),
        "reported_display": format_value(reported, indicator.display, indicator.unit, currency),
        "record": plain(round_half_up(record, 6)),
        "record_display": format_value(record, indicator.display, indicator.unit, currency),
        "record_provenance": d.record.provenance.value,
        "difference": None if d.difference is None else fixed(round_half_up(d.difference, 4), 4),
        "label": "数据不一致",
    }


def _compared(figure: DayFigure) -> Fraction:
    """A figure of a discrepancy: observations.discrepancies compares only days with a value."""
    value = figure.value
    assert value is not None, "a compared figure always has a value"
    return value.fraction()


def _progress(p: ItemProgress) -> JsonDict:
    out: JsonDict = {
        "label": p.label_zh,
        "fill": fixed(p.fill, 4),
        "state": p.state.value,
        "state_label": p.state_label_zh,
        "pace": None if p.pace is None else fixed(round_half_up(p.pace, 4), 4),
        "pace_label": p.pace_label_zh,
    }
    if p.fresh is not None:
        out["through"] = None if p.fresh.through is None else p.fresh.through.isoformat()
        out["through_label"] = p.fresh.through_label_zh
        out["stale"], out["stale_label"] = p.fresh.stale, p.fresh.stale_label_zh
    return out
