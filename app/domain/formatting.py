"""How figures, totals and the report's summary sentence are written for people (zh-CN).

Rates are stored as fractions (5 % = 0.05) and shown as percentages with at most two decimals and
no trailing zeros (0.05 → "5%", 0.042 → "4.2%", 0.0005 → "0.05%"); ratios as "2.8:1"; money with
thousands separators and the currency ("85,000 USD"); ratings as "4.5分". Rounding is half-up and
exact. A total is shown without a trailing ".0" in sentences ("88分", "84.9分").
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .exact import floor_to, plain, round_half_up
from .indicators import Display


def format_value(value: Fraction, display: Display, unit: str = "", currency: str = "") -> str:
    """One figure as people read it."""
    if display is Display.PERCENT:
        return plain(round_half_up(value * 100, 2)) + "%"
    if display is Display.RATIO:
        return plain(round_half_up(value, 2)) + ":1"
    if display is Display.MONEY:
        amount = round_half_up(value, 2)
        text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
        return f"{text} {currency}".rstrip()
    if display is Display.RATING:
        return plain(round_half_up(value, 2)) + "分"
    return plain(round_half_up(value, 2)) + unit


def format_total(total: Decimal) -> str:
    """A shown total without a trailing ".0": 88.0 → "88", 84.9 → "84.9"."""
    return plain(total)


def percent_floor(share: Fraction) -> str:
    """A share as a whole percentage rounded down ("80%"), so 99.6 % never reads as 100 %."""
    return plain(floor_to(share * 100, 0)) + "%"


def completion_label(achievement: Fraction | None) -> str:
    """The progress bar's label: "完成80%" (direction-aware a), or "暂无数据"."""
    if achievement is None:
        return "暂无数据"
    return "完成" + percent_floor(achievement)


def position_label(name_zh: str) -> str:
    """"运营" → "运营岗"; a name already ending in 岗 is kept."""
    return name_zh if name_zh.endswith("岗") else name_zh + "岗"


@dataclass(frozen=True)
class SummaryLine:
    """What the sentence needs of an item that is unmet or has no data."""

    name_zh: str
    no_data: bool
    qualitative: bool
    actual_text: str = ""
    hint_zh: str = ""

    def text(self) -> str:
        if self.no_data:
            return f"{self.name_zh}{'未评分' if self.qualitative else '无数据'}"
        hint = f"，{self.hint_zh}" if self.hint_zh else ""
        return f"{self.name_zh}未达标（{self.actual_text}）{hint}"


def summary_sentence(
    position_name_zh: str, total: Decimal, grade_label_zh: str, lines: list[SummaryLine], projected: bool = False
) -> str:
    """The seed's sentence: "运营岗总分88分，优秀；广告ROI未达标（2.8:1），需优化关键词".

    `lines` are the items to mention, in template order: unmet quantitative items and items
    without data. Qualitative ratings below full marks are not "unmet targets" and stay in the rows.
    """
    total_label = "预计总分" if projected else "总分"
    head = f"{position_label(position_name_zh)}{total_label}{format_total(total)}分，{grade_label_zh}"
    tail = "；".join(line.text() for line in lines) if lines else "各项均达标"
    return f"{head}；{tail}"
