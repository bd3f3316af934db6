"""The scoring and aggregation rules of docs/product.md "Scoring", written plainly with Fractions.

Inputs are plain data (strings, Fractions, dicts); outputs are Fractions and plain Python values.
Deliberately naive: no cross-multiplication tricks, no fallbacks, no shared code with app/.

Scoring methods, read from app/domain/SCOREFILE.md ("Scoring methods") and written again here:
- ratio: weight × min(a, cap), 0 below the floor;
- deduction: the weight minus `points` for every step of shortfall, a started step counting whole,
  never below 0 (shortfall: below the target when higher is better, above it when lower is better);
- bands: the points of the range holding the actual; on a boundary the better range wins
  (`low ≤ x < high` when higher is better, `low < x ≤ high` when lower is better);
- pass/fail: the weight when the target is reached, else 0.
Adjustments: bonuses count up to the bonus limit, penalties down to minus the penalty limit; the
total is never below 0. A veto makes the grade the last band whatever the total.
"""

import math
from fractions import Fraction

DEFAULT_BANDS = (("优秀", Fraction(85)), ("良好", Fraction(75)), ("合格", Fraction(60)), ("不合格", None))
PROVENANCE_RANK = {"verified": 3, "imported": 2, "self_reported": 1}


def achievement(direction, target, cap, actual):
    """a for one item; `actual` is a Fraction or None (no data)."""
    if actual is None:
        return None
    if direction == "higher":
        return actual / target
    if actual == 0:
        return cap
    return target / actual


def reached(direction, target, actual):
    """Whether the target is reached, compared directly on the figure."""
    return actual >= target if direction == "higher" else actual <= target


def in_band(direction, low, high, actual):
    if direction == "higher":
        return (low is None or actual >= low) and (high is None or actual < high)
    return (low is None or actual > low) and (high is None or actual <= high)


def method_points(method, weight, target, direction, actual):
    """Points of an item scored by deduction, bands or pass/fail, from the rule's words."""
    kind = method["kind"]
    if kind == "pass_fail":
        return weight if reached(direction, target, actual) else Fraction(0)
    if kind == "deduction":
        shortfall = target - actual if direction == "higher" else actual - target
        steps = math.ceil(shortfall / method["step"]) if shortfall > 0 else 0
        return max(Fraction(0), weight - method["points"] * steps)
    if kind == "bands":
        matching = [points for low, high, points in method["bands"] if in_band(direction, low, high, actual)]
        if len(matching) != 1:
            raise ValueError(f"{len(matching)} bands hold {actual}")
        return matching[0]
    raise ValueError(f"unknown method {kind}")


def item_score(weight, target, cap, floor, direction, actual, method=None):
    """(a, score, met) of one item, exactly."""
    a = achievement(direction, target, cap, actual)
    if a is None:
        return None, Fraction(0), False
    if method is not None and method["kind"] != "ratio":
        return a, method_points(method, weight, target, direction, actual), reached(direction, target, actual)
    met = a >= 1
    if floor is not None and a < floor:
        return a, Fraction(0), met
    if a <= 0:
        return a, Fraction(0), met
    return a, weight * min(a, cap), met


def round_half_up(value, places):
    """Half away from zero, exactly; returns a Fraction with denominator 10**places."""
    scale = 10**places
    shifted = abs(value) * scale
    whole = int(shifted)  # truncates toward zero; shifted ≥ 0
    if shifted - whole >= Fraction(1, 2):
        whole += 1
    return (whole if value >= 0 else -whole) / Fraction(scale)


def grade(total, bands=DEFAULT_BANDS):
    for label, minimum in bands:
        if minimum is None or total >= minimum:
            return label
    raise ValueError("bands must end with a catch-all")


def score(items, bands=DEFAULT_BANDS, adjustments=(), limit=None, veto=False):
    """items: dicts with weight, target, cap, floor (or None), direction, actual (Fraction or None) and
    optionally method ({"kind": "ratio" | "pass_fail"}, {"kind": "deduction", "step", "points"},
    {"kind": "bands", "bands": [(low or None, high or None, points), …]}).
    adjustments: Fractions (+ bonus, − penalty); limit: (bonus limit, penalty limit); veto: bool."""
    rows = [
        item_score(i["weight"], i["target"], i["cap"], i["floor"], i["direction"], i["actual"], i.get("method"))
        for i in items
    ]
    raw = sum((row[1] for row in rows), Fraction(0))
    if adjustments:
        bonus = sum((p for p in adjustments if p > 0), Fraction(0))
        penalty = sum((p for p in adjustments if p < 0), Fraction(0))
        raw = max(Fraction(0), raw + min(bonus, limit[0]) + max(penalty, -limit[1]))
    total = round_half_up(raw, 1)
    return {
        "items": [{"a": a, "score": s, "met": met} for a, s, met in rows],
        "total_raw": raw,
        "total": total,
        "grade": bands[-1][0] if veto else grade(total, bands),
    }


def month_actual(aggregation, observations):
    """A month's actual from daily observations: (day, numerator, denominator or None, provenance).

    Per day, only the highest provenance counts, and several observations of that provenance on the
    day add up. Returns a Fraction, or None when there is no data (or a ratio with no denominator).
    """
    by_day = {}
    for day, num, den, provenance in observations:
        by_day.setdefault(day, []).append((Fraction(num), None if den is None else Fraction(den), provenance))
    days = []
    for day in sorted(by_day):
        best = max(PROVENANCE_RANK[p] for _, _, p in by_day[day])
        chosen = [(n, d) for n, d, p in by_day[day] if PROVENANCE_RANK[p] == best]
        num = sum(n for n, _ in chosen)
        den = sum((1 if d is None else d) for _, d in chosen)
        days.append((num, den))
    if not days:
        return None
    if aggregation == "sum":
        return sum(n for n, _ in days)
    if aggregation == "latest":
        num, den = days[-1]
        return num / den if den else None
    total_den = sum(d for _, d in days)
    if total_den == 0:
        return None
    return sum(n for n, _ in days) / total_den
