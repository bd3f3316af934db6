"""WeChat's rules for subscribe-message (and new OA template) fields, checked before we send.

WeChat answers a bad field with 47003 and the message is lost (docs/wechat.md §8), so every field is
checked here first and a `FieldRuleViolation` names each bad field. Nothing is ever truncated
silently: numbers, dates and codes must not change meaning; for free text (`thing`) callers may
choose `truncate_thing` explicitly.

A field's type is the letters of its key: `thing1`, `number2`, `character_string3`, `phrase4` …
"""

import re
from datetime import date, datetime
from decimal import Decimal

from app.wechat.errors import FieldRuleViolation

THING_MAX = 20
_KEY = re.compile(r"([a-z_]+?)(\d+)")
_HAN = r"\u4e00-\u9fff"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_DAY = r"\d{4}年\d{1,2}月\d{1,2}日"
_TIME_POINT = rf"(?:{_DAY} ?)?{_CLOCK}"
_DATE_POINT = rf"{_DAY}(?: ?{_CLOCK})?"


def _ranged(point: str) -> re.Pattern:
    """Times and dates may be a range: two points joined by "~" (WeChat's own example)."""
    return re.compile(rf"{point}(?: ?~ ?{point})?")


def _max(limit: int, pattern: str | None = None, what: str = ""):
    """A rule: at most `limit` characters, matching `pattern` when given."""
    compiled = re.compile(pattern) if pattern else None

    def check(value: str) -> str | None:
        if len(value) > limit:
            return f"不能超过 {limit} 个字符（现有 {len(value)} 个）"
        if compiled is not None and not compiled.fullmatch(value):
            return what
        return None

    return check


def _pattern(pattern: re.Pattern, what: str):
    def check(value: str) -> str | None:
        return None if pattern.fullmatch(value) else what

    return check


def _amount(value: str) -> str | None:
    match = re.fullmatch(r"[¥￥$€£]?(\d+(?:\.\d+)?)元?", value)
    if not match:
        return "须为金额：可带一个币种符号，数字可带小数，结尾可带“元”"
    digits = match.group(1).replace(".", "")
    return None if len(digits) <= 10 else "金额不能超过 10 位数字"


def _name(value: str) -> str | None:
    if re.fullmatch(rf"[{_HAN}·]{{1,10}}", value) or re.fullmatch(r"[A-Za-z .·'\-]{1,20}", value):
        return None
    return "须为 10 个以内汉字，或 20 个以内字母"


RULES = {
    "thing": _max(THING_MAX),
    "number": _max(32, r"\d+(?:\.\d+)?", "只能是数字，可带小数"),
    "letter": _max(32, r"[A-Za-z]+", "只能是字母"),
    "symbol": _max(5, r"[^\w\s]+", "只能是符号"),
    "character_string": _max(32, r"[\x21-\x7e]+", "只能是数字、字母或符号"),
    "time": _pattern(_ranged(_TIME_POINT), "须为 24 小时制时间，如 15:01 或 2019年10月1日 15:01"),
    "date": _pattern(_ranged(_DATE_POINT), "须为日期，如 2019年10月1日（可带时间）"),
    "amount": _amount,
    "phone_number": _max(17, r"[\d+\-() ]+", "只能是数字和符号"),
    "car_number": _max(8, rf"[{_HAN}]?[A-Za-z0-9]+[{_HAN}]?", "须为车牌号"),
    "name": _name,
    "phrase": _max(5, rf"[{_HAN}]+", "只能是 5 个以内汉字"),
}


def field_type(key: str) -> str | None:
    """`character_string12` → `character_string`; None when the key has no typed shape."""
    match = _KEY.fullmatch(key)
    return match.group(1) if match else None


def check_field(key: str, value) -> str | None:
    """The reason (zh-CN) a field would be refused, or None when WeChat will take it."""
    kind = field_type(key)
    text = _text(value)
    if kind == "enum":
        return None if text else "不能为空"
    if kind not in RULES:
        return "未知的字段类型，无法确认微信是否接受"
    if not text:
        return "不能为空"
    return RULES[kind](text)


def build_data(fields: dict, allow_untyped: bool = False) -> dict:
    """`{"thing1": "…"}` → `{"thing1": {"value": "…"}}`, or `FieldRuleViolation` naming every bad field.

    `allow_untyped` is for official-account templates, whose older keys (`keyword1`, `first`) have
    no type in their name and are passed through unchecked.
    """
    if not fields:
        raise FieldRuleViolation({"data": "至少需要一个字段"})
    problems = {}
    for key, value in fields.items():
        if allow_untyped and field_type(key) not in RULES and field_type(key) != "enum":
            continue
        reason = check_field(key, value)
        if reason:
            problems[key] = reason
    if problems:
        raise FieldRuleViolation(problems)
    return {key: {"value": _text(value)} for key, value in fields.items()}


def truncate_thing(text: str, limit: int = THING_MAX) -> str:
    """Shorten free text for a `thing` field on purpose, marking the cut with "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_date(day: date) -> str:
    """A `date` value in the form WeChat documents: 2019年10月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def format_time(moment: datetime) -> str:
    """A `time` value with its day: 2019年10月1日 15:01."""
    return f"{format_date(moment)} {moment:%H:%M}"


def _text(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
