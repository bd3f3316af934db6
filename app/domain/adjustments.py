"""What HR adds to an assessment beyond its items: 加减分项 and 一票否决.

- An adjustment (加减分项) is a line of bonus (positive) or penalty (negative) points with the reason
  and who gave it. Lines come from different people at different times, so they are not refused
  when they add up to more than the company allows: the bonuses count up to `limit.bonus` and the
  penalties down to `-limit.penalty`, and the report says when a limit cut them. A limit must be
  stated whenever there are lines, so nobody's total moves by an amount nobody agreed to.
- The total is the items' scores plus the counted adjustments, rounded half-up to one decimal like
  any total. It may exceed 100 (items may already earn up to their cap; the bonus limit bounds the
  rest) and is never below 0.
- A veto (一票否决) is a named event — a serious customer complaint — recorded with evidence and by
  whom. It sets the grade to the lowest band (不合格) whatever the total; the total is still shown.

`SheetLines` checks itself on construction, like GradeBands, so every holder can trust it.
"""

from dataclasses import dataclass
from decimal import Decimal

from .errors import DataInvalid
from .exact import ZERO, number_problem


@dataclass(frozen=True)
class Adjustment:
    """One 加减分项 line: +3 for covering a colleague's shift, −2 for a missed stock-take."""

    points: Decimal
    reason: str
    given_by: str


@dataclass(frozen=True)
class AdjustmentLimit:
    """The most bonuses may add and penalties may take away (both ≥ 0): "加减分各不超过5分"."""

    bonus: Decimal
    penalty: Decimal


@dataclass(frozen=True)
class Veto:
    """一票否决: the event, its evidence and who recorded it."""

    name: str
    evidence: str
    recorded_by: str
    code: str = ""

    @property
    def label_zh(self) -> str:
        return f"一票否决：{self.name}"


@dataclass(frozen=True)
class SheetLines:
    """The adjustments (with their limit) and the veto of one assessment; none by default."""

    adjustments: tuple[Adjustment, ...] = ()
    limit: AdjustmentLimit | None = None
    veto: Veto | None = None

    def __post_init__(self) -> None:
        fields = _problems(self)
        if fields:
            raise DataInvalid("加减分项或一票否决有误：" + "；".join(fields.values()), fields)


@dataclass(frozen=True)
class AdjustmentSum:
    """The lines added up: given (`bonus` ≥ 0, `penalty` ≤ 0), counted within the limit, and the net."""

    bonus: Decimal
    penalty: Decimal
    bonus_counted: Decimal
    penalty_counted: Decimal

    @property
    def counted(self) -> Decimal:
        return self.bonus_counted + self.penalty_counted

    @property
    def bonus_limited(self) -> bool:
        return self.bonus_counted != self.bonus

    @property
    def penalty_limited(self) -> bool:
        return self.penalty_counted != self.penalty


def adjustment_sum(lines: SheetLines) -> AdjustmentSum | None:
    """The adjustments within their limit, or None when there are none. Exact: decimals only add."""
    if not lines.adjustments or lines.limit is None:
        return None
    bonus = sum((a.points for a in lines.adjustments if a.points > 0), ZERO)
    penalty = sum((a.points for a in lines.adjustments if a.points < 0), ZERO)
    return AdjustmentSum(bonus, penalty, min(bonus, lines.limit.bonus), max(penalty, -lines.limit.penalty))


def _problems(lines: SheetLines) -> dict[str, str]:
    """Every problem, keyed by the field it concerns."""
    fields: dict[str, str] = {}
    for index, line in enumerate(lines.adjustments):
        problem = _line_problem(line)
        if problem:
            fields[f"adjustments[{index}]"] = f"第{index + 1}条加减分项{problem}"
    if lines.adjustments and lines.limit is None:
        fields["adjustment_limit"] = "有加减分项时必须说明加分和扣分的上限"
    if lines.limit is not None:
        for side, value in (("bonus", lines.limit.bonus), ("penalty", lines.limit.penalty)):
            problem = number_problem(value) or ("" if value >= 0 else "不能为负数")
            if problem:
                fields[f"adjustment_limit.{side}"] = f"{'加分' if side == 'bonus' else '扣分'}上限{problem}"
    if lines.veto is not None:
        for key in ("name", "evidence", "recorded_by"):
            if not getattr(lines.veto, key).strip():
                fields[f"veto.{key}"] = f"一票否决必须写明{_VETO_FIELDS[key]}"
    return fields


_VETO_FIELDS = {"name": "事项名称", "evidence": "证据", "recorded_by": "记录人"}


def _line_problem(line: Adjustment) -> str:
    problem = number_problem(line.points)
    if problem:
        return f"的分值{problem}"
    if line.points == 0:
        return "的分值不能为0"
    if not line.reason.strip():
        return "必须写明理由"
    if not line.given_by.strip():
        return "必须写明给分人"
    return ""


NO_LINES = SheetLines()  # after the checks it runs on construction
