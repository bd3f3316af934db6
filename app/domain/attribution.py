"""Whose a source record is, and whether its figure can be taken (docs/connectors.md).

A source names people by its own identities: an SKU (its operator), a Zendesk agent, an ERP packer.
Each identity belongs to one employee per day through effective-dated mappings, so an SKU that
changes hands mid-month is its old owner's before the day and its new owner's from it. A record
whose identity no mapping covers on its day has no owner yet: it is kept, not dropped.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .exact import number_problem

# The namespaces a source names people in (ExternalIdentity.source), as the admin reads them;
# "employee" is our own employee number, which needs no mapping.
IDENTITIES = {"amazon": "亚马逊 SKU（运营）", "amazon_design": "亚马逊 SKU（美工）", "zendesk": "Zendesk 客服",
              "erp": "ERP 打包员/盘点人",
              "qianniu": "千牛子账号", "doudian": "抖店客服账号"}
EMPLOYEE_NO = "employee"


@dataclass(frozen=True)
class Mapping:
    """`external_id` of one identity namespace is `employee_id`'s from `valid_from` to `valid_to`
    (inclusive; open-ended when None)."""

    external_id: str
    employee_id: int
    valid_from: date
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Owners:
    """The mappings of one identity namespace, asked "whose is this identity on this day?"."""

    def __init__(self, mappings: Iterable[Mapping]):
        self._by_id: dict[str, list[Mapping]] = {}
        for mapping in mappings:
            self._by_id.setdefault(mapping.external_id, []).append(mapping)

    def owner(self, external_id: str, day: date) -> int | None:
        """The employee the identity belongs to on `day`; the latest-starting mapping wins where two
        overlap (a handover entered without closing the old one)."""
        covering = [m for m in self._by_id.get(external_id, ()) if m.covers(day)]
        return max(covering, key=lambda m: m.valid_from).employee_id if covering else None


def figure_problem(numerator: Decimal, denominator: Decimal | None) -> str | None:
    """Why a source's figure is refused (in Chinese), or None: counts, money and the parts of a rate
    are finite, holdable and never negative. A refused record is counted in its run, never written."""
    for part in (numerator, denominator):
        if part is None:
            continue
        problem = number_problem(part)
        if problem:
            return problem
        if part < 0:
            return "不能为负数"
    return None
