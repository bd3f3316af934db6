"""Bench: score 5,000 assessments × 8 items through `score_assessment`, as the scoring run will.

Builds deterministic, realistic assessments (fixed seed): sales in cents against 50k–150k targets,
rates as counts (units/sessions, wrong/shipped, replies within 30 s/replies), ad ROI as ad sales /
spend, ratings as sums over counts; some caps 1.0, some floors, 1 % of items without data. Times
only the scoring loop (templates are compiled once per position, as the service does), then scores
the same inputs with the independent Fraction reference (tests/reference) and checks that both give
the same checksum. Target: ≤ 1 s on a 2-core machine.

Run from the repository root: `.venv/bin/python bench/score_engine.py [--assessments N]`
"""

import argparse
import hashlib
import random
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.builtin import load_builtin  # noqa: E402 - after the path set-up above
from app.domain.evaluation import EvaluationInput, evaluate  # noqa: E402
from app.domain.exact import Ratio  # noqa: E402
from app.domain.fx import RateTable  # noqa: E402
from app.domain.grades import DEFAULT_BANDS  # noqa: E402
from app.domain.indicators import Aggregation, Direction, Kind, Provenance  # noqa: E402
from app.domain.observations import DayObservation, Rating  # noqa: E402
from app.domain.rendering import render_assessment  # noqa: E402
from app.domain.scoring import ScoringItem, score_assessment  # noqa: E402
from app.domain.workcalendar import WorkCalendar, month_bounds  # noqa: E402
from tests.reference import kpi_reference as ref  # noqa: E402

SEED = 20251101
ITEMS = 8
TEMPLATES = 40
D = Decimal


def money(rng):
    target = D(rng.choice([50000, 80000, 100000, 150000]))
    return target, Direction.HIGHER, lambda: Ratio(D(int(target * 100 * D(rng.uniform(0.4, 1.3)))).scaleb(-2), D(1))


def rate(rng):
    target = D(rng.choice(["0.05", "0.9", "0.85", "0.95", "0.995"]))

    def actual():
        sessions = rng.randint(200, 6000)
        hits = min(sessions, round(sessions * float(target) * rng.uniform(0.55, 1.15)))
        return Ratio(D(hits), D(sessions))

    return target, Direction.HIGHER, actual


def roi(rng):
    return D("3.0"), Direction.HIGHER, lambda: Ratio(D(rng.randint(100000, 3600000)).scaleb(-2),
                                                       D(rng.randint(50000, 1000000)).scaleb(-2))


def mis_shipment(rng):
    return D("0.001"), Direction.LOWER, lambda: Ratio(D(rng.choice([0, 0, 1, 2, 3, 5, 8])), D(rng.randint(1500, 6000)))


def rating(rng):
    def actual():
        count = rng.randint(1, 4)
        return Ratio(D(sum(rng.choice([2, 3, 3.5, 4, 4, 4.5, 5]) for _ in range(count))), D(count))

    return D(5), Direction.HIGHER, actual


def revisions(rng):
    return D(2), Direction.LOWER, lambda: Ratio(D(rng.randint(0, 150)), D(rng.randint(20, 60)))


KINDS = (money, rate, rate, roi, mis_shipment, rating, rating, revisions)


def weights(rng):
    """Eight integer weights, each at least 5, summing to exactly 100."""
    cuts = sorted(rng.sample(range(1, 61), ITEMS - 1))
    return [D(5 + b - a) for a, b in zip([0, *cuts], [*cuts, 60], strict=True)]


def build(count: int):
    rng = random.Random(SEED)
    templates = []
    for _ in range(TEMPLATES):
        items, makers = [], {}
        for index, (kind, weight) in enumerate(zip(rng.sample(KINDS, ITEMS), weights(rng), strict=True)):
            target, direction, make = kind(rng)
            cap = D("1.0") if rng.random() < 0.15 else D("1.2")
            floor = D("0.5") if rng.random() < 0.2 else None
            code = f"{kind.__name__}_{index}"
            items.append(ScoringItem(code, weight, target, direction, cap, floor))
            makers[code] = make
        templates.append((tuple(items), makers))
    cases = []
    for _ in range(count):
        items, makers = rng.choice(templates)
        cases.append((items, {code: None if rng.random() < 0.01 else make() for code, make in makers.items()}))
    return cases


def build_requests(count: int) -> list[EvaluationInput]:
    """Built-in templates with 23 working days of verified observations per quantitative item."""
    rng, catalog = random.Random(SEED), load_builtin()
    month, calendar = month_bounds(2025, 10), WorkCalendar()
    days = calendar.working_days_list(*month)
    requests = []
    for _ in range(count):
        template = catalog.template(rng.choice(sorted(catalog.positions)))
        observations, ratings = {}, {}
        for item in template.items:
            indicator = catalog.library[item.indicator_code]
            if indicator.kind is Kind.QUALITATIVE:
                ratings[indicator.code] = [Rating(D(rng.randint(3, 5)))]
            elif indicator.aggregation is Aggregation.SUM:
                observations[indicator.code] = [DayObservation(d, D(rng.randint(2000, 6000)), None, Provenance.VERIFIED)
                                                for d in days]
            else:
                observations[indicator.code] = [
                    DayObservation(d, D(rng.randint(0, 190)), D(200), Provenance.VERIFIED) for d in days]
        requests.append(EvaluationInput(template, catalog.library, month, month, calendar, frozenset(), RateTable(),
                                          DEFAULT_BANDS, "final", None, {}, observations, ratings, {}))
    return requests


def checksum(lines: list[str]) -> tuple[str, str]:
    return str(sum(D(line.split()[0]) for line in lines)), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _exact(actual: Ratio | None) -> Fraction | None:
    """An actual as the reference takes it: a Fraction, converted here, not by the domain."""
    return None if actual is None else Fraction(actual.num) / Fraction(actual.den)


def reference_lines(cases) -> list[str]:
    lines = []
    for items, actuals in cases:
        result = ref.score([
            {"weight": Fraction(i.weight), "target": Fraction(i.target), "cap": Fraction(i.cap),
             "floor": None if i.floor is None else Fraction(i.floor), "direction": i.direction.value,
             "actual": _exact(actuals[i.code])}
            for i in items
        ])
        total = D(result["total"].numerator * 10 // result["total"].denominator).scaleb(-1)
        lines.append(f"{total} {result['grade']}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=5000)
    args = parser.parse_args()
    cases = build(args.assessments)

    start = time.perf_counter()
    results = [score_assessment(items, actuals) for items, actuals in cases]
    elapsed = time.perf_counter() - start

    lines = [f"{r.total} {r.grade.label_zh}" for r in results]
    start = time.perf_counter()
    expected = reference_lines(cases)
    reference_elapsed = time.perf_counter() - start

    mine, theirs = checksum(lines), checksum(expected)
    fallbacks = sum(r.exact_fallback for r in results)
    print(f"assessments: {len(cases)} × {ITEMS} items (seed {SEED})")
    print(f"score_assessment: {elapsed:.3f} s ({elapsed / len(cases) * 1e6:.1f} µs per assessment), "
          f"exact fallbacks: {fallbacks}")
    print(f"checksum (domain):    sum of totals {mine[0]}  sha256 {mine[1]}")
    print(f"checksum (reference): sum of totals {theirs[0]}  sha256 {theirs[1]}  ({reference_elapsed:.3f} s)")
    if mine != theirs:
        first = next(i for i, (a, b) in enumerate(zip(lines, expected, strict=True)) if a != b)
        print(f"MISMATCH at assessment {first}: domain {lines[first]!r}, reference {expected[first]!r}")
        return 1
    requests = build_requests(len(cases))
    start = time.perf_counter()
    for given in requests:
        render_assessment(evaluate(given))
    full = time.perf_counter() - start
    print(f"evaluate + render_assessment from 23 working days of observations "
          f"(the scoring run's whole per-assessment path): {full:.3f} s ({full / len(requests) * 1e6:.0f} µs each)")
    grades = {}
    for r in results:
        grades[r.grade.label_zh] = grades.get(r.grade.label_zh, 0) + 1
    print("grades:", "  ".join(f"{label} {n}" for label, n in grades.items()))
    print("checksums equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
