"""The indicator library (指标库): what can be measured, how a month is aggregated, which way is better.

An Indicator is reference data shared by many templates; a template item only adds weight, target,
cap and floor. Keeping direction, aggregation and display here means a template cannot contradict
the nature of what it measures (a mis-shipment rate is lower-better everywhere).
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .errors import LibraryInvalid


class Kind(StrEnum):
    """Quantitative indicators are measured; qualitative ones are rated by people."""

    QUANTITATIVE = "quantitative"
    QUALITATIVE = "qualitative"

    @property
    def label_zh(self) -> str:
        return {"quantitative": "定量", "qualitative": "定性"}[self.value]


class Direction(StrEnum):
    """Whether more of the figure is better (sales) or less (mis-shipments)."""

    HIGHER = "higher"
    LOWER = "lower"


class Aggregation(StrEnum):
    """How a month's actual is built from daily figures of record."""

    SUM = "sum"  # sales: the days add up
    RATIO = "ratio"  # rates: summed numerators over summed denominators, never a mean of daily rates
    LATEST = "latest"  # stock accuracy from the month's last stock-take
    MEAN_RATING = "mean_rating"  # qualitative: the mean of the month's ratings


class Provenance(StrEnum):
    """Where a figure came from; the highest present for a day is the figure of record."""

    VERIFIED = "verified"
    IMPORTED = "imported"
    SELF_REPORTED = "self_reported"

    @property
    def rank(self) -> int:
        return _PROVENANCE_RANK[self]

    @property
    def label_zh(self) -> str:
        return {"verified": "已同步", "imported": "已导入", "self_reported": "自报"}[self.value]


_PROVENANCE_RANK = {"verified": 3, "imported": 2, "self_reported": 1}


class Display(StrEnum):
    """How a value is written for people (see formatting.py). Rates are stored as fractions."""

    PERCENT = "percent"  # 0.05 → "5%"
    RATIO = "ratio"  # 2.8 → "2.8:1"
    MONEY = "money"  # 85000 → "85,000 USD"
    NUMBER = "number"  # 2.5 + unit "轮" → "2.5轮"
    RATING = "rating"  # 4.5 → "4.5分"


SELF_REPORT = "self_report"  # the source of figures the person types in


class Money(StrEnum):
    """Which parts of an observation are amounts of money, converted to the template's currency."""

    NONE = "none"
    NUMERATOR = "numerator"  # sales
    BOTH = "both"  # ad ROI: ad sales / ad spend


class PaceBasis(StrEnum):
    """Which days a cumulative figure accrues on, for its pace, projection and pro-rated target:
    a shop sells every calendar day; the warehouse dispatches on the person's working days."""

    CALENDAR = "calendar"
    WORKING = "working"


@dataclass(frozen=True)
class Indicator:
    """One entry of the indicator library. `scored=False` marks a monitoring indicator (alerts only)."""

    code: str
    name_zh: str
    kind: Kind
    direction: Direction
    aggregation: Aggregation
    display: Display
    unit: str = ""
    cumulative: bool = False
    source: str = SELF_REPORT
    hint_zh: str = ""
    money: Money = Money.NONE
    scored: bool = True
    definition_zh: str = ""
    pace_basis: PaceBasis = PaceBasis.WORKING

    @property
    def synced(self) -> bool:
        """Whether a quantitative indicator's figures come from a source system (so they arrive after
        the day they describe), rather than from the person."""
        return self.kind is Kind.QUANTITATIVE and self.source != SELF_REPORT


def check_indicator(indicator: Indicator) -> list[str]:
    """The contradictions in one definition, as Chinese sentences (empty when consistent)."""
    name = f"指标「{indicator.name_zh}」"
    problems = []
    if indicator.kind is Kind.QUALITATIVE:
        if indicator.aggregation is not Aggregation.MEAN_RATING or indicator.direction is not Direction.HIGHER:
            problems.append(f"{name}是定性指标，必须按评分均值汇总且越高越好")
    if indicator.cumulative and indicator.aggregation is not Aggregation.SUM:
        problems.append(f"{name}是累计指标，必须按日累加汇总")
    if indicator.display is Display.MONEY and indicator.money is Money.NONE:
        problems.append(f"{name}以金额显示，必须声明金额部分")
    if indicator.money is Money.BOTH and indicator.aggregation is not Aggregation.RATIO:
        problems.append(f"{name}的分子分母都是金额，必须按比值汇总")
    return problems


class IndicatorLibrary(Mapping[str, Indicator]):
    """The indicators by code; checked on construction so every holder can trust it."""

    def __init__(self, indicators: Iterable[Indicator]):
        self._by_code: dict[str, Indicator] = {}
        problems = []
        for indicator in indicators:
            if indicator.code in self._by_code:
                problems.append(f"指标代码「{indicator.code}」重复")
            problems.extend(check_indicator(indicator))
            self._by_code[indicator.code] = indicator
        if problems:
            raise LibraryInvalid("；".join(problems), {"indicators": problems})

    def __getitem__(self, code: str) -> Indicator:
        return self._by_code[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def extended(self, indicators: Iterable[Indicator]) -> "IndicatorLibrary":
        """A new library with more (or redefined) indicators, e.g. a score file's own."""
        merged = dict(self._by_code)
        merged.update((i.code, i) for i in indicators)
        return IndicatorLibrary(merged.values())
