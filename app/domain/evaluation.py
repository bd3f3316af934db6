"""Evaluating one assessment: aggregate its daily figures, pro-rate, score (or project) and measure
progress. The one engine behind the month's close, live progress, alerts, digests and `flask kpi score`.
"""

from dataclasses import dataclass
from datetime import date

from .adjustments import NO_LINES, SheetLines
from .aggregation import MonthFigure, aggregate_month, aggregate_ratings
from .exact import Actual
from .fx import RateTable
from .grades import GradeBands
from .indicators import IndicatorLibrary
from .observations import DayObservation, Rating
from .progress import ItemProgress, item_progress, pace
from .projection import Basis, project
from .proration import Coverage, coverage, prorated_items
from .scoring import AssessmentScore, ScoringItem, score_assessment, scoring_items
from .templates import KpiTemplate
from .workcalendar import WorkCalendar


@dataclass(frozen=True)
class EvaluationInput:
    """Everything the rules need to evaluate one assessment: its template, period, calendar, rates,
    bands, figures and HR's lines (加减分项, 一票否决; none by default). Built by the score-file parser
    (the CLI) and by the services from the database."""

    template: KpiTemplate
    library: IndicatorLibrary
    month: tuple[date, date]
    period: tuple[date, date]
    calendar: WorkCalendar
    leave: frozenset[date]
    rates: RateTable
    bands: GradeBands
    mode: str
    as_of: date | None
    actuals: dict[str, Actual]
    observations: dict[str, list[DayObservation]]
    ratings: dict[str, list[Rating]]
    last_month: dict[str, list[Rating]]
    lines: SheetLines = NO_LINES


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one assessment, ready to render."""

    input: EvaluationInput
    items: tuple[ScoringItem, ...]
    cover: Coverage
    actuals: dict[str, Actual | None]  # what each item is scored on
    figures: dict[str, MonthFigure]  # for items built from daily observations
    score: AssessmentScore
    bases: dict[str, Basis] | None  # projection only
    progress: dict[str, ItemProgress] | None  # when as_of is given


def evaluate(given: EvaluationInput) -> Evaluation:
    """Aggregate, pro-rate, score (or project) and measure progress for one assessment."""
    cover = coverage(given.calendar, given.period, given.month)
    items = prorated_items(scoring_items(given.template, given.library), cover)
    figures = {
        code: aggregate_month(given.library[code], obs, currency=given.template.currency,
                              rates=given.rates, period=given.period)
        for code, obs in given.observations.items()
    }
    so_far = {item.code: _actual(given, figures, item.code) for item in items}
    worked = None if given.as_of is None else pace(given.calendar, given.period, given.as_of, given.leave)
    bases, progress = None, None
    if given.mode == "projection":
        last_month = {code: aggregate_ratings(r) for code, r in given.last_month.items()}
        projection = project(items, so_far, last_month, worked, given.bands, given.lines)
        score, bases = projection.score, {code: p.basis for code, p in projection.items.items()}
        actuals = {code: p.actual for code, p in projection.items.items()}
    else:
        score, actuals = score_assessment(items, so_far, given.bands, given.lines), so_far
    if worked is not None:
        progress = {item.code: item_progress(item, so_far[item.code], worked.share) for item in items}
    return Evaluation(given, items, cover, actuals, figures, score, bases, progress)


def _actual(given: EvaluationInput, figures: dict[str, MonthFigure], code: str) -> Actual | None:
    if code in given.actuals:
        return given.actuals[code]
    if code in figures:
        return figures[code].actual
    if code in given.ratings:
        return aggregate_ratings(given.ratings[code])
    return None
