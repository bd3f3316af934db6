"""The figures a month's files must hold, worked out here from the raw rows (observations, items,
appeals) with the rules as DESIGN.md words them — not through the scoring code."""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Appeal, Assessment, AssessmentItem, Indicator, Observation, Report

RANK = {"verified": 3, "imported": 2, "self_reported": 1}


@dataclass(frozen=True)
class Worked:
    actual: Decimal
    achievement: Decimal  # rounded half-up to 4 places, as the workbook shows it
    score: Decimal  # rounded half-up to 2 places


def item(assessment: Assessment, code: str) -> AssessmentItem:
    return db.session.scalar(select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id,
                                                          AssessmentItem.indicator_code == code))


def ratio_actual(assessment: Assessment, code: str) -> Decimal:
    """Summed numerators over summed denominators of the days covered, each day's figure of record
    being its highest-ranked provenance."""
    best: dict = {}
    for obs in db.session.scalars(select(Observation).where(
            Observation.employee_id == assessment.employee_id, Observation.indicator_code == code,
            Observation.day >= assessment.first_day, Observation.day <= assessment.last_day)):
        if obs.day not in best or RANK[obs.provenance] > RANK[best[obs.day].provenance]:
            best[obs.day] = obs
    numerator = sum((Decimal(o.numerator) for o in best.values()), Decimal(0))
    denominator = sum((Decimal(o.denominator) for o in best.values()), Decimal(0))
    return numerator / denominator


def by_ratio(terms: AssessmentItem, actual: Decimal, *, lower_is_better: bool = False) -> Worked:
    """weight × min(a, cap); a = actual/target, or target/actual when lower is better."""
    target = Decimal(terms.target)
    if lower_is_better:
        a = Decimal(terms.cap) if actual == 0 else target / actual
    else:
        a = actual / target
    score = Decimal(terms.weight) * min(a, Decimal(terms.cap))
    return Worked(actual, _round(a, 4), _round(score, 2))


def by_deduction(terms: AssessmentItem, actual: Decimal) -> Worked:
    """Full weight at target, minus `points` for every started `step` of shortfall, never below 0."""
    target, step, points = Decimal(terms.target), Decimal(terms.method["step"]), Decimal(terms.method["points"])
    steps = 0 if actual >= target else math.ceil((target - actual) / step)
    score = max(Decimal(0), Decimal(terms.weight) - points * steps)
    return Worked(actual, _round(actual / target, 4), _round(score, 2))


def lower_is_better(code: str) -> bool:
    return db.session.scalar(select(Indicator.direction).where(Indicator.code == code)) == "lower"


def accepted_appeal(assessment: Assessment) -> Appeal | None:
    return db.session.scalar(select(Appeal).join(Report).where(Report.assessment_id == assessment.id,
                                                                Appeal.status == "accepted"))


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
