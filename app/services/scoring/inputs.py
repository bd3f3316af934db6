"""Everything the domain needs to evaluate assessments, loaded from the database in a few
set-based queries: the library, calendars, leave, rates, observations and ratings.

The month's close (final scores) and live progress (projections with progress bars) both build
their domain requests here, so the two can never disagree about what an assessment's data is.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.domain.adjustments import NO_LINES, Adjustment, AdjustmentLimit, SheetLines, Veto
from app.domain.codec import method_of
from app.domain.errors import TemplateInvalid
from app.domain.evaluation import EvaluationInput
from app.domain.exact import Ratio
from app.domain.fx import RateTable
from app.domain.grades import GradeBands
from app.domain.indicators import (
    Aggregation,
    Direction,
    Display,
    IndicatorLibrary,
    Kind,
    Money,
    PaceBasis,
    Provenance,
)
from app.domain.indicators import Indicator as DomainIndicator
from app.domain.methods import RATIO, Method
from app.domain.observations import DayObservation
from app.domain.observations import Rating as DomainRating
from app.domain.progress import Freshness
from app.domain.templates import KpiTemplate, Rater, TemplateItem
from app.domain.workcalendar import WorkCalendar, month_bounds, previous_month
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Employee,
    Indicator,
    ItemOverride,
    Observation,
    Position,
    ProgressEntry,
    Rating,
    SheetLine,
    SyncRun,
)
from app.models.base import ItemTerms
from app.services import settings
from app.services.calendar import department_calendars, leave_days, rate_table
from app.services.lookup import configured_sources
from app.services.usecase import JsonDict


class Context:
    """The data of some assessments of one cycle."""

    month: tuple[date, date]
    bands: GradeBands  # the month's, frozen when it opened
    assessments: list[Assessment]
    library: IndicatorLibrary
    positions: dict[int, Position]
    calendars: dict[int, WorkCalendar]  # department id → calendar
    leave: dict[int, frozenset[date]]  # employee id → leave days
    rates: RateTable
    observations: dict[int, dict[str, list[DayObservation]]]  # employee id → indicator code → days
    ratings: dict[int, list[DomainRating]]  # assessment item id → ratings
    overrides: dict[int, Decimal]  # assessment item id → an accepted appeal's value
    lines: dict[int, SheetLines]  # assessment id → HR's adjustments and veto
    covered: dict[str, date]  # source → the last day a successful run covered
    configured: frozenset[str]  # the sources the company configured (the others read like self-reports)
    last_entry: dict[int, date]  # employee id → the latest day they submitted progress for
    pace_tolerance: Fraction  # the month's setting
    last_month: dict[int, dict[str, list[DomainRating]]]  # employee id → indicator code → ratings

    @classmethod
    def load(cls, cycle: Cycle, ids: list[int], *, with_last_month: bool = False) -> "Context":
        self = cls()
        self.month = month_bounds(cycle.year, cycle.month)
        rules = settings.of_cycle(cycle)
        self.bands = rules.grade_bands
        self.assessments = list(db.session.scalars(
            select(Assessment).options(selectinload(Assessment.items))
            .where(Assessment.id.in_(ids)).order_by(Assessment.id)))
        employees = {a.employee_id for a in self.assessments}
        self.library = library()
        self.positions = {p.id: p for p in db.session.scalars(select(Position))}
        self.calendars = department_calendars()
        self.leave = leave_days(employees, *self.month)
        self.rates = rate_table([f"{cycle.year:04d}-{cycle.month:02d}"])
        self.observations = _observations(employees, self.month)
        self.ratings = _ratings(ids)
        self.overrides = _overrides(ids)
        self.lines = _sheet_lines(ids, rules.adjustment_limit)
        self.pace_tolerance = rules.pace_tolerance
        self.covered = _covered()
        self.configured = configured_sources()
        self.last_entry = _last_entries(employees, self.month)
        self.last_month = _last_month_ratings(cycle, employees) if with_last_month else {}
        return self

    def input_for(self, assessment: Assessment, *, as_of: date | None = None) -> EvaluationInput:
        """The domain's input: final when `as_of` is None, else a projection as of that day."""
        position = self.positions[assessment.position_id]
        assert position.department_id is not None, f"position {position.code} has no department (no work calendar)"
        template = KpiTemplate(position.code, position.name, assessment.currency, tuple(
            domain_item(i.indicator_code, i) for i in assessment.items))
        mine = self.observations.get(assessment.employee_id, {})
        # An accepted appeal's value replaces the item's observations or ratings (ItemOverride).
        actuals = {i.indicator_code: Ratio.of(self.overrides[i.id])
                   for i in assessment.items if i.id in self.overrides}
        measured = [i for i in assessment.items if i.indicator_code not in actuals]
        quantitative = [i for i in measured if self.library[i.indicator_code].kind is Kind.QUANTITATIVE]
        qualitative = [i for i in measured if self.library[i.indicator_code].kind is Kind.QUALITATIVE]
        previous = self.last_month.get(assessment.employee_id, {})
        return EvaluationInput(
            template=template, library=self.library, month=self.month,
            period=(assessment.first_day, assessment.last_day),
            calendar=self.calendars[position.department_id],
            leave=self.leave.get(assessment.employee_id, frozenset()),
            rates=self.rates, bands=self.bands, mode="final" if as_of is None else "projection", as_of=as_of,
            actuals=actuals,
            observations={i.indicator_code: mine.get(i.indicator_code, []) for i in quantitative},
            ratings={i.indicator_code: self.ratings[i.id] for i in qualitative if self.ratings.get(i.id)},
            last_month={i.indicator_code: previous[i.indicator_code]
                        for i in qualitative if i.indicator_code in previous},
            lines=self.lines.get(assessment.id, NO_LINES),
            freshness={} if as_of is None else {i.indicator_code: self._freshness(
                self.library[i.indicator_code], assessment.employee_id, as_of) for i in quantitative},
            pace_tolerance=self.pace_tolerance,
        )

    def _freshness(self, indicator: DomainIndicator, employee_id: int, as_of: date) -> Freshness:
        """Through which day an item's figures run on the morning of `as_of`: a synced source to the
        last day a successful run covered (数据未更新 once yesterday is not covered); what the person
        types in through yesterday, or through today once today is submitted. A source the company
        never configured reads like what the person types in: nobody is told 数据未更新 for it."""
        yesterday = as_of - timedelta(days=1)
        if not indicator.synced or indicator.source not in self.configured:
            return Freshness(as_of if self.last_entry.get(employee_id, date.min) >= as_of else yesterday)
        covered = self.covered.get(indicator.source)
        if covered is None:
            return Freshness(None, stale=True)
        return Freshness(min(covered, as_of), stale=covered < yesterday)


def _covered() -> dict[str, date]:
    """Each source's last covered day, from its successful runs."""
    return {source: through for source, through in db.session.execute(
        select(SyncRun.source, func.max(SyncRun.covered_through)).where(SyncRun.status == "done")
        .group_by(SyncRun.source)) if through is not None}


def _last_entries(employee_ids: set[int], month: tuple[date, date]) -> dict[int, date]:
    return dict(db.session.execute(
        select(ProgressEntry.employee_id, func.max(ProgressEntry.day))
        .where(ProgressEntry.employee_id.in_(list(employee_ids)), ProgressEntry.day.between(*month))
        .group_by(ProgressEntry.employee_id)).all())


def _sheet_lines(ids: list[int], limit: AdjustmentLimit) -> dict[int, SheetLines]:
    """The lines in force (not withdrawn) on each assessment, oldest first, with the month's limit."""
    found: dict[int, tuple[list[Adjustment], list[Veto]]] = defaultdict(lambda: ([], []))
    for line, recorder in db.session.execute(
            select(SheetLine, Employee.name).join(Employee, Employee.id == SheetLine.recorded_by)
            .where(SheetLine.assessment_id.in_(ids), SheetLine.withdrawn_at.is_(None)).order_by(SheetLine.id)):
        adjustments, vetoes = found[line.assessment_id]
        if line.kind == "veto":
            vetoes.append(Veto(line.text, line.evidence, recorder, code=f"veto-{line.id}"))
        else:
            assert line.points is not None, "an adjustment line has points (sheet_lines.add_adjustment)"
            adjustments.append(Adjustment(line.points, line.text, recorder))
    return {aid: SheetLines(tuple(adjustments), limit if adjustments else None, vetoes[0] if vetoes else None)
            for aid, (adjustments, vetoes) in found.items()}


def domain_item(code: str, terms: ItemTerms, method: Method | None = None) -> TemplateItem:
    """A stored item's terms (a template's or an assessment's) as the domain reads them; `method`
    replaces the stored one (HR trying a new method on a template)."""
    return TemplateItem(code, terms.weight, terms.target, terms.cap, terms.floor,
                        Rater(terms.rater) if terms.rater else None, method or stored_method(terms.method))


def stored_method(data: JsonDict | None) -> Method:
    """An item's stored scoring method (validated when HR set it); None is the ratio method."""
    return RATIO if data is None else method_of(data, "method", TemplateInvalid)


def library() -> IndicatorLibrary:
    """The indicator library as the domain knows it."""
    return IndicatorLibrary(
        DomainIndicator(
            code=r.code, name_zh=r.name, kind=Kind(r.kind), direction=Direction(r.direction),
            aggregation=Aggregation(r.aggregation), display=Display(r.display), unit=r.unit, cumulative=r.cumulative,
            source=r.source, hint_zh=r.hint, money=Money(r.money), scored=r.scored, definition_zh=r.definition,
            pace_basis=PaceBasis(r.pace_basis),
        )
        for r in db.session.scalars(select(Indicator))
    )


def _observations(employee_ids: set[int], month: tuple[date, date]) -> dict[int, dict[str, list[DayObservation]]]:
    rows = db.session.execute(
        select(Observation.employee_id, Observation.indicator_code, Observation.day, Observation.numerator,
               Observation.denominator, Observation.provenance, Observation.source, Observation.currency)
        .where(Observation.day.between(*month), Observation.employee_id.in_(list(employee_ids)))
    )
    found: dict[int, dict[str, list[DayObservation]]] = defaultdict(lambda: defaultdict(list))
    for employee_id, code, day, num, den, provenance, source, currency in rows:
        found[employee_id][code].append(DayObservation(day, num, den, Provenance(provenance), source, currency))
    return found


def _overrides(ids: list[int]) -> dict[int, Decimal]:
    """Assessment item id → the value an accepted appeal set for it."""
    return dict(db.session.execute(
        select(ItemOverride.assessment_item_id, ItemOverride.value)
        .join(AssessmentItem, AssessmentItem.id == ItemOverride.assessment_item_id)
        .where(AssessmentItem.assessment_id.in_(ids))
    ).all())


def _ratings(ids: list[int]) -> dict[int, list[DomainRating]]:
    rows = db.session.execute(
        select(Rating.assessment_item_id, Rating.value, Rating.rater_kind, Rating.rated_at)
        .join(AssessmentItem, AssessmentItem.id == Rating.assessment_item_id)
        .where(AssessmentItem.assessment_id.in_(ids))
    )
    found: dict[int, list[DomainRating]] = defaultdict(list)
    for item_id, value, kind, rated_at in rows:
        found[item_id].append(DomainRating(value, Rater(kind), rated_at.date()))
    return found


def _last_month_ratings(cycle: Cycle, employee_ids: set[int]) -> dict[int, dict[str, list[DomainRating]]]:
    """Each employee's ratings per indicator in the previous cycle (for 参考上月)."""
    year, month = previous_month(cycle.year, cycle.month)
    rows = db.session.execute(
        select(Assessment.employee_id, AssessmentItem.indicator_code, Rating.value, Rating.rater_kind)
        .join(AssessmentItem, AssessmentItem.id == Rating.assessment_item_id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id)
        .where(Cycle.year == year, Cycle.month == month, Assessment.employee_id.in_(list(employee_ids)))
    )
    found: dict[int, dict[str, list[DomainRating]]] = defaultdict(lambda: defaultdict(list))
    for employee_id, code, value, kind in rows:
        found[employee_id][code].append(DomainRating(value, Rater(kind)))
    return found
