"""`flask kpi score FILE.json`: a JSON-ready document in, a JSON-ready result out (SCOREFILE.md).

The CLI is a thin wrapper: it reads the file (or stdin) and prints `score_document(doc)`, or the
error object of a DomainError. Everything the command knows lives here and in the rules it calls,
so the golden files pin the domain, not the wrapper. All decimals in the output are strings.
"""

from dataclasses import dataclass
from fractions import Fraction

from .aggregation import MonthFigure, aggregate_month, aggregate_ratings
from .codec import list_of, mapping_of
from .errors import ScoreFileInvalid
from .exact import Actual
from .formatting import format_total
from .progress import ItemProgress, item_progress, pace
from .projection import Basis, project
from .proration import Coverage, coverage, month_grade, prorated_items
from .scorefile_parse import AssessmentRequest, parse_assessment
from .scorefile_render import render_assessment
from .scoring import AssessmentScore, ScoringItem, score_assessment, scoring_items


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one assessment, ready to render."""

    request: AssessmentRequest
    items: tuple[ScoringItem, ...]
    cover: Coverage
    actuals: dict[str, Actual | None]  # what each item is scored on
    figures: dict[str, MonthFigure]  # for items built from daily observations
    score: AssessmentScore
    bases: dict[str, Basis] | None  # projection only
    progress: dict[str, ItemProgress] | None  # when as_of is given


def score_document(doc: dict) -> dict:
    """Score a document: one assessment, or {"assessments": [...]} for a month with a transfer."""
    doc = mapping_of(doc, "document", ScoreFileInvalid)
    if "assessments" not in doc:
        return render_assessment(evaluate(parse_assessment(doc)))
    shared = {key: value for key, value in doc.items() if key != "assessments"}
    evaluations = []
    for i, raw in enumerate(list_of(doc["assessments"], "assessments", ScoreFileInvalid)):
        merged = {**shared, **mapping_of(raw, f"assessments[{i}]", ScoreFileInvalid)}
        evaluations.append(evaluate(parse_assessment(merged, f"assessments[{i}].")))
    return {"assessments": [render_assessment(e) for e in evaluations], "month": _month(evaluations)}


def evaluate(request: AssessmentRequest) -> Evaluation:
    """Aggregate, pro-rate, score (or project) and measure progress for one assessment."""
    cover = coverage(request.calendar, request.period, request.month)
    items = prorated_items(scoring_items(request.template, request.library), cover)
    figures = {
        code: aggregate_month(request.library[code], obs, currency=request.template.currency,
                              rates=request.rates, period=request.period)
        for code, obs in request.observations.items()
    }
    so_far = {item.code: _actual(request, figures, item.code) for item in items}
    worked = None if request.as_of is None else pace(request.calendar, request.period, request.as_of, request.leave)
    bases, progress = None, None
    if request.mode == "projection":
        last_month = {code: aggregate_ratings(r) for code, r in request.last_month.items()}
        projection = project(items, so_far, last_month, worked, request.bands)
        score, bases = projection.score, {code: p.basis for code, p in projection.items.items()}
        actuals = {code: p.actual for code, p in projection.items.items()}
    else:
        score, actuals = score_assessment(items, so_far, request.bands), so_far
    if worked is not None:
        progress = {item.code: item_progress(item, so_far[item.code], worked.share) for item in items}
    return Evaluation(request, items, cover, actuals, figures, score, bases, progress)


def _actual(request: AssessmentRequest, figures: dict[str, MonthFigure], code: str) -> Actual | None:
    if code in request.actuals:
        return request.actuals[code]
    if code in figures:
        return figures[code].actual
    if code in request.ratings:
        return aggregate_ratings(request.ratings[code])
    return None


def _month(evaluations: list[Evaluation]) -> dict:
    """The month's total and grade from the assessments' shown totals weighted by working days."""
    months = {e.request.month for e in evaluations}
    if len(months) != 1:
        raise ScoreFileInvalid("同一文件中的考核表必须属于同一个月", {"assessments": "月份不一致"})
    periods = sorted(e.request.period for e in evaluations)
    if any(later[0] <= earlier[1] for earlier, later in zip(periods, periods[1:])):
        raise ScoreFileInvalid("同一个月的各考核表的考核期不能重叠", {"assessments": "考核期重叠"})
    bands = evaluations[0].request.bands
    result = month_grade([(e.score.total, e.cover.covered) for e in evaluations], bands)
    month = evaluations[0].request.month[0]
    weights = [str(Fraction(d, sum(result.weights))) for d in result.weights]
    return {
        "month": f"{month.year:04d}-{month.month:02d}",
        "total": format(result.total, "f"),
        "total_display": format_total(result.total),
        "grade": result.grade.label_zh,
        "grade_code": result.grade.code,
        "coefficient": format(result.grade.coefficient, "f"),
        "working_days": list(result.weights),
        "weights": weights,
    }
