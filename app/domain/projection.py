"""The projected score (预计得分) shown while the month runs.

It uses this month's figures so far. A cumulative item (sales) is extrapolated to the month's end at
its pace through the last day its figures cover, in its pace basis — sales of 40,000 after 9 of 18
working days project to 80,000 — because
scoring month-to-date sales against the whole month's target would call everyone 不合格 until the
last week. A qualitative item nobody has rated yet uses last month's rating, labelled 参考上月.
Each item says which basis it used, so the screen can label it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from .adjustments import NO_LINES, SheetLines
from .exact import EXACT, Actual
from .grades import DEFAULT_BANDS, GradeBands
from .progress import Pace
from .scoring import AssessmentScore, ScoringItem, score_assessment


class Basis(StrEnum):
    ACTUAL = "actual"
    EXTRAPOLATED = "extrapolated"
    LAST_MONTH = "last_month"
    NO_DATA = "no_data"

    @property
    def label_zh(self) -> str:
        return {"actual": "本月数据", "extrapolated": "按进度推算", "last_month": "参考上月", "no_data": "无数据"}[
            self.value
        ]


@dataclass(frozen=True)
class ProjectedActual:
    actual: Actual | None
    basis: Basis


@dataclass(frozen=True)
class Projection:
    score: AssessmentScore
    items: dict[str, ProjectedActual]


def projected_actuals(
    items: Sequence[ScoringItem],
    so_far: Mapping[str, Actual | None],
    last_month: Mapping[str, Actual | None] | None = None,
    paces: Mapping[str, Pace] | None = None,
) -> dict[str, ProjectedActual]:
    """The figure each item would be scored on, and where it came from."""
    last_month, paces = last_month or {}, paces or {}
    projected = {}
    for item in items:
        actual, pace = so_far.get(item.code), paces.get(item.code)
        if actual is None and item.qualitative and last_month.get(item.code) is not None:
            projected[item.code] = ProjectedActual(last_month[item.code], Basis.LAST_MONTH)
        elif actual is None:
            projected[item.code] = ProjectedActual(None, Basis.NO_DATA)
        elif item.cumulative and pace is not None and 0 < pace.elapsed < pace.total:
            with localcontext(EXACT):
                scaled = Actual(actual.num * pace.total, actual.den * Decimal(pace.elapsed))
            projected[item.code] = ProjectedActual(scaled, Basis.EXTRAPOLATED)
        else:
            projected[item.code] = ProjectedActual(actual, Basis.ACTUAL)
    return projected


def project(
    items: Sequence[ScoringItem],
    so_far: Mapping[str, Actual | None],
    last_month: Mapping[str, Actual | None] | None = None,
    paces: Mapping[str, Pace] | None = None,
    bands: GradeBands = DEFAULT_BANDS,
    lines: SheetLines = NO_LINES,
) -> Projection:
    """Score the projected figures with the same rules as the month's close (HR's lines included)."""
    projected = projected_actuals(items, so_far, last_month, paces)
    score = score_assessment(items, {code: p.actual for code, p in projected.items()}, bands, lines)
    return Projection(score, projected)
