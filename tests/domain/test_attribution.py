"""Effective-dated ownership of source identities, and the range a source's figure must be in."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain.attribution import Mapping, Owners, figure_problem


def test_an_sku_that_changes_hands_mid_month_is_each_owners_on_their_days():
    owners = Owners([Mapping("SKU-1", 7, date(2026, 11, 1), date(2026, 11, 14)),
                     Mapping("SKU-1", 9, date(2026, 11, 15))])
    assert owners.owner("SKU-1", date(2026, 11, 14)) == 7
    assert owners.owner("SKU-1", date(2026, 11, 15)) == 9
    assert owners.owner("SKU-1", date(2027, 3, 1)) == 9  # open-ended
    assert owners.owner("SKU-1", date(2026, 10, 31)) is None  # before anybody had it
    assert owners.owner("SKU-2", date(2026, 11, 15)) is None  # never mapped


def test_a_handover_entered_without_closing_the_old_mapping_goes_to_the_newer_owner():
    owners = Owners([Mapping("agent-5", 3, date(2026, 1, 1)), Mapping("agent-5", 4, date(2026, 11, 20))])
    assert owners.owner("agent-5", date(2026, 11, 19)) == 3
    assert owners.owner("agent-5", date(2026, 11, 20)) == 4


@pytest.mark.parametrize(("numerator", "denominator", "problem"), [
    (Decimal("238.44"), None, None),
    (Decimal(3), Decimal(18), None),
    (Decimal(0), Decimal(0), None),
    (Decimal(-1), None, "不能为负数"),
    (Decimal(1), Decimal(-5), "不能为负数"),
    (Decimal("1e15"), None, "超出可保存的范围：最多14位整数"),
    (Decimal("0.0000001"), Decimal(1), "最多保留6位小数"),
    (Decimal("NaN"), None, "必须是有限的数字"),
])
def test_a_figure_outside_the_range_the_system_holds_is_refused(numerator, denominator, problem):
    assert figure_problem(numerator, denominator) == problem
