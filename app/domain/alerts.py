"""Alerts (预警): rules as data, and what they find in plain figures (docs/product.md "Alerts").

- streak: a person's daily figure of record beyond a threshold on N consecutive working days, told
  in the seed's words: "王芳连续3天响应时间超过30秒（…）" (N days are N of the person's working days;
  the rule's optional `subject_zh` names the figure, else the indicator's name). Only the person's
  own working days count: rest days, holidays, leave and days before joining or after leaving
  neither count nor break a streak. A working day without a figure (or with denominator 0) breaks
  it: nothing measured, nothing shown to be slow.
- batch_rate: a warehouse batch whose mis-shipment rate (wrong / shipped) is above a threshold.
- pace: a cumulative item behind its pace by more than a share, after a day of the month (a nudge).
- missing_progress: the evening reminder belongs to the clock and outbox; parsed, not evaluated.

A finding's fingerprint names the facts, never the evaluation: rule + person + first day of the
streak (a streak growing to 4 or 5 days is the same alert; a new streak after a good day is new),
rule + source + batch, rule + assessment + item + ISO week (the nudge repeats at most weekly while
the person stays behind). The database keeps fingerprints unique.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any, NoReturn

from .codec import JsonDict
from .errors import DomainError
from .exact import round_half_up
from .formatting import format_value
from .indicators import Display, Indicator
from .observations import DayFigure
from .progress import ItemProgress
from .workcalendar import WorkCalendar, days_between

MESSAGE_LIMIT = 500  # Alert.message
LISTED = 10  # orders, packers or days named in a message; the evidence keeps them all
EMPLOYEE, MANAGER = "employee", "manager"


class AlertRuleInvalid(DomainError):
    """A rule whose parameters cannot be evaluated (unknown kind, missing threshold …)."""

    def __init__(self, message_zh: str, fields: JsonDict):
        super().__init__("alert_rule_invalid", message_zh, fields)


class RuleKind(StrEnum):
    STREAK = "streak"
    BATCH_RATE = "batch_rate"
    PACE = "pace"
    MISSING_PROGRESS = "missing_progress"


class Comparison(StrEnum):
    ABOVE = "above"
    BELOW = "below"

    def breached(self, value: Fraction, threshold: Fraction) -> bool:
        """Strictly beyond: a reply time of exactly 30 s is not "above 30 s"."""
        return value > threshold if self is Comparison.ABOVE else value < threshold

    @property
    def label_zh(self) -> str:
        return "超过" if self is Comparison.ABOVE else "低于"


@dataclass(frozen=True)
class Rule:
    """One rule as the domain evaluates it; only the fields of its kind matter."""

    code: str
    name_zh: str
    kind: RuleKind
    indicator_code: str | None = None
    comparison: Comparison = Comparison.ABOVE
    threshold: Decimal = Decimal(0)
    days: int = 0  # streak length
    subject_zh: str | None = None  # streak: what the message calls the figure (default: the indicator's name)
    after_day: int = 0  # pace: nudges only after this day of the month
    notify: tuple[str, ...] = (EMPLOYEE, MANAGER)


_DEFAULT_NOTIFY = {RuleKind.STREAK: (EMPLOYEE, MANAGER), RuleKind.BATCH_RATE: (MANAGER,),
                   RuleKind.PACE: (EMPLOYEE,), RuleKind.MISSING_PROGRESS: (EMPLOYEE,)}


Refuse = Callable[[str, str], NoReturn]  # (problem, parameter) → AlertRuleInvalid naming the rule


def parse_rule(code: str, name_zh: str, kind: str, indicator_code: str | None, params: Mapping[str, Any]) -> Rule:
    """A stored rule (an AlertRule row or an entry of the shipped defaults), checked.

    `params` is the rule's parsed JSON parameters."""
    def refuse(text: str, key: str) -> NoReturn:
        raise AlertRuleInvalid(f"预警规则「{name_zh}」{text}", {key: params.get(key, kind)})

    if kind not in set(RuleKind):
        refuse(f"的类型{kind!r}无法识别", "kind")
    kind = RuleKind(kind)
    notify = params.get("notify", _DEFAULT_NOTIFY[kind])
    if not isinstance(notify, (list, tuple)) or not notify or any(n not in (EMPLOYEE, MANAGER) for n in notify):
        refuse("的通知对象只能是employee或manager", "notify")
    rule = Rule(code, name_zh, kind, indicator_code, notify=tuple(notify))
    if kind is RuleKind.STREAK:
        if not indicator_code:
            refuse("需要指定指标", "indicator_code")
        if params.get("comparison", "above") not in set(Comparison):
            refuse("的比较方式只能是above或below", "comparison")
        subject = params.get("subject_zh")
        if subject is not None and not (isinstance(subject, str) and 0 < len(subject.strip()) <= 20):
            refuse("的subject_zh必须是1到20个字的文字", "subject_zh")
        return replace(rule, comparison=Comparison(params.get("comparison", "above")),
                       threshold=_decimal(params, "threshold", refuse), days=_int(params, "days", refuse, 2, 31),
                       subject_zh=subject.strip() if subject else None)
    if kind is RuleKind.BATCH_RATE:
        rule = replace(rule, threshold=_decimal(params, "threshold", refuse))
        if not 0 <= rule.threshold < 1:
            refuse("的错发率阈值必须在0到1之间", "threshold")
    if kind is RuleKind.PACE:
        rule = replace(rule, threshold=_decimal(params, "behind_share", refuse),
                       after_day=_int(params, "after_day", refuse, 0, 30))
        if not 0 < rule.threshold < 1:
            refuse("的落后比例必须在0到1之间", "behind_share")
    return rule


def _decimal(params: Mapping[str, Any], key: str, refuse: Refuse) -> Decimal:
    try:
        value = Decimal(str(params[key]))
    except (KeyError, InvalidOperation):
        value = None
    if value is None or not value.is_finite():
        refuse(f"缺少有效的{key}", key)
    return value


def _int(params: Mapping[str, Any], key: str, refuse: Refuse, low: int, high: int) -> int:
    value = params.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        refuse(f"的{key}必须是{low}到{high}之间的整数", key)
    return value


@dataclass(frozen=True)
class Person:
    """Whose days are judged, with the calendar that says which of their days count."""

    employee_id: int
    name: str
    calendar: WorkCalendar
    leave: frozenset[date] = frozenset()
    joined_on: date | None = None
    left_on: date | None = None

    def works_on(self, day: date) -> bool:
        """A day that counts: a working day of theirs, not on leave, while employed."""
        if (self.joined_on and day < self.joined_on) or (self.left_on and day > self.left_on):
            return False
        return self.calendar.is_working_day(day, self.leave)


@dataclass(frozen=True)
class Finding:
    """An alert to raise: who it is about (None for a batch), its text and its evidence (JSON-ready)."""

    rule_code: str
    fingerprint: str
    employee_id: int | None
    message: str
    evidence: JsonDict = field(default_factory=dict)


# -- streaks -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StreakScan:
    """`open_start`: a streak reaches the window's first counted day; look further back for its start."""

    findings: tuple[Finding, ...]
    open_start: bool = False


def scan_streaks(rule: Rule, indicator: Indicator, person: Person, figures: Iterable[DayFigure],
                 window: tuple[date, date], alerted_days: frozenset[date] = frozenset(),
                 complete: bool = False) -> StreakScan:
    """The streaks of `person` within `window` that reach `rule.days` counted days.

    `figures` are the person's figures of record. A streak sharing a day with an earlier alert of
    this rule (`alerted_days`) is that alert's streak, e.g. after a late figure extended it
    backwards, and is not raised again. `complete` says the window starts at the person's history.
    """
    by_day = {f.day: f for f in figures}
    threshold = Fraction(rule.threshold)
    runs: list[list[DayFigure]] = [[]]
    first_counted = None
    for day in days_between(*window):
        if not person.works_on(day):
            continue  # rest day, holiday, leave, not yet employed: neither counts nor breaks
        first_counted = first_counted or day
        figure = by_day.get(day)
        value = figure.value if figure else None
        if figure is not None and value is not None and rule.comparison.breached(value.fraction(), threshold):
            runs[-1].append(figure)
        elif runs[-1]:
            runs.append([])
    earlier_possible = not complete and (person.joined_on is None or person.joined_on < window[0])
    findings, open_start = [], False
    for run in runs:
        if len(run) < rule.days or alerted_days.intersection(f.day for f in run):
            continue
        if run[0].day == first_counted and earlier_possible:
            open_start = True
            continue
        findings.append(_streak_finding(rule, indicator, person, run[: rule.days]))
    return StreakScan(tuple(findings), open_start)


def _streak_finding(rule: Rule, indicator: Indicator, person: Person, days: Sequence[DayFigure]) -> Finding:
    def shown(value: Fraction) -> str:
        return format_value(value, indicator.display, indicator.unit)

    listed = "、".join(f"{month_day(f.day)} {shown(_measured(f))}" for f in days[:LISTED])
    more = f"等{len(days)}天" if len(days) > LISTED else ""
    message = (f"{person.name}连续{rule.days}天{rule.subject_zh or indicator.name_zh}{rule.comparison.label_zh}"
               f"{shown(Fraction(rule.threshold))}（{listed}{more}）")
    evidence = {
        "kind": rule.kind.value, "indicator": indicator.code, "comparison": rule.comparison.value,
        "threshold": str(rule.threshold), "first_day": days[0].day.isoformat(),
        "days": [{"day": f.day.isoformat(), "value": str(round_half_up(_measured(f), 4)),
                  "numerator": str(f.num), "denominator": None if f.den is None else str(f.den),
                  "provenance": f.provenance.value} for f in days],
    }
    return Finding(rule.code, f"{rule.code}:{person.employee_id}:{days[0].day.isoformat()}", person.employee_id,
                   _clip(message), evidence)


def _measured(figure: DayFigure) -> Fraction:
    """A streak day's value: scan_streaks puts only days with a value (denominator not 0) in a run."""
    value = figure.value
    assert value is not None, "a streak day always has a value"
    return value.fraction()


# -- batches -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Packed:
    """One shipped order of a batch and who packed it (`packer_id` None: code not mapped yet)."""

    order_no: str
    packer_code: str
    wrong: bool = False
    packer_id: int | None = None
    packer_name: str | None = None

    @property
    def packer_label(self) -> str:
        return f"{self.packer_name}（{self.packer_code}）" if self.packer_name else f"{self.packer_code}（未匹配员工）"


def batch_finding(rule: Rule, source: str, batch_no: str, shipped: Sequence[Packed]) -> Finding | None:
    """The batch's alert when wrong / shipped is above the threshold (exactly at it does not fire)."""
    wrong = [s for s in shipped if s.wrong]
    rate = Fraction(len(wrong), len(shipped)) if shipped else Fraction(0)
    if rate <= Fraction(rule.threshold):
        return None
    packers = list({s.packer_label: s for s in wrong}.values())
    orders = _listed([s.order_no for s in wrong], "单")
    names = _listed([s.packer_label for s in packers], "人")
    percent = format_value(Fraction(rule.threshold), Display.PERCENT)
    message = (f"批次{batch_no}错发率{format_value(rate, Display.PERCENT)}（超过{percent}）："
               f"订单{orders}；打包人：{names}")
    evidence = {
        "kind": rule.kind.value, "source": source, "batch_no": batch_no, "shipped": len(shipped),
        "wrong": len(wrong), "rate": str(round_half_up(rate, 6)), "threshold": str(rule.threshold),
        "orders": [{"order_no": s.order_no, "packer_code": s.packer_code, "packer_id": s.packer_id} for s in wrong],
        "packers": [{"employee_id": s.packer_id, "code": s.packer_code, "name": s.packer_name} for s in packers],
    }
    return Finding(rule.code, f"{rule.code}:{source}:{batch_no}", None, _clip(message), evidence)


# -- pace --------------------------------------------------------------------------------------

def pace_findings(rule: Rule, person: Person, assessment_id: int, day: date,
                  progress: Mapping[str, ItemProgress], names: Mapping[str, str]) -> list[Finding]:
    """Nudges for cumulative items behind their pace by more than the rule's share on `day`.

    Only after `rule.after_day` of the month (early in the month a few days' noise is no news) and
    only on a day the person works; at most one nudge per item and ISO week.
    """
    if day.day <= rule.after_day or not person.works_on(day):
        return []
    share, (year, week, _), found = Fraction(rule.threshold), day.isocalendar(), []
    for code, bar in progress.items():
        if (rule.indicator_code and code != rule.indicator_code) or not bar.behind_pace_by_more_than(share):
            continue
        achieved, expected = bar.achievement, bar.pace
        assert achieved is not None and expected is not None, "an item behind its pace has both"
        message = (f"{person.name}的{names.get(code, code)}落后进度超过{format_value(share, Display.PERCENT)}："
                   f"{bar.label_zh}，{bar.pace_label_zh}")
        evidence = {"kind": rule.kind.value, "assessment_id": assessment_id, "indicator": code,
                    "as_of": day.isoformat(), "achievement": str(round_half_up(achieved, 4)),
                    "pace": str(round_half_up(expected, 4)), "behind_share": str(rule.threshold)}
        found.append(Finding(rule.code, f"{rule.code}:{assessment_id}:{code}:{year}W{week:02d}",
                             person.employee_id, _clip(message), evidence))
    return found


def month_day(day: date) -> str:
    """11月24日."""
    return f"{day.month}月{day.day}日"


def _listed(items: Sequence[str], measure: str) -> str:
    shown = "、".join(items[:LISTED])
    return f"{shown}等{len(items)}{measure}" if len(items) > LISTED else shown


def _clip(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"
