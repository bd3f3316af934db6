"""The monthly cycle's state machine: draft → open → scoring → review → published → final.

Only these forward moves exist. A scored month waits in review (待发布) until HR publishes it (or
the company's auto-publish setting does): nobody but HR sees its scores before that. A restated
figure or an accepted appeal publishes a new report version inside `published`; nothing ever
moves a cycle backwards, so what people were shown stays explainable.
"""

from enum import StrEnum

from .errors import Conflict


class CycleStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    SCORING = "scoring"
    REVIEW = "review"
    PUBLISHED = "published"
    FINAL = "final"

    @property
    def label_zh(self) -> str:
        return _LABELS[self.value]


_LABELS = {"draft": "草稿", "open": "进行中", "scoring": "评分中", "review": "待发布", "published": "已发布",
           "final": "已归档"}

_NEXT = {
    CycleStatus.DRAFT: CycleStatus.OPEN,
    CycleStatus.OPEN: CycleStatus.SCORING,
    CycleStatus.SCORING: CycleStatus.REVIEW,
    CycleStatus.REVIEW: CycleStatus.PUBLISHED,
    CycleStatus.PUBLISHED: CycleStatus.FINAL,
}


class IllegalTransition(Conflict):
    """A cycle asked to move somewhere its state machine does not go."""

    def __init__(self, current: CycleStatus, target: CycleStatus):
        super().__init__(
            "cycle_illegal_transition",
            f"考核周期不能从「{current.label_zh}」变为「{target.label_zh}」",
            {"status": current.value, "target": target.value},
        )


def advance(current: str, target: str) -> CycleStatus:
    """The new status if `current → target` is the one legal next step; refused otherwise."""
    current, target = CycleStatus(current), CycleStatus(target)
    if _NEXT.get(current) is not target:
        raise IllegalTransition(current, target)
    return target
