"""When a target may change: HR adjusts a quantitative item's target while the month is a draft or
open, never once it is being scored; a rated item's "target" is the rating scale and stays."""

from decimal import Decimal

from .cycles import CycleStatus
from .errors import Conflict, DomainError
from .indicators import Kind

AMENDABLE = (CycleStatus.DRAFT, CycleStatus.OPEN)


def check_amendable(status: CycleStatus, kind: Kind) -> None:
    """Refuse a change to an item's target that the month's state or the item's kind rules out."""
    if status not in AMENDABLE:
        raise Conflict("targets_frozen", "本月考核已进入评分，目标不能再调整")
    if kind is not Kind.QUANTITATIVE:
        raise DomainError("target_not_amendable", "评分项的目标是评分满分，不能调整", {"assessment_item_id": "评分项"})


def check_new_target(current: Decimal, new: Decimal) -> None:
    """Refuse a new target that is not a positive change."""
    if not new.is_finite() or new <= 0:
        raise DomainError("invalid_input", "目标必须大于0", {"new_target": "必须大于0"})
    if new == current:
        raise DomainError("target_unchanged", "新目标与当前目标相同", {"new_target": "与当前目标相同"})
