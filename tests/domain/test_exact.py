"""Exact rounding and text helpers."""

from decimal import Decimal as D
from fractions import Fraction as F

from app.domain.exact import Ratio, fixed, floor_to, plain, round_half_up, to_decimal


def test_round_half_up_is_exact_for_fractions_and_decimals():
    assert round_half_up(F(8495, 100), 1) == D("85.0")
    assert round_half_up(F(8494, 100), 1) == D("84.9")
    assert round_half_up(F(-8495, 100), 1) == D("-85.0")
    assert round_half_up(D("84.95"), 1) == D("85.0")
    assert round_half_up(F(2, 3), 4) == D("0.6667")


def test_floor_to_never_rounds_up():
    assert floor_to(F(999, 10), 0) == D(99)
    assert floor_to(F(-1, 3), 0) == D(-1)


def test_plain_and_fixed_text():
    assert plain(D("0.0500")) == "0.05"
    assert plain(D("88.0")) == "88"
    assert plain(D("1E+5")) == "100000"
    assert plain(D("-0.0")) == "0"
    assert fixed(D("18.666666"), 2) == "18.67"
    assert fixed(D(30), 2) == "30.00"


def test_ratio_helpers():
    assert Ratio.of("2.8").fraction() == F(14, 5)
    assert Ratio.from_fraction(F(1, 3)) == Ratio(D(1), D(3))
    assert to_decimal(F(1, 8)) == D("0.125")
