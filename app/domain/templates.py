"""KPI templates (考核模板) and their validation.

A template is refused as a whole, with every problem named in Chinese by the item it concerns, so HR
can fix it in one pass; `fields` carries the same sentences keyed by item for a form to place.
Each item has a scoring method (methods.py); the ratio is the default, and its cap and floor are the
ratio's parameters — a floor on an item scored another way would be a rule nobody applies.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .errors import TemplateInvalid
from .exact import plain
from .indicators import IndicatorLibrary, Kind
from .methods import RATIO, ByRatio, Method, method_problems

DEFAULT_CAP = Decimal("1.2")
RATING_SCALE = Decimal(5)
HUNDRED = Decimal(100)


def rating_scale(target: Decimal) -> Decimal:
    """The highest rating a qualitative item takes: 5, or its target when HR set full marks higher.
    Ratings are checked against it, and a rated item is shown out of it ("4/5分")."""
    return max(target, RATING_SCALE)


class Rater(StrEnum):
    """Who rates a qualitative item."""

    MANAGER = "manager"
    CUSTOMER = "customer"
    PEER = "peer"

    @property
    def label_zh(self) -> str:
        return {"manager": "主管", "customer": "客户", "peer": "同事"}[self.value]


@dataclass(frozen=True)
class TemplateItem:
    """One indicator of a template. For a qualitative item `target` is the rating worth full marks
    (the scale, 5 by default), so `a = rating / target` like every other higher-better item.
    `method` says how the figure becomes points; every method keeps the target, which decides 达标."""

    indicator_code: str
    weight: Decimal
    target: Decimal
    cap: Decimal = DEFAULT_CAP
    floor: Decimal | None = None
    rater: Rater | None = None
    method: Method = RATIO


@dataclass(frozen=True)
class KpiTemplate:
    """The indicators of a position. `editable=False` would lock a template HR must not change."""

    position_code: str
    position_name_zh: str
    currency: str
    items: tuple[TemplateItem, ...]
    editable: bool = True

    def item(self, indicator_code: str) -> TemplateItem | None:
        """The item for an indicator, if the template has it."""
        return next((i for i in self.items if i.indicator_code == indicator_code), None)


_CURRENCY = re.compile(r"^[A-Z]{3}$")


def validate_template(template: KpiTemplate, library: IndicatorLibrary) -> None:
    """Refuse a template that breaks a rule; raise TemplateInvalid listing every problem."""
    fields: dict[str, str] = {}
    if not _CURRENCY.match(template.currency or ""):
        fields["currency"] = f"币种必须是三位大写字母代码（如USD），当前为「{template.currency}」"
    if not template.items:
        fields["items"] = "考核模板至少需要一个考核项"
    seen: set[str] = set()
    for index, item in enumerate(template.items):
        problems = _item_problems(item, library, seen)
        if problems:
            fields[f"items[{index}]"] = "；".join(problems)
        seen.add(item.indicator_code)
    total = sum((item.weight for item in template.items), Decimal(0))
    if template.items and total != HUNDRED:
        fields["weights"] = f"各考核项权重合计必须等于100，当前合计为{plain(total)}"
    if fields:
        raise TemplateInvalid(
            f"考核模板「{template.position_name_zh}」不合规：" + "；".join(fields.values()), fields
        )


def _item_problems(item: TemplateItem, library: IndicatorLibrary, seen: set[str]) -> list[str]:
    """Why one item is wrong, each sentence naming it."""
    indicator = library.get(item.indicator_code)
    if indicator is None:
        return [f"考核项「{item.indicator_code}」的指标不在指标库中"]
    name = f"考核项「{indicator.name_zh}」"
    problems = []
    if item.indicator_code in seen:
        problems.append(f"{name}重复出现")
    if not indicator.scored:
        problems.append(f"{name}是监控指标，不能计入考核")
    if not item.weight > 0:
        problems.append(f"{name}的权重必须大于0，当前为{plain(item.weight)}")
    if not item.target > 0:
        problems.append(f"{name}的目标值必须大于0，当前为{plain(item.target)}")
    if not item.cap >= 1:
        problems.append(f"{name}的封顶系数不能小于1，当前为{plain(item.cap)}")
    if item.floor is not None and not 0 <= item.floor < item.cap:
        problems.append(
            f"{name}的门槛系数必须不小于0且小于封顶系数（门槛{plain(item.floor)}，封顶{plain(item.cap)}）"
        )
    problems.extend(_rater_problems(item, indicator.kind, name))
    if not isinstance(item.method, ByRatio) and item.floor is not None:
        problems.append(f"{name}按{item.method.kind.label_zh}计分，门槛系数只适用于比例计分")
    problems.extend(method_problems(item.method, item.weight, name))
    return problems


def _rater_problems(item: TemplateItem, kind: Kind, name: str) -> list[str]:
    """A rated item needs its rater; a measured one has none."""
    if kind is Kind.QUALITATIVE and item.rater is None:
        return [f"{name}是定性指标，必须指定评分人（主管、客户或同事）"]
    if kind is Kind.QUANTITATIVE and item.rater is not None:
        return [f"{name}是定量指标，不设评分人"]
    return []
