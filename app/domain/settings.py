"""Company settings (公司设置): the rules of the game HR may change, with their defaults and checks.

Each setting has a key, a Chinese label, a default, and one parser that reads both what HR types
(the CLI now, the console later) and the stored JSON value, so a value that was accepted once can
always be read back. A month keeps the settings it opened with: the services freeze
`CompanySettings.stored()` on the cycle when it opens, and every rule of that month reads the
frozen copy (docs/kpi-rules.md "Settings").
"""

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import time
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .adjustments import AdjustmentLimit
from .deadlines import is_quiet
from .errors import DomainError, GradeBandsInvalid
from .exact import plain
from .grades import DEFAULT_BANDS, GradeBand, GradeBands
from .outcomes import EXCELLENT, FAIL

EARLIEST_REMINDER = time(12, 0)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class SettingInvalid(DomainError):
    """A value HR typed that the setting does not accept (422, stable code `setting_invalid`)."""

    def __init__(self, key: str, message: str):
        super().__init__("setting_invalid", message, {key: message})


@dataclass(frozen=True)
class Setting:
    """One setting: how it is named, written (`hint_zh`) and read (`parse`), and its default."""

    key: str
    label_zh: str
    hint_zh: str
    default: Any  # the stored (JSON) form
    parse: Callable[[str, Any], Any]  # (key, typed text or stored JSON) → the value the rules use
    dump: Callable[[Any], Any]  # the value → its stored (JSON) form


def _whole(low: int, high: int) -> Callable[[str, Any], int]:
    def parse(key: str, raw: Any) -> int:
        text = str(raw).strip()
        if isinstance(raw, bool) or not text.isascii() or not text.isdecimal() or not low <= int(text) <= high:
            raise SettingInvalid(key, f"{REGISTRY[key].label_zh}必须是{low}到{high}之间的整数")
        return int(text)
    return parse


def _clock_time(key: str, raw: Any) -> time:
    match = _TIME.match(str(raw).strip())
    if match is None:
        raise SettingInvalid(key, f"{REGISTRY[key].label_zh}的格式应为“时:分”，如 10:00")
    return time(int(match[1]), int(match[2]))


def _quiet_hours(key: str, raw: Any) -> tuple[time, time]:
    parts = re.split(r"\s*[-–~至]\s*", str(raw).strip())
    if len(parts) != 2:
        raise SettingInvalid(key, "免打扰时段的格式应为“开始-结束”，如 21:00-08:00（开始等于结束表示不设免打扰）")
    return _clock_time(key, parts[0]), _clock_time(key, parts[1])


def _hhmm(value: time) -> str:
    return f"{value:%H:%M}"


def _bands(key: str, raw: Any) -> GradeBands:
    """Bands typed as JSON text or stored as a list: [{code, label_zh, min_total, coefficient}, …],
    highest first; the last band has no minimum (min_total null)."""
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
        bands = GradeBands(tuple(_band(entry) for entry in entries))
    except GradeBandsInvalid as exc:
        raise SettingInvalid(key, exc.message) from None
    except (ValueError, TypeError, KeyError, InvalidOperation):
        raise SettingInvalid(key, "等级设置应为 JSON 列表：[{\"code\", \"label_zh\", \"min_total\", "
                                  "\"coefficient\"}, …]，从高到低，最后一个等级的 min_total 为 null") from None
    codes = [band.code for band in bands.bands]
    if codes[0] != EXCELLENT or codes[-1] != FAIL or len(codes) < 3:
        raise SettingInvalid(key, f"至少设三个等级，最高等级代码须为 {EXCELLENT}、最低等级须为 {FAIL}"
                                  "（加薪、组长候选和培训建议按它们提出）")
    return bands


def _band(entry: Mapping[str, Any]) -> GradeBand:
    minimum = entry["min_total"]
    label = str(entry["label_zh"]).strip()
    if not label:
        raise ValueError("a band needs a label")
    return GradeBand(str(entry["code"]), label, None if minimum is None else Decimal(str(minimum)),
                     Decimal(str(entry["coefficient"])))


def _limit(key: str, raw: Any) -> AdjustmentLimit:
    """"5/5": bonuses count up to 5 points and penalties down to −5 (each 0–100)."""
    parts = str(raw).strip().split("/")
    try:
        bonus, penalty = (Decimal(part.strip()) for part in parts) if len(parts) == 2 else (None, None)
    except InvalidOperation:
        bonus = penalty = None
    if bonus is None or penalty is None or not all(v.is_finite() and 0 <= v <= 100 for v in (bonus, penalty)):
        raise SettingInvalid(key, "加减分上限的格式应为“加分上限/扣分上限”，如 5/5，各在0到100分之间")
    return AdjustmentLimit(bonus, penalty)


def _share(key: str, raw: Any) -> Fraction:
    """"5%" (or "5"): how far short of the pace still counts as on pace, 0–50 %."""
    text = str(raw).strip().removesuffix("%").strip()
    try:
        percent = Decimal(text)
    except InvalidOperation:
        percent = Decimal(-1)
    if not percent.is_finite() or not 0 <= percent <= 50:
        raise SettingInvalid(key, f"{REGISTRY[key].label_zh}应为0%到50%之间的百分比，如 5%")
    return Fraction(percent) / 100


def _dump_bands(bands: GradeBands) -> list[dict[str, Any]]:
    return [{"code": b.code, "label_zh": b.label_zh, "min_total": None if b.min_total is None else plain(b.min_total),
             "coefficient": plain(b.coefficient)} for b in bands.bands]


REGISTRY: dict[str, Setting] = {s.key: s for s in (
    Setting("grade_bands", "等级与绩效系数", "JSON 列表，从高到低；最后一个等级不设最低分",
            _dump_bands(DEFAULT_BANDS), _bands, _dump_bands),
    Setting("adjustment_limit", "加减分上限", "加分上限/扣分上限，如 5/5", "5/5", _limit,
            lambda v: f"{plain(v.bonus)}/{plain(v.penalty)}"),
    Setting("pace_tolerance", "进度容差", "累计指标落后进度多少以内仍算正常，如 5%", "5%", _share,
            lambda v: plain(Decimal(v.numerator) / v.denominator * 100) + "%"),
    Setting("quiet_hours", "免打扰时段", "开始-结束，如 21:00-08:00", "21:00-08:00", _quiet_hours,
            lambda v: f"{_hhmm(v[0])}-{_hhmm(v[1])}"),
    Setting("scoring_day", "评分日", "次月第几日开始评分（2–15）", 3, _whole(2, 15), int),
    Setting("edit_until", "进展修改时限", "次日几点前可直接修改当天进展，如 10:00", "10:00", _clock_time, _hhmm),
    Setting("appeal_window_hours", "申诉期（工作日小时）", "报告发布后多少个工作日小时内可确认或申诉（24–240）", 72,
            _whole(24, 240), int),
    Setting("reminder_at", "未提交提醒时间", "工作日几点提醒未提交进展的员工，如 18:00", "18:00", _clock_time, _hhmm),
    Setting("draft_day", "草拟日", "上月第几日草拟下月考核目标（15–28）", 25, _whole(15, 28), int),
    Setting("publish_after_days", "自动发布（工作日）",
            "评分完成后过多少个工作日仍未发布就自动发布；0 表示只由人事发布（0–20）", 0, _whole(0, 20), int),
    Setting("retention_months", "数据保留期（月）", "离职员工数据保留多少个月（1–120）", 24, _whole(1, 120), int),
    Setting("payroll_cutoff_day", "薪资数据截止日", "次月第几日把绩效系数交给薪资核算（1–28）", 10, _whole(1, 28), int),
)}


@dataclass(frozen=True)
class CompanySettings:
    """Every setting's value, as one month's rules read them."""

    grade_bands: GradeBands
    adjustment_limit: AdjustmentLimit
    pace_tolerance: Fraction
    quiet_hours: tuple[time, time]
    scoring_day: int
    edit_until: time
    appeal_window_hours: int
    reminder_at: time
    draft_day: int
    publish_after_days: int
    retention_months: int
    payroll_cutoff_day: int

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> "CompanySettings":
        """Values from their stored form; a key never set (or unknown to this version) takes its default."""
        return cls(**{key: s.parse(key, stored.get(key, s.default)) for key, s in REGISTRY.items()})

    def stored(self) -> dict[str, Any]:
        """The JSON form that is frozen on a month and read back by `from_stored`."""
        return {key: s.dump(getattr(self, key)) for key, s in REGISTRY.items()}

    def changed(self, key: str, raw: Any) -> "CompanySettings":
        """These settings with `key` set to what HR typed, checked alone and together with the others."""
        if key not in REGISTRY:
            raise DomainError("unknown_setting", f"没有名为「{key}」的设置", {key: "未知设置"}, status=404)
        updated = replace(self, **{key: REGISTRY[key].parse(key, raw)})
        updated.check()
        return updated

    def check(self) -> None:
        """Rules between settings: the evening reminder must be a time a message may be sent, late
        enough in the day to remind of that day's progress."""
        if self.reminder_at < EARLIEST_REMINDER:
            raise SettingInvalid("reminder_at", f"未提交提醒时间不能早于{_hhmm(EARLIEST_REMINDER)}："
                                                "提醒的是当天还没提交的进展")
        if is_quiet(self.reminder_at, self.quiet_hours):
            raise SettingInvalid("reminder_at", f"提醒时间{_hhmm(self.reminder_at)}落在免打扰时段"
                                                f"{REGISTRY['quiet_hours'].dump(self.quiet_hours)}内，提醒发不出去")

    def shown(self, key: str) -> str:
        """A setting's value as HR reads it in a listing."""
        value = REGISTRY[key].dump(getattr(self, key))
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    @property
    def appeal_window_zh(self) -> str:
        """"3天" for 72 hours, "36小时" otherwise: how the appeal window reads in messages."""
        hours = self.appeal_window_hours
        return f"{hours // 24}天" if hours % 24 == 0 else f"{hours}小时"


DEFAULTS = CompanySettings.from_stored({})
