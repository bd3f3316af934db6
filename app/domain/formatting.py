"""How figures, totals and the report's summary sentence are written for people (zh-CN).

Rates are stored as fractions (5 % = 0.05) and shown as percentages with at most two decimals and
no trailing zeros (0.05 → "5%", 0.042 → "4.2%", 0.0005 → "0.05%"); ratios as "2.8:1"; money with
thousands separators and the currency ("85,000 USD"); ratings as "4.5分", and a rated item out of its
scale as "4.5/5分". Rounding is half-up and exact. A total is shown without a trailing ".0" in
sentences ("88分", "84.9分").

A scoring method is written the way HR states it ("扣分制：每低于目标0.1%扣2分，不足0.1%按0.1%计，
扣完为止"), with its figures exact — a step or a bound is a rule, not a measurement to round.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .adjustments import AdjustmentSum
from .exact import floor_to, plain, round_half_up
from .indicators import Direction, Display
from .methods import Band, Bands, ByRatio, Deduction, Method


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


def exact_figure(value: Decimal, display: Display, unit: str = "", currency: str = "") -> str:
    """A figure of a rule (a step, a band's bound) unrounded: 0.995 → "99.5%", 10000 → "10,000 USD";
    a ratio's figure without ":1" ("每低于目标0.1扣2分")."""
    if display is Display.PERCENT:
        return plain(value * 100) + "%"
    if display is Display.MONEY:
        return f"{format(Decimal(plain(value)), ',f')} {currency}".rstrip()
    if display is Display.RATING:
        return plain(value) + "分"
    return plain(value) + ("" if display is Display.RATIO else unit)


def method_rule(method: Method, weight: Decimal, direction: Direction, display: Display, unit: str = "",
                currency: str = "") -> str:
    """A method's rule as HR words it, without the method's name (see `method_label`)."""
    if isinstance(method, ByRatio):
        return "按完成率计分"
    if isinstance(method, Deduction):
        step = exact_figure(method.step, display, unit, currency)
        side = "低" if direction is Direction.HIGHER else "高"
        return f"每{side}于目标{step}扣{plain(method.points)}分，不足{step}按{step}计，扣完为止"
    if isinstance(method, Bands):
        ordered = method.bands[::-1] if direction is Direction.HIGHER else method.bands  # the best band first
        return "，".join(_band_rule(b, direction, display, unit, currency) for b in ordered)
    return f"达标得{plain(weight)}分，未达标得0分"


def _band_rule(band: Band, direction: Direction, display: Display, unit: str, currency: str) -> str:
    """One band, with the side of each boundary it includes: "98%（含）至99.5%得20分"."""
    low = None if band.low is None else exact_figure(band.low, display, unit, currency)
    high = None if band.high is None else exact_figure(band.high, display, unit, currency)
    points = f"得{plain(band.points)}分"
    if low is None and high is None:
        return f"一律{points}"
    higher = direction is Direction.HIGHER
    if low is None:
        return f"低于{high}{points}" if higher else f"{high}及以下{points}"
    if high is None:
        return f"{low}及以上{points}" if higher else f"高于{low}{points}"
    return f"{low}（含）至{high}{points}" if higher else f"{low}至{high}（含）{points}"


def method_label(method: Method, weight: Decimal, direction: Direction, display: Display, unit: str = "",
                 currency: str = "") -> str:
    """"扣分制：每低于目标0.1%扣2分，不足0.1%按0.1%计，扣完为止" — shown on the item and in the sentence."""
    return f"{method.kind.label_zh}：{method_rule(method, weight, direction, display, unit, currency)}"


def signed(points: Decimal) -> str:
    """Points with their sign, as a sheet shows them: +3, -2, 0."""
    return ("+" if points > 0 else "") + plain(points)


def adjustments_text(total: AdjustmentSum) -> str:
    """"加减分项+3分（加分7分，超过上限按5分计；扣分2分）": the net, then each side and its limit."""
    parts = []
    if total.bonus:
        cut = f"，超过上限按{plain(total.bonus_counted)}分计" if total.bonus_limited else ""
        parts.append(f"加分{plain(total.bonus)}分{cut}")
    if total.penalty:
        cut = f"，超过上限按{plain(-total.penalty_counted)}分计" if total.penalty_limited else ""
        parts.append(f"扣分{plain(-total.penalty)}分{cut}")
    return f"加减分项{signed(total.counted)}分（{'；'.join(parts)}）"


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


def rating_label(rating: Fraction, scale: Decimal) -> str:
    """A rated item's (mean) rating out of its scale: "4/5分", "4.5/5分", "4.33/5分". A rating is a
    judgement, not a target, so it is shown as itself and never as 达标, 未达标 or 落后."""
    return f"{plain(round_half_up(rating, 2))}/{plain(scale)}分"


def position_label(name_zh: str) -> str:
    """"运营" → "运营岗"; a name already ending in 岗 is kept."""
    return name_zh if name_zh.endswith("岗") else name_zh + "岗"


@dataclass(frozen=True)
class SummaryLine:
    """What the sentence needs of an item that is unmet or has no data. An item scored by a method
    other than the ratio says how it got its points: `method_zh` is its label, `score_text` its points."""

    name_zh: str
    no_data: bool
    qualitative: bool
    actual_text: str = ""
    hint_zh: str = ""
    method_zh: str = ""
    score_text: str = ""

    def text(self) -> str:
        if self.no_data:
            return f"{self.name_zh}{'未评分' if self.qualitative else '无数据'}"
        hint = f"，{self.hint_zh}" if self.hint_zh else ""
        if self.method_zh:
            name, _, rule = self.method_zh.partition("：")
            how = f"，按{name}得{self.score_text}分：{rule}"
            return f"{self.name_zh}未达标（{self.actual_text}{how}）{hint}"
        return f"{self.name_zh}未达标（{self.actual_text}）{hint}"


def summary_sentence(
    position_name_zh: str, total: Decimal, grade_label_zh: str, lines: list[SummaryLine], projected: bool = False,
    veto_zh: str = "", adjustments_zh: str = "",
) -> str:
    """The seed's sentence: "运营岗总分88分，优秀；广告ROI未达标（2.8:1），需优化关键词".

    `lines` are the items to mention, in template order: unmet items and items without data. A rated
    item is never unmet (a rating below full marks is not a missed target): its row shows "4/5分".
    A veto is named beside the grade it set ("不合格（一票否决：重大客诉）"); HR's adjustments close the
    sentence, since the total already includes them.
    """
    total_label = "预计总分" if projected else "总分"
    grade = f"{grade_label_zh}（{veto_zh}）" if veto_zh else grade_label_zh
    head = f"{position_label(position_name_zh)}{total_label}{format_total(total)}分，{grade}"
    tail = "；".join(line.text() for line in lines) if lines else "各项均达标"
    return f"{head}；{tail}" + (f"；{adjustments_zh}" if adjustments_zh else "")
