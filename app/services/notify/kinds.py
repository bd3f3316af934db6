"""Our message kinds and the WeChat templates that carry them when no chat channel can.

WeCom and OA customer-service messages carry a message's full text; subscribe messages (the
mini-program) and OA template messages carry only typed fields of a template registered with
WeChat, so each kind maps to a template id per channel and a builder for its fields. Field values
are checked against WeChat's rules by app.wechat.subscribe when sent (never truncated silently
except free `thing` text, which is cut on purpose here).

Templates are WeChat's, per deployment: `WECHAT_MP_TEMPLATES` / `WECHAT_OA_TEMPLATES` name, per
kind, the template id and which of its field keys carries each of our facts, since every template
in WeChat's library has its own keys: "report_published=AbC title:thing1 total:number2
grade:phrase3 time:time4,reminder=XyZ title:thing2 summary:thing5 time:time1". The keys are checked
when the process starts: every fact of the kind once, each in a key of a type that can hold it.
Outside production a kind not named there keeps the development template the stand-in accepts
(and may omit the keys); in production it has no template on that channel, so the outbox routes it
another way or records it unreachable (never a send with a made-up id).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from string import Formatter
from typing import Any

from app.services.usecase import JsonDict
from app.wechat.subscribe import field_type, format_time, truncate_thing
from config import ConfigError

EMPLOYEE, MANAGER = "employee", "manager"


@dataclass(frozen=True)
class FieldInput:
    """What a field builder may use: the message's title, short summary, data, and local time."""

    title: str
    summary: str
    data: JsonDict
    at: datetime  # local time in the business zone


# Each fact a template can carry, its name on the console, and the WeChat field types that hold it
# (an official account's older templates also take untyped keys: first, keyword1 …, remark).
FACTS = {"title": ("事项", ("thing",)), "summary": ("内容", ("thing",)), "time": ("时间", ("time", "date")),
         "total": ("总分", ("number", "character_string", "thing")), "grade": ("等级", ("phrase", "thing"))}
OLD_OA_KEY = re.compile(r"first|remark|keyword\d+")


def generic_facts(message: FieldInput) -> dict[str, Any]:
    """事项 / 内容 / 时间: what most of our templates carry."""
    return {"title": message.title, "summary": message.summary or message.title, "time": message.at}


def report_facts(message: FieldInput) -> dict[str, Any]:
    """考核结果: the month, total and grade (a 优秀/良好/合格/不合格 phrase), and when."""
    return {"title": message.title, "total": message.data.get("total", "0"),
            "grade": message.data.get("grade", "待定"), "time": message.at}


GENERIC_KEYS = {"title": "thing1", "summary": "thing2", "time": "time3"}
REPORT_KEYS = {"title": "thing1", "total": "number2", "grade": "phrase3", "time": "time4"}


@dataclass(frozen=True)
class Template:
    """A template registered with WeChat: its id and the field key of each fact it carries."""

    id: str
    keys: Mapping[str, str]  # fact → field key

    def fields(self, facts: Mapping[str, Any]) -> dict[str, str]:
        """The message's facts under this template's keys, free text cut to WeChat's 20 characters."""
        return {key: _shown(key, facts[fact]) for fact, key in self.keys.items()}


def _shown(key: str, value: Any) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    return truncate_thing(str(value)) if field_type(key) == "thing" else str(value)


@dataclass(frozen=True)
class MessageKind:
    code: str
    name_zh: str
    audience: str
    mp_template: str | None  # subscribe message (mini-program): the development id
    oa_template: str | None  # template message (official account): the development id
    # The mini-program page a tap opens, naming the message's object from its data
    # ("pages/report/index?id={report_id}"); alternatives in order, the first the data fills wins.
    # None: the message opens nothing (HR's and the admins' work is in the console, replies are chat).
    pages: tuple[str, ...] | None
    facts: Callable[[FieldInput], dict[str, Any]] = generic_facts
    dev_keys: Mapping[str, str] = field(default_factory=lambda: GENERIC_KEYS)  # the stand-in's templates

    def template_for(self, channel: str) -> str | None:
        return {"mp": self.mp_template, "oa": self.oa_template}.get(channel)

    def page_for(self, data: Mapping[str, Any]) -> str | None:
        """The link for a message with this data; data that names no object of a linked kind is a
        programming error, raised at enqueue time rather than sent as a link to nothing."""
        if self.pages is None:
            return None
        for page in self.pages:
            names = [name for _, name, _, _ in Formatter().parse(page) if name]
            if all(data.get(name) is not None for name in names):
                return page.format_map(data)
        raise ValueError(f"a {self.code} message needs data for one of {self.pages}, got {sorted(data)}")


_KINDS = (
    MessageKind("target_push", "目标下达", EMPLOYEE, "dev-tpl-target", "dev-oa-target",
                ("pages/targets/index?id={assessment_id}",)),
    MessageKind("report_published", "考核结果", EMPLOYEE, "dev-tpl-report", "dev-oa-report",
                ("pages/report/index?id={report_id}",), report_facts, REPORT_KEYS),
    MessageKind("appeal_result", "申诉结果", EMPLOYEE, "dev-tpl-appeal-result", "dev-oa-appeal-result",
                ("pages/report/index?id={report_id}",)),
    MessageKind("reminder", "提醒", EMPLOYEE, "dev-tpl-reminder", "dev-oa-reminder", ("pages/submit/index",)),
    MessageKind("sheet_line", "考核加减分", EMPLOYEE, "dev-tpl-sheet-line", "dev-oa-sheet-line",
                ("pages/home/index?id={assessment_id}",)),
    MessageKind("comment", "收到点评", EMPLOYEE, "dev-tpl-comment", "dev-oa-comment",
                ("pages/comments/index?entry={progress_entry_id}", "pages/comments/index?assessment={assessment_id}")),
    MessageKind("alert", "预警", EMPLOYEE, "dev-tpl-alert", "dev-oa-alert", ("pages/home/index",)),
    MessageKind("digest", "团队进展", MANAGER, "dev-tpl-digest", "dev-oa-digest", ("pages/team/index",)),
    MessageKind("appeal_to_decide", "待处理申诉", MANAGER, "dev-tpl-appeal-todo", "dev-oa-appeal-todo",
                ("pages/appeal/index?id={appeal_id}",)),
    MessageKind("correction_to_decide", "待审批数据更正", MANAGER, "dev-tpl-correction-todo", "dev-oa-correction-todo",
                ("pages/correction/index?id={correction_request_id}",)),
    MessageKind("correction_result", "数据更正结果", EMPLOYEE, "dev-tpl-correction-result", "dev-oa-correction-result",
                ("pages/correction/index?id={correction_request_id}",)),
    # A self-report more than 5 % off the synced figure, once per item and day, to the person and to
    # their manager (app/services/scoring/mismatches.py).
    MessageKind("data_mismatch", "数据不一致", EMPLOYEE, "dev-tpl-mismatch", "dev-oa-mismatch",
                ("pages/home/index",)),
    MessageKind("data_mismatch_team", "团队数据不一致", MANAGER, "dev-tpl-mismatch-team", "dev-oa-mismatch-team",
                ("pages/team/index",)),
    # A screenshot WeChat's content check found risky: hidden, and its owner told why.
    MessageKind("screenshot_hidden", "截图已隐藏", EMPLOYEE, "dev-tpl-screenshot", "dev-oa-screenshot",
                ("pages/home/index?id={assessment_id}", "pages/home/index")),
    # To the admins: background jobs that failed for good (app/services/notify/job_failures.py).
    MessageKind("job_failed", "后台任务失败", MANAGER, "dev-tpl-job-failed", "dev-oa-job-failed", None),
    # To HR, once a week: a year of the work calendar is unconfirmed (app/services/org/calendar_years.py).
    MessageKind("calendar_unconfirmed", "工作日历待确认", MANAGER, "dev-tpl-calendar", "dev-oa-calendar", None),
    # To HR, once per month's close that proposed outcomes (app/services/cycle/outcomes.py).
    MessageKind("outcomes_to_decide", "待审批结果运用", MANAGER, "dev-tpl-outcomes", "dev-oa-outcomes", None),
    # To HR: an approved outcome a re-published grade no longer supports (app/services/cycle/outcomes.py).
    MessageKind("outcome_stale", "结果运用待复核", MANAGER, "dev-tpl-outcome-stale", "dev-oa-outcome-stale",
                None),
    # To HR, each working day while last month's close waits (app/services/feedback/close_todo.py).
    MessageKind("close_todo", "结算待办", MANAGER, "dev-tpl-close-todo", "dev-oa-close-todo", None),
    # To HR, once a month is scored and waits in review for 发布 (app/services/cycle/review.py).
    MessageKind("month_to_review", "考核待发布", MANAGER, "dev-tpl-month-review", "dev-oa-month-review",
                None),
    # To a manager whose rating HR sent back during the review, each working day until rated again.
    MessageKind("rating_returned", "评分被退回", MANAGER, "dev-tpl-rating-returned", "dev-oa-rating-returned",
                ("pages/ratings/index?item={assessment_item_id}",)),
    # To HR: a 绩效系数 changed after the month's payroll export (app/reporting/payroll.py).
    MessageKind("payroll_changed", "薪资数据变化", MANAGER, "dev-tpl-payroll-changed", "dev-oa-payroll-changed", None),
    # A chat answer: only a chat channel (WeCom, OA customer service) can carry it.
    MessageKind("reply", "回复", EMPLOYEE, None, None, None),
)
KINDS = {kind.code: kind for kind in _KINDS}


def kind(code: str) -> MessageKind:
    """The registered kind; an unknown code is a programming error, raised at enqueue time."""
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown message kind {code!r}") from None


TEMPLATE_SETTINGS = {"mp": "WECHAT_MP_TEMPLATES", "oa": "WECHAT_OA_TEMPLATES"}


def deployment_templates(config: Mapping[str, Any]) -> dict[str, dict[str, Template]]:
    """Channel → kind → template as configured; a malformed entry, an unknown kind or fact, or a
    key that cannot hold its fact is refused (ConfigError, so the process does not start)."""
    production = config.get("ENV_NAME") == "production"
    return {channel: _parse_templates(channel, setting, str(config.get(setting) or ""), production)
            for channel, setting in TEMPLATE_SETTINGS.items()}


@lru_cache(maxsize=16)
def _parse_templates(channel: str, setting: str, value: str, production: bool) -> dict[str, Template]:
    """Parsed once per setting value: every message the outbox routes asks again."""
    templates = {}
    carried = sorted(k for k in KINDS if KINDS[k].template_for(channel))
    for entry in filter(None, (part.strip() for part in value.split(","))):
        code, _, rest = (piece.strip() for piece in entry.partition("="))
        template_id, *pairs = rest.split() or [""]
        if code not in carried or not template_id or template_id.startswith("dev-"):
            raise ConfigError(f"{setting}: {entry!r} is not kind=template_id for one of {', '.join(carried)}")
        if not pairs and not production:
            templates[code] = Template(template_id, KINDS[code].dev_keys)
            continue
        templates[code] = Template(template_id, _keys(setting, channel, KINDS[code], pairs))
    return templates


def _keys(setting: str, channel: str, spec: "MessageKind", pairs: list[str]) -> dict[str, str]:
    """`fact:key` pairs: every fact of the kind exactly once, each key able to hold its fact."""
    wanted = " ".join(f"{fact}:<key>" for fact in spec.dev_keys)
    keys = dict(pair.partition(":")[::2] for pair in pairs)
    if len(keys) != len(pairs) or set(keys) != set(spec.dev_keys) or len(set(keys.values())) != len(keys):
        raise ConfigError(f"{setting}: {spec.code} needs its template's field key for each of its facts, "
                          f"each once: {spec.code}=<template_id> {wanted}")
    for fact, key in keys.items():
        types = FACTS[fact][1]
        if field_type(key) not in types and not (channel == "oa" and OLD_OA_KEY.fullmatch(key)):
            raise ConfigError(f"{setting}: {spec.code} {fact}:{key} — {fact} goes in a key of type "
                              f"{' or '.join(types)} (such as {types[0]}1)")
    return keys


def template(code: str, channel: str, config: Mapping[str, Any]) -> Template | None:
    """This deployment's template for the kind on the channel (see the module docstring)."""
    spec = kind(code)
    if not spec.template_for(channel):
        return None
    configured = deployment_templates(config)[channel].get(code)
    if configured is not None or config.get("ENV_NAME") == "production":
        return configured
    return Template(spec.template_for(channel) or "", spec.dev_keys)


def for_deployment(code: str, config: Mapping[str, Any]) -> MessageKind:
    """The kind with this deployment's template ids."""
    mp, oa = (template(code, channel, config) for channel in ("mp", "oa"))
    return replace(kind(code), mp_template=mp.id if mp else None, oa_template=oa.id if oa else None)


def missing_templates(config: Mapping[str, Any]) -> dict[str, list[str]]:
    """Channel → kinds that channel could carry but this deployment names no template for."""
    configured = deployment_templates(config)
    missing = {channel: [code for code in KINDS
                         if KINDS[code].template_for(channel) and code not in configured[channel]]
               for channel in TEMPLATE_SETTINGS}
    return {channel: kinds for channel, kinds in missing.items() if kinds}


def subscribe_templates(config: Mapping[str, Any]) -> dict[str, str]:
    """Kind → subscribe template id: what the mini-program asks the person to accept (≤ 3 per tap)."""
    specs = (for_deployment(code, config) for code in KINDS)
    return {spec.code: spec.mp_template for spec in specs if spec.mp_template}
