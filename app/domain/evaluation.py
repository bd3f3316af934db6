"""Evaluating one assessment: aggregate its daily figures, pro-rate, score (or project) and measure
progress. The one engine behind the month's close, live progress, alerts, digests and `flask kpi score`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from .adjustments import NO_LINES, SheetLines
from .aggregation import MonthFigure, aggregate_month, aggregate_ratings
from .exact import Actual
from .fx import RateTable
from .grades import GradeBands
from .indicators import IndicatorLibrary, PaceBasis
from .observations import DayObservation, Rating
from .progress import PACE_TOLERANCE, Freshness, ItemProgress, Pace, item_progress, pace
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
    # Live progress only: the day each item's figures run to and whether its source is behind
    # (an item not named runs to `as_of`), and how far behind pace still counts as on pace.
    freshness: Mapping[str, Freshness] = field(default_factory=dict)
    pace_tolerance: Fraction = PACE_TOLERANCE


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one assessment, ready to render."""

    input: EvaluationInput
    items: tuple[ScoringItem, ...]
    cover: Coverage
    actuals: dict[str, Actual | None]  # what each item is scored on (projected, in a projection)
    so_far: dict[str, Actual | None]  # what the figures say so far
    figures: dict[str, MonthFigure]  # for items built from daily observations
    score: AssessmentScore
    bases: dict[str, Basis] | None  # projection only
    progress: dict[str, ItemProgress] | None  # when as_of is given


def evaluate(given: EvaluationInput) -> Evaluation:
    """Aggregate, pro-rate, score (or project) and measure progress for one assessment."""
    cover = coverage(given.calendar, given.period, given.month)
    covers = {PaceBasis.WORKING: cover,
              PaceBasis.CALENDAR: coverage(given.calendar, given.period, given.month, PaceBasis.CALENDAR)}
    items = prorated_items(scoring_items(given.template, given.library), covers)
    figures = {
        code: aggregate_month(given.library[code], obs, currency=given.template.currency,
                              rates=given.rates, period=given.period)
        for code, obs in given.observations.items()
    }
    so_far = {item.code: _actual(given, figures, item.code) for item in items}
    paces = None if given.as_of is None else {item.code: _pace(given, item, given.as_of) for item in items}
    bases, progress = None, None
    if given.mode == "projection":
        last_month = {code: aggregate_ratings(r) for code, r in given.last_month.items()}
        projection = project(items, so_far, last_month, paces, given.bands, given.lines)
        score, bases = projection.score, {code: p.basis for code, p in projection.items.items()}
        actuals = {code: p.actual for code, p in projection.items.items()}
    else:
        score, actuals = score_assessment(items, so_far, given.bands, given.lines), so_far
    if paces is not None:
        progress = {item.code: item_progress(item, so_far[item.code], paces[item.code].share, given.pace_tolerance,
                                             given.freshness.get(item.code, Freshness(given.as_of)))
                    for item in items}
    return Evaluation(given, items, cover, actuals, so_far, figures, score, bases, progress)


def _pace(given: EvaluationInput, item: ScoringItem, as_of: date) -> Pace:
    """The item's pace through the last day its figures cover, in its pace basis."""
    through = given.freshness.get(item.code, Freshness(as_of)).through
    if through is None:  # the source has never covered a day: nothing is expected yet
        through = given.period[0] - timedelta(days=1)
    return pace(given.calendar, given.period, through, given.leave, item.pace_basis)


def _actual(given: EvaluationInput, figures: dict[str, MonthFigure], code: str) -> Actual | None:
    if code in given.actuals:
        return given.actuals[code]
    if code in figures:
        return figures[code].actual
    if code in given.ratings:
        return aggregate_ratings(given.ratings[code])
    return None
