"""Exact arithmetic helpers: Decimal at the boundaries, no silent rounding inside.

Why: money and rates must be exact end to end, yet `actual / target` is a division. We keep every
achievement as a pair (numerator, denominator) of Decimals and compare by cross-multiplication under
`EXACT`, a 60-digit context whose Inexact trap turns any rounding into an exception. Only the one
division that produces an item score runs under `DIVIDE`, which may round (at the 60th digit);
callers re-check the rare case where that could matter (see scoring.py).
"""

from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction
from typing import NamedTuple

PRECISION = 60
_TRAPS = [InvalidOperation, DivisionByZero, Overflow]
EXACT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN, traps=_TRAPS + [Inexact])
DIVIDE = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN, traps=_TRAPS)

ZERO = Decimal(0)
ONE = Decimal(1)

# What the system holds (MariaDB's NUMERIC(20, 6)): every figure, target, weight and rate has at
# most 14 digits before the point and 6 after. Inside that range nothing is ever rounded.
INTEGER_DIGITS = 14
PLACES = 6
_BOUND = Decimal(10) ** INTEGER_DIGITS


def number_problem(value: Decimal) -> str | None:
    """Why a number cannot be held, in Chinese, or None. Every edge checks with this one rule."""
    if not value.is_finite():
        return "必须是有限的数字"
    if abs(value) >= _BOUND:
        return f"超出可保存的范围：最多{INTEGER_DIGITS}位整数"
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PLACES:
        return f"最多保留{PLACES}位小数"
    return None


class Ratio(NamedTuple):
    """An exact value `num / den` with `den > 0`, kept undivided until it has to be.

    Used for actuals (a sum has `den == 1`; a ratio of sums keeps both sums: 40 units / 1000
    sessions) and for achievements. A NamedTuple because the scoring run builds tens of thousands.
    """

    num: Decimal
    den: Decimal = ONE

    @classmethod
    def of(cls, value: Decimal | int | str) -> "Ratio":
        """A plain figure (sales 85000, ROI 2.8)."""
        return cls(Decimal(value), ONE)

    @classmethod
    def from_fraction(cls, value: Fraction) -> "Ratio":
        """A Fraction as a Ratio of integral Decimals (exact at any size)."""
        return cls(Decimal(value.numerator), Decimal(value.denominator))

    def fraction(self) -> Fraction:
        """The exact value."""
        return Fraction(self.num) / Fraction(self.den)


Actual = Ratio  # a month's (or day's) figure; the name used where a figure, not an achievement, is meant


def to_fraction(value: Decimal | int | Fraction) -> Fraction:
    """Decimal → Fraction without loss."""
    return value if isinstance(value, Fraction) else Fraction(value)


def round_half_up(value: Fraction | Decimal, places: int) -> Decimal:
    """Round exactly, half away from zero, to `places` decimals (the rule of money and totals)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=DIVIDE)
    num, den = abs(value.numerator) * 10**places, value.denominator  # integers: no Fraction arithmetic
    result = Decimal((num * 2 + den) // (den * 2)).scaleb(-places)
    return -result if value < 0 else result


def floor_to(value: Fraction, places: int) -> Decimal:
    """Round exactly towards minus infinity (progress labels never claim more than was done)."""
    scaled = value * 10**places
    return Decimal(scaled.numerator // scaled.denominator).scaleb(-places)


def to_decimal(value: Fraction) -> Decimal:
    """A Fraction as a 60-digit Decimal (exact whenever the value terminates within 60 digits)."""
    return DIVIDE.divide(Decimal(value.numerator), Decimal(value.denominator))


def plain(value: Decimal) -> str:
    """A Decimal as fixed-point text without exponent or trailing zeros: 0.0500 → "0.05", 88.0 → "88"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fixed(value: Decimal, places: int) -> str:
    """A Decimal rounded half-up to exactly `places` decimals, as text ("18.67", "88.0")."""
    return format(round_half_up(value, places), "f")

