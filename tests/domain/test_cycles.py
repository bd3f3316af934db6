"""The cycle's state machine only moves one step forward."""

from itertools import pairwise

import pytest

from app.domain.cycles import CycleStatus, IllegalTransition, advance


def test_each_status_moves_to_the_next():
    order = ["draft", "open", "scoring", "review", "published", "final"]
    for current, target in pairwise(order):
        assert advance(current, target) is CycleStatus(target)


@pytest.mark.parametrize("current,target", [
    ("draft", "scoring"), ("open", "published"), ("published", "open"), ("final", "draft"), ("scoring", "scoring"),
    ("scoring", "published"), ("review", "scoring"),
])
def test_other_moves_are_refused_in_chinese(current, target):
    with pytest.raises(IllegalTransition) as refused:
        advance(current, target)
    assert refused.value.code == "cycle_illegal_transition"
    assert refused.value.message.startswith("考核周期不能从")
