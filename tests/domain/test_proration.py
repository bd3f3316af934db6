"""Partial months: pro-rated cumulative targets and the month's grade from a transfer."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from app.domain.builtin import load_builtin
from app.domain.errors import CalendarInvalid
from app.domain.exact import Ratio
from app.domain.indicators import PaceBasis
from app.domain.methods import Band, Bands, Deduction, PassFail
from app.domain.proration import Coverage, coverage, month_grade, prorate_target, prorated_items
from app.domain.scoring import ScoringItem, score_assessment, scoring_items
from app.domain.workcalendar import WorkCalendar, month_bounds

OCTOBER = month_bounds(2025, 10)
CAL = WorkCalendar(frozenset(date(2025, 10, d) for d in range(1, 9)), frozenset({date(2025, 10, 11)}))
FIRST_HALF = (date(2025, 10, 1), date(2025, 10, 15))
SECOND_HALF = (date(2025, 10, 16), date(2025, 10, 31))


def test_coverage_counts_working_days_of_the_period_and_month():
    first, second = coverage(CAL, FIRST_HALF, OCTOBER), coverage(CAL, SECOND_HALF, OCTOBER)
    assert (first.covered, second.covered, first.month) == (6, 12, 18)
    assert first.partial and not coverage(CAL, OCTOBER, OCTOBER).partial


def covers(period: tuple[date, date]) -> dict[PaceBasis, Coverage]:
    return {basis: coverage(CAL, period, OCTOBER, basis) for basis in PaceBasis}


def test_calendar_coverage_counts_every_day():
    cover = coverage(CAL, FIRST_HALF, OCTOBER, PaceBasis.CALENDAR)
    assert (cover.covered, cover.month) == (15, 31)


def test_cumulative_targets_are_prorated_on_their_pace_basis_and_rates_are_not():
    catalog = load_builtin()
    items = prorated_items(scoring_items(catalog.template("ops"), catalog.library), covers(FIRST_HALF))
    by_code = {i.code: i for i in items}
    assert by_code["ops_sales"].target == D("48387.10")  # a shop sells every day: 15 of 31 calendar days
    assert by_code["ops_new_conversion"].target == D("0.05")
    dispatches = ScoringItem("dispatches", D(30), D(1800), cumulative=True)  # work done on working days
    assert prorated_items([dispatches], covers(FIRST_HALF))[0].target == D(600)  # 6 of 18 working days


def test_a_cumulative_items_steps_and_bands_shrink_with_its_target():
    cover = covers(FIRST_HALF)  # 6 of 18 working days
    bands = Bands((Band(D(0), high=D(50000)), Band(D(20), D(50000), D(100000)), Band(D(30), D(100000))))
    sales = ScoringItem("sales", D(30), D(100000), cumulative=True, method=bands)
    rate = ScoringItem("rate", D(30), D("0.05"), method=Deduction(D("0.001"), D(2)))
    by_deduction = ScoringItem("sales", D(30), D(100000), cumulative=True, method=Deduction(D(10000), D(2)))
    prorated, kept, stepped = prorated_items([sales, rate, by_deduction], cover)
    assert prorated.method == Bands((Band(D(0), high=D("16666.67")), Band(D(20), D("16666.67"), D("33333.33")),
                                     Band(D(30), D("33333.33"))))
    assert kept == rate
    assert stepped.method == Deduction(D("3333.33"), D(2))
    assert prorated_items([replace(sales, method=PassFail())], cover)[0].method == PassFail()


def test_prorated_targets_round_half_up_to_cents():
    cover = coverage(WorkCalendar(), (date(2025, 10, 1), date(2025, 10, 1)), OCTOBER)  # 1 of 23
    assert prorate_target(D(100), cover) == D("4.35")  # 4.3478…
    assert prorate_target(D("0.01"), cover) == D("0.01")  # never pro-rated to zero


def test_a_period_without_working_days_cannot_prorate():
    cover = coverage(CAL, (date(2025, 10, 1), date(2025, 10, 8)), OCTOBER)
    with pytest.raises(CalendarInvalid):
        prorate_target(D(100), cover)


def test_a_period_outside_its_month_is_refused():
    with pytest.raises(CalendarInvalid):
        coverage(CAL, (date(2025, 9, 30), date(2025, 10, 3)), OCTOBER)


def test_mid_month_transfer_grade_is_weighted_by_working_days():
    catalog = load_builtin()
    ops = prorated_items(scoring_items(catalog.template("ops"), catalog.library), covers(FIRST_HALF))
    cs = prorated_items(scoring_items(catalog.template("cs"), catalog.library), covers(SECOND_HALF))
    ops_score = score_assessment(ops, {
        "ops_sales": Ratio.of(60000), "ops_new_conversion": Ratio(D(5), D(100)), "ops_ad_roi": Ratio.of(3),
        "ops_teamwork": Ratio.of(4), "ops_innovation": Ratio.of(4)})
    cs_score = score_assessment(cs, {
        "cs_reply_30s_share": Ratio(D(70), D(100)), "cs_top_rating_share": Ratio(D(60), D(100)),
        "cs_complaint_closed_24h": Ratio(D(8), D(10)), "cs_service_attitude": Ratio.of(4),
        "cs_product_knowledge": Ratio.of(3)})
    assert ops_score.total == D("100.0")  # sales 60000/48387.10 → capped 36; 20 + 20 + 12 + 12
    assert cs_score.total == D("75.1")  # 19.44 + 17.65 + 24 + 8 + 6 = 75.09…
    month = month_grade([(ops_score.total, 6), (cs_score.total, 12)])
    assert month.total == D("83.4")  # (100 × 6 + 75.1 × 12) / 18 = 83.4; an unweighted mean would say 87.6
    assert month.grade.label_zh == "良好"
    assert month.weights == (6, 12)
    assert month_grade([(ops_score.total, 1), (cs_score.total, 1)]).grade.label_zh == "优秀"  # why weights matter


def test_month_grade_rounds_half_up_exactly():
    assert month_grade([(D("84.9"), 1), (D("85.0"), 1)]).total == D("85.0")
    with pytest.raises(CalendarInvalid):
        month_grade([(D(80), 0)])
