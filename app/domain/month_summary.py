"""What the month's workbook and payroll file say about people, in words and sums: an item's
provenance and appeal result as HR reads them, a report's answer, and each department's headcount,
mean total and grade spread. Plain Python, so the workbook, the payroll file and the tests that check
them by hand read the same rules."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .exact import round_half_up
from .grades import GradeBands

PROVENANCE_ZH = {"verified": "已同步", "imported": "导入", "self_reported": "自报"}
RESPONSE_ZH = {"pending": "待确认", "confirmed": "已认可", "auto_confirmed": "逾期视为认可", "appealed": "已申诉"}
APPEAL_ZH = {"open": "处理中", "accepted": "通过", "rejected": "驳回"}


def provenance_label(data: Mapping[str, Any]) -> str:
    """Where an item's figure came from: "已同步 20天；自报 2天", "评分 3份", "人工确认", "无数据"."""
    source = data.get("from")
    if source == "observations":
        days = data.get("days_by_provenance") or {}
        parts = [f"{PROVENANCE_ZH.get(kind, kind)} {count}天" for kind, count in days.items() if count]
        return "；".join(parts) or "无数据"
    if source == "ratings":
        return f"评分 {data.get('ratings', 0)}份"
    if source == "actuals":  # a value set by hand: an accepted appeal's
        return "人工确认"
    return "无数据"


@dataclass(frozen=True)
class AppealLine:
    """One appeal on an item, as filed and decided."""

    status: str  # open | accepted | rejected
    claimed: str  # the value claimed, as typed
    reason: str  # the decision's reason ("" while open)


def appeal_label(appeals: Sequence[AppealLine]) -> str:
    """Every appeal on the item in filing order: "通过（申诉值 5.2）" or "驳回：数据以系统为准"."""
    words = []
    for appeal in appeals:
        text = f"{APPEAL_ZH.get(appeal.status, appeal.status)}（申诉值 {appeal.claimed}）"
        words.append(f"{text}：{appeal.reason}" if appeal.reason else text)
    return "；".join(words)


@dataclass(frozen=True)
class Graded:
    """One person's month as the summaries count it."""

    department: str
    total: Decimal
    grade_code: str


@dataclass(frozen=True)
class DepartmentLine:
    department: str
    headcount: int
    mean_total: Decimal  # half-up to one decimal
    grades: dict[str, int]  # grade code → people, every band of the month present


def by_department(people: Iterable[Graded], bands: GradeBands) -> list[DepartmentLine]:
    """Each department's headcount, mean total and people per grade, departments in the order first
    met, then the whole company as "全公司" (the workbook's and the dashboard's first table)."""
    groups: dict[str, list[Graded]] = {}
    for person in people:
        groups.setdefault(person.department, []).append(person)
    everyone = [p for group in groups.values() for p in group]
    lines = [_line(name, group, bands) for name, group in groups.items()]
    return lines + ([_line("全公司", everyone, bands)] if everyone else [])


def _line(name: str, group: list[Graded], bands: GradeBands) -> DepartmentLine:
    counts = {band.code: 0 for band in bands.bands}
    for person in group:
        counts[person.grade_code] = counts.get(person.grade_code, 0) + 1
    mean = round_half_up(sum((p.total for p in group), Decimal(0)) / len(group), 1)
    return DepartmentLine(name, len(group), mean, counts)
