"""What grades lead to (结果运用), each only a proposal until HR approves it.

优秀 → a 10 % pay-rise recommendation, at most one per person per quarter (a rejected one does not
count); 优秀 three months running → candidate for team lead (组长), once per streak (the month it reaches
three) and never for someone who already leads people; 不合格 → training for the position.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .workcalendar import previous_month

EXCELLENT, FAIL = "excellent", "fail"
RAISE_PERCENT = 10
STREAK_FOR_LEAD = 3


class OutcomeKind(StrEnum):
    PAY_RISE = "pay_rise"
    TEAM_LEAD_CANDIDATE = "team_lead_candidate"
    TRAINING = "training"

    @property
    def label_zh(self) -> str:
        return {"pay_rise": "加薪建议", "team_lead_candidate": "组长候选", "training": "培训安排"}[self.value]


@dataclass(frozen=True)
class GradeOfMonth:
    """A person's grade for one month ("2026-10"), combined over their assessments."""

    month: str
    grade_code: str


@dataclass(frozen=True)
class Proposal:
    kind: OutcomeKind
    reason_zh: str


def quarter_of(month: str) -> tuple[int, int]:
    year, mon = (int(part) for part in month.split("-"))
    return year, (mon - 1) // 3 + 1


def propose(history: Sequence[GradeOfMonth], position_zh: str, raises_this_quarter: int, *,
            leads_already: bool = False) -> list[Proposal]:
    """Proposals for the last month of `history` (oldest first), given how many pay rises are
    already pending or approved for the person in that month's quarter and whether they already
    lead people (direct reports, or a department head's position): then they are no 组长 candidate."""
    current = history[-1]
    label = _month_label(current.month)
    proposals = []
    if current.grade_code == EXCELLENT and raises_this_quarter == 0:
        proposals.append(Proposal(OutcomeKind.PAY_RISE, f"{label}考核优秀，建议加薪{RAISE_PERCENT}%"))
    if _excellent_streak(history) == STREAK_FOR_LEAD and not leads_already:  # once: the month it reaches three
        reason = f"截至{label}连续{STREAK_FOR_LEAD}个月考核优秀，列为组长候选"
        proposals.append(Proposal(OutcomeKind.TEAM_LEAD_CANDIDATE, reason))
    if current.grade_code == FAIL:
        proposals.append(Proposal(OutcomeKind.TRAINING, f"{label}考核不合格，安排「{position_zh}」岗位培训"))
    return proposals


def _excellent_streak(history: Sequence[GradeOfMonth]) -> int:
    """How many consecutive calendar months, ending with the last, were 优秀."""
    streak, expected = 0, None
    for grade in reversed(history):
        if grade.grade_code != EXCELLENT or (expected is not None and grade.month != expected):
            break
        streak += 1
        expected = _previous_month(grade.month)
    return streak


def _previous_month(month: str) -> str:
    year, mon = previous_month(*(int(part) for part in month.split("-")))
    return f"{year}-{mon:02d}"


def _month_label(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"
