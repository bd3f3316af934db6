"""The text of recurring news to managers: progress digests, the Monday digest, alert summaries.

One composer per digest kind, lines in and text out, the same text for every channel (docs/product.md
"What people see"): WeCom and OA customer-service messages carry it verbatim, template and
subscribe messages carry the short `summary` and open the mini-program's team view. Lines are
numbered so the manager can answer "点评 1 内容"; `numbered` tells the service which news each
number stands for, so the bot can resolve a reply against what the manager actually saw.

A chat message is limited (WeCom text: 2,048 bytes), so a digest that would not fit keeps the lines
that need attention first and says how many were left out; shown lines keep their input order.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from .exact import Actual
from .formatting import format_total, format_value
from .indicators import Display, Indicator, Kind
from .scoring import ScoringItem, achievement

REPLY_HINT = "回复“点评 1 内容”点评，“待办”查看待处理"
MAX_TEXT_BYTES = 2000  # WeCom text messages take at most 2,048 bytes
WARNING_MARK = "⚠"


@dataclass(frozen=True)
class Member:
    """A person in the manager's team as a digest names them: 张三（运营）."""

    name: str
    role: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}（{self.role}）" if self.role else self.name


@dataclass(frozen=True)
class MissedTarget:
    """A day's figure that missed its target: 新品转化率 4.2%（目标5%）."""

    name_zh: str
    value: Fraction
    target: Fraction
    display: Display
    unit: str = ""
    currency: str = ""

    def text(self) -> str:
        shown = format_value(self.value, self.display, self.unit, self.currency)
        goal = format_value(self.target, self.display, self.unit, self.currency)
        return f"{self.name_zh} {shown}（目标{goal}）"


@dataclass(frozen=True)
class ProgressNews:
    """One progress entry: the figures of its day that missed target, screenshots, fresh alerts."""

    member: Member
    day: date
    missed: tuple[MissedTarget, ...] = ()
    checked: int = 0  # how many of the day's figures were compared with a target
    screenshots: int = 0
    warnings: tuple[str, ...] = ()
    ref: Any = None
    figure_not_seen: bool = False  # OCR found none of the day's claimed figures on its screenshots

    @property
    def needs_attention(self) -> bool:
        return bool(self.missed or self.warnings or self.figure_not_seen)

    def text(self) -> str:
        if self.missed:
            body = "，".join(f.text() for f in self.missed)
        else:
            body = "各项达标" if self.checked else "已提交进展"
        shots = f"，截图{self.screenshots}张" if self.screenshots else ""
        shots += "（截图未见填报数字）" if self.figure_not_seen else ""
        return _with_warnings(f"{self.member.label}{_day(self.day)}：{body}{shots}", self.warnings)


@dataclass(frozen=True)
class WeekNews:
    """One team member's last week: submissions on working days, projected score, and `behind`: the
    items whose target is not met so far (never a rated item: a rating is not a target)."""

    member: Member
    submitted: int
    working_days: int
    total: Decimal | None = None
    grade_zh: str = ""
    behind: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    ref: Any = None

    @property
    def needs_attention(self) -> bool:
        return bool(self.behind or self.warnings or self.submitted < self.working_days)

    def text(self) -> str:
        parts = [f"提交{self.submitted}/{self.working_days}天"]
        if self.total is not None:
            parts.append(f"预计{format_total(self.total)}分（{self.grade_zh}）")
        if self.behind:
            parts.append("未达标：" + "、".join(self.behind))
        return _with_warnings(f"{self.member.label}{'，'.join(parts)}", self.warnings)


@dataclass(frozen=True)
class AlertNews:
    """One alert (预警) as raised; `member` is None for alerts about no single person (a batch)."""

    member: Member | None
    message: str
    ref: Any = None
    needs_attention: bool = True

    def text(self) -> str:
        return f"{self.member.label}{self.message}" if self.member else self.message


class News(Protocol):
    """What a digest needs of one entry (ProgressNews, WeekNews, AlertNews): its line, whether it
    needs attention (kept first when space runs out) and the service's `ref` behind its number."""

    @property
    def ref(self) -> Any: ...

    @property
    def needs_attention(self) -> bool: ...

    def text(self) -> str: ...


@dataclass(frozen=True)
class Composed:
    """A digest ready to send: `numbered` pairs each shown number with its news' `ref`."""

    title: str
    text: str
    summary: str
    numbered: tuple[tuple[int, Any], ...] = field(default_factory=tuple)
    omitted: int = 0


def day_figure(indicator: Indicator, item: ScoringItem, actual: Actual | None) -> tuple[bool, MissedTarget | None]:
    """(compared, missed figure) for one item on one day.

    Only quantitative, non-cumulative items are compared: a day's sales against the month's target
    means nothing (the pace marker judges those). A missed figure is direction-aware (a < 1).
    """
    if indicator.kind is not Kind.QUANTITATIVE or item.cumulative or actual is None or actual.den == 0:
        return False, None
    if achievement(item, actual) >= 1:
        return True, None
    return True, MissedTarget(
        indicator.name_zh, actual.fraction(), Fraction(item.target), indicator.display, indicator.unit
    )


def progress_digest(at: datetime, news: Sequence[ProgressNews]) -> Composed:
    """【团队进展】11月12日 18:00, one numbered line per progress entry."""
    head = f"【团队进展】{_day(at)} {at:%H:%M}"
    attention = sum(1 for n in news if n.needs_attention)
    summary = f"{len(news)}条进展" + (f"，{attention}条需关注" if attention else "")
    return _compose("团队进展", head, news, summary)


def weekly_digest(first: date, last: date, news: Sequence[WeekNews]) -> Composed:
    """【上周反馈】11月16日–11月22日, one numbered line per team member (the Monday digest)."""
    head = f"【上周反馈】{_day(first)}–{_day(last)}"
    attention = sum(1 for n in news if n.needs_attention)
    summary = f"{len(news)}人上周反馈" + (f"，{attention}人需关注" if attention else "")
    return _compose("上周反馈", head, news, summary)


def alert_summary(at: datetime, news: Sequence[AlertNews]) -> Composed:
    """【预警汇总】11月12日 09:30, one numbered line per alert."""
    return _compose("预警汇总", f"【预警汇总】{_day(at)} {at:%H:%M}", news, f"{len(news)}条预警")


def _compose(title: str, head: str, news: Sequence[News], summary: str, budget: int = MAX_TEXT_BYTES) -> Composed:
    shown = _fit(head, news, budget)
    lines, numbered = [head], []
    for number, index in enumerate(shown, start=1):
        lines.append(f"{number}. {news[index].text()}")
        numbered.append((number, news[index].ref))
    omitted = len(news) - len(shown)
    if omitted:
        lines.append(_omitted_note(omitted))
    lines.append(REPLY_HINT)
    return Composed(title, "\n".join(lines), summary, tuple(numbered), omitted)


def _fit(head: str, news: Sequence[News], budget: int) -> list[int]:
    """Indexes of the news that fit in `budget` bytes, attention first, returned in input order.

    Numbers take at most as many digits as the count of news, so the estimate is safe.
    """
    width = len(str(len(news))) + 2  # "12. "
    used = _bytes(head) + _bytes(REPLY_HINT) + 1
    if len(news) > 0:
        used += _bytes(_omitted_note(len(news))) + 1  # keep room for the note in case it is needed
    order = sorted(range(len(news)), key=lambda i: (not news[i].needs_attention, i))
    chosen = []
    for index in order:
        cost = width + _bytes(news[index].text()) + 1
        if used + cost > budget:
            continue
        used += cost
        chosen.append(index)
    if len(chosen) == len(news):
        return list(range(len(news)))
    return sorted(chosen)


def _omitted_note(count: int) -> str:
    return f"……另有{count}条未列出，请在小程序「团队」查看"


def _with_warnings(text: str, warnings: tuple[str, ...]) -> str:
    """"…（目标90%）⚠ 连续3天低于目标" as in the sketch; a space after other characters."""
    if not warnings:
        return text
    gap = "" if text.endswith("）") else " "
    return f"{text}{gap}{WARNING_MARK} {'；'.join(warnings)}"


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))
