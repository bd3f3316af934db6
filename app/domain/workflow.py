"""Rules of the monthly workflow that need no database: rating values, claimed values, the appeal
clock and the default choice of peer raters (docs/product.md "The monthly process", "People change").
"""

import hashlib
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal

from .indicators import Display, Kind
from .outcomes import EXCELLENT, FAIL, OutcomeKind

RATING_MIN, RATING_MAX = Decimal(1), Decimal(5)
RATING_PLACES = 1  # 4.5 is a rating; 4.55 is a typo

# The appeal clock, in working-day hours of the WorkCalendar (app.domain.deadlines.deadline_after):
# the manager is reminded at 20 h; HR decides from 24 h. (How long the employee has to confirm or
# appeal is a company setting, 72 h by default: app.domain.settings.)
APPEAL_REMIND_HOURS = 20
APPEAL_ESCALATE_HOURS = 24

PEER_COUNT = 2  # at least two peers rate, so the rated person only ever sees a mean of several
TEXT_LIMIT = 500


def rating_problem(value: Decimal) -> str | None:
    """Why a rating value is refused, or None."""
    if not value.is_finite() or value < RATING_MIN or value > RATING_MAX:
        return f"评分必须在{RATING_MIN}到{RATING_MAX}分之间"
    if value != value.quantize(Decimal(1).scaleb(-RATING_PLACES)):
        return "评分最多保留一位小数"
    return None


def claim_problem(kind: Kind, display: Display, value: Decimal) -> str | None:
    """Why a claimed value is refused, or None. Values are in stored units: a percent is a fraction
    (5 % is 0.05), a qualitative item's claim is a rating."""
    if not value.is_finite():
        return "请填写有效的数值"
    if kind is Kind.QUALITATIVE:
        return rating_problem(value)
    if value < 0:
        return "申诉数值不能为负数"
    if display is Display.PERCENT and value > 1:
        return "百分比请填写0到1之间的小数（如5%填0.05）"
    return None


def text_problem(text: str, label: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> str | None:
    """Why a free-text field is refused (empty when required, or too long), or None."""
    if required and not text.strip():
        return f"请填写{label}"
    if len(text) > limit:
        return f"{label}最多{limit}字"
    return None


@dataclass(frozen=True)
class Colleague:
    """A possible peer rater: same department, active."""

    employee_id: int
    position_id: int | None
    manager_id: int | None


def pick_peers(assessment_id: int, person: Colleague, colleagues: list[Colleague], excluded: set[int],
               count: int = PEER_COUNT) -> list[int]:
    """The default peers of an assessment: colleagues in the same position and under the same manager
    first, then the rest of the department; never the person or anyone in `excluded` (their managers).

    Deterministic but spread: within a tier the order is a hash of (assessment, colleague), so the
    same few people are not asked to rate everyone. Fewer than `count` candidates gives fewer.
    """
    def rank(c: Colleague) -> tuple[int, int, str]:
        digest = hashlib.sha256(f"{assessment_id}:{c.employee_id}".encode()).hexdigest()
        return (c.position_id != person.position_id, c.manager_id != person.manager_id, digest)

    eligible = [c for c in colleagues if c.employee_id != person.employee_id and c.employee_id not in excluded]
    return [c.employee_id for c in sorted(eligible, key=rank)[:count]]


def acting_manager(employee_id: int, manager_of: Mapping[int, int | None], active: AbstractSet[int]) -> int | None:
    """Who gives a person's manager ratings (docs/product.md "People change"): their nearest manager
    who has not left, walking up the reporting line; None when nobody above them is active (HR rates
    then). A line longer than the company (looping data) ends the walk."""
    seen = {employee_id}  # never the person themselves, even in looping data
    manager = manager_of.get(employee_id)
    while manager is not None and manager not in seen:
        if manager in active:
            return manager
        seen.add(manager)
        manager = manager_of.get(manager)
    return None


# What grade each outcome follows from (app.domain.outcomes.propose): a pending proposal whose
# grade an accepted appeal changed no longer applies and is withdrawn. Keyed by str because the
# stored kind is a plain string (an OutcomeKind is one, so both look up alike).
OUTCOME_GRADES: dict[str, str] = {
    OutcomeKind.PAY_RISE: EXCELLENT, OutcomeKind.TEAM_LEAD_CANDIDATE: EXCELLENT, OutcomeKind.TRAINING: FAIL,
}


def outcome_still_fits(kind: str, grade_code: str | None) -> bool:
    """Whether a proposed outcome still follows from the person's grade (none: it cannot)."""
    return grade_code is not None and OUTCOME_GRADES.get(kind) == grade_code
