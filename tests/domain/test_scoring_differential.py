"""The domain's Decimal scoring agrees with an independent Fraction reference (tests/reference).

Random templates (weights summing to 100, any direction, caps, floors) and random actuals, plus
strategies that deliberately land on the rules' edges: a == floor, a == cap, a == 1, perfect zeros,
and totals of exactly x.x5 reached through non-terminating item scores.
"""

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.domain.exact import Ratio
from app.domain.indicators import Direction
from app.domain.scoring import ScoringItem, score_assessment
from tests.reference import kpi_reference as ref

BOUNDARY_TOTALS = [Decimal(x) for x in ("84.95", "74.95", "59.95", "84.94", "85.05", "60", "0.05")]


def decimals(max_digits: int = 8, max_places: int = 6, min_mantissa: int = 0):
    """Decimals m × 10^-e, written the way real figures are (few digits, few places)."""
    return st.builds(
        lambda m, e: Decimal(m).scaleb(-e),
        st.integers(min_mantissa, 10**max_digits),
        st.integers(0, max_places),
    )


positive = decimals(min_mantissa=1)


@st.composite
def weights(draw, count: int) -> list[Decimal]:
    """`count` positive weights in hundredths summing to exactly 100."""
    cuts = sorted(draw(st.sets(st.integers(1, 9999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10000]
    return [Decimal(b - a).scaleb(-2) for a, b in pairwise(bounds)]


CAPS = (Decimal(1), Decimal("1.0"), Decimal("1.2"), Decimal("1.5"), None)  # None: draw one in 1.00–3.00


@st.composite
def item_shapes(draw, weight: Decimal, index: int) -> ScoringItem:
    cap = draw(st.sampled_from(CAPS)) or Decimal(draw(st.integers(100, 300))).scaleb(-2)
    floor = Decimal(draw(st.integers(0, int(cap * 100) - 1))).scaleb(-2) if draw(st.booleans()) else None
    return ScoringItem(
        code=f"i{index}",
        weight=weight,
        target=draw(positive),
        direction=draw(st.sampled_from([Direction.HIGHER, Direction.LOWER])),
        cap=cap,
        floor=floor,
    )


ACTUAL_KINDS = ("none", "plain", "ratio", "at_one", "at_cap", "zero", "at_floor")
plain_figures = st.builds(Ratio, decimals(), st.just(Decimal(1)))
ratio_figures = st.builds(Ratio, decimals(), positive)


@st.composite
def actual_for(draw, item: ScoringItem):
    """A random actual, or one that puts a exactly on a boundary of this item."""
    kind = draw(st.sampled_from(ACTUAL_KINDS))
    t, higher = item.target, item.direction is Direction.HIGHER

    def on(a: Decimal) -> Ratio:
        """The actual whose achievement is exactly `a`."""
        return Ratio(t * a, Decimal(1)) if higher else Ratio(t, a)

    if kind == "none":
        return None
    if kind == "plain":
        return draw(plain_figures)
    if kind == "ratio":
        return draw(ratio_figures)
    if kind == "at_one":
        return on(Decimal(1))
    if kind == "at_cap":
        return on(item.cap)
    if kind == "at_floor" and item.floor:
        return on(item.floor)
    return Ratio(Decimal(0), Decimal(1))


@st.composite
def assessments(draw):
    count = draw(st.integers(1, 8))
    items = [draw(item_shapes(w, i)) for i, w in enumerate(draw(weights(count)))]
    return items, {item.code: draw(actual_for(item)) for item in items}


@st.composite
def boundary_assessments(draw):
    """Higher-better items whose exact total is one of BOUNDARY_TOTALS; item 0 takes a
    non-terminating share (n/d with d in 3, 7, 11, 13) and the others split the rest by weight."""
    count = draw(st.integers(2, 8))
    ws = draw(weights(count))
    total = draw(st.sampled_from(BOUNDARY_TOTALS))
    targets = [draw(positive) for _ in ws]
    d = draw(st.sampled_from([3, 7, 11, 13]))
    rest = sum(ws[1:])
    # item 0's a = n/d within [0, 1.2], leaving the others 0 ≤ a ≤ 1.2 (the default cap) to make up the rest
    exact_total, w0, cap = Fraction(total), Fraction(ws[0]), Fraction(6, 5)
    low = math.ceil(max(Fraction(0), (exact_total - cap * Fraction(rest)) / w0) * d)
    high = math.floor(min(cap, exact_total / w0) * d)
    assume(low <= high)
    n = draw(st.integers(low, high))
    items = [ScoringItem(f"i{i}", w, t) for i, (w, t) in enumerate(zip(ws, targets, strict=True))]
    actuals = {"i0": Ratio(targets[0] * n, Decimal(d))}
    remainder_num = total * d - ws[0] * n  # the others' score sum is remainder_num / d
    for i in range(1, count):
        actuals[f"i{i}"] = Ratio(targets[i] * remainder_num, rest * d)
    return items, actuals


def reference_view(items, actuals):
    return ref.score(
        [
            {
                "weight": Fraction(i.weight),
                "target": Fraction(i.target),
                "cap": Fraction(i.cap),
                "floor": None if i.floor is None else Fraction(i.floor),
                "direction": i.direction.value,
                "actual": None if actuals[i.code] is None else actuals[i.code].fraction(),
            }
            for i in items
        ]
    )


def assert_agrees(items, actuals):
    mine = score_assessment(items, actuals)
    theirs = reference_view(items, actuals)
    assert Fraction(mine.total) == theirs["total"]
    assert mine.grade.label_zh == theirs["grade"]
    for got, want in zip(mine.items, theirs["items"], strict=True):
        assert got.met == want["met"]
        four_places = got.score.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        assert Fraction(four_places) == ref.round_half_up(want["score"], 4)
        assert (got.achievement is None) == (want["a"] is None)
        if got.achievement is not None:
            assert got.achievement.fraction() == want["a"]
    return mine, theirs


@settings(max_examples=300, deadline=None)
@given(assessments())
def test_random_templates_and_actuals_score_like_the_fraction_reference(case):
    assert_agrees(*case)


@settings(max_examples=200, deadline=None)
@given(boundary_assessments())
def test_totals_built_to_land_on_rounding_boundaries_agree_with_the_reference(case):
    mine, theirs = assert_agrees(*case)
    assert theirs["total_raw"] in {Fraction(t) for t in BOUNDARY_TOTALS}


def test_the_boundary_strategy_really_produces_inexact_item_scores():
    """Guard for the strategy: with d = 3 the item scores do not terminate, so the fast path's sum
    is off by a few units in the 60th digit and only the exact fallback rounds 84.95 correctly."""
    items = [ScoringItem("i0", Decimal(30), Decimal(1)), ScoringItem("i1", Decimal(70), Decimal(1))]
    actuals = {"i0": Ratio(Decimal(1), Decimal(3)), "i1": Ratio(Decimal("84.95") * 3 - 30, Decimal(70 * 3))}
    mine, theirs = assert_agrees(items, actuals)
    assert theirs["total_raw"] == Fraction("84.95")
    assert mine.exact_fallback and mine.total == Decimal("85.0")
