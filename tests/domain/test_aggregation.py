"""Month aggregation by the indicator's rule, with provenance and currency conversion."""

from datetime import date
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.aggregation import aggregate_month, aggregate_ratings
from app.domain.builtin import load_builtin
from app.domain.errors import DataInvalid, FxRateMissing
from app.domain.fx import FxRate, RateTable
from app.domain.indicators import (
    Aggregation,
    Direction,
    Display,
    Indicator,
    Kind,
    Provenance,
)
from app.domain.observations import DayObservation, Rating
from tests.reference import kpi_reference as ref

LIB = load_builtin().library
V, IMP, S = Provenance.VERIFIED, Provenance.IMPORTED, Provenance.SELF_REPORTED


def day(n, month=10):
    return date(2025, month, n)


def test_rates_are_the_ratio_of_sums_not_the_mean_of_daily_rates():
    # day 1: 1 of 10 sessions (10 %); day 2: 40 of 1000 (4 %). Mean of rates: 7 %; ratio of sums: 41/1010.
    month = aggregate_month(LIB["ops_new_conversion"], [
        DayObservation(day(1), D(1), D(10), V), DayObservation(day(2), D(40), D(1000), V),
    ])
    assert month.actual.fraction() == Fraction(41, 1010)
    assert month.actual.fraction() != (Fraction(1, 10) + Fraction(40, 1000)) / 2
    assert month.days == 2


def test_sales_sum_over_days_with_the_figure_of_record_per_day():
    month = aggregate_month(LIB["ops_sales"], [
        DayObservation(day(1), D(3000), None, V), DayObservation(day(1), D(3500), None, S),
        DayObservation(day(2), D(2000), None, S),
    ], currency="USD")
    assert month.actual.fraction() == 5000
    assert month.days_by_provenance == {V: 1, S: 1}
    assert [d.day for d in month.discrepancies] == [day(1)]


def test_money_in_another_currency_is_converted_with_the_months_rate():
    rates = RateTable([FxRate("CNY", "USD", "2025-10", D("0.14")), FxRate("CNY", "USD", "2025-09", D("0.15"))])
    month = aggregate_month(LIB["ops_sales"], [
        DayObservation(day(30, 9), D(1000), None, V, currency="CNY"),
        DayObservation(day(1), D(1000), None, V, currency="CNY"),
        DayObservation(day(2), D(100), None, V, currency="USD"),
    ], currency="USD", rates=rates)
    assert month.actual.fraction() == 150 + 140 + 100


def test_a_converted_self_report_is_compared_in_the_template_currency():
    rates = RateTable([FxRate("CNY", "USD", "2025-10", D("0.14"))])
    month = aggregate_month(LIB["ops_sales"], [
        DayObservation(day(1), D(1000), None, V, currency="USD"),
        DayObservation(day(1), D(7000), None, S, currency="CNY"),  # 980 USD: 2 % off, fine
    ], currency="USD", rates=rates)
    assert month.discrepancies == ()


def test_roi_converts_both_ad_sales_and_spend():
    rates = RateTable([FxRate("CNY", "USD", "2025-10", D("0.14"))])
    month = aggregate_month(LIB["ops_ad_roi"], [
        DayObservation(day(1), D(2800), D(1000), V, currency="CNY"), DayObservation(day(2), D(300), D(100), V),
    ], currency="USD", rates=rates)
    assert month.actual.fraction() == Fraction(392 + 300, 140 + 100)


def test_a_missing_rate_is_an_error_naming_pair_and_month():
    with pytest.raises(FxRateMissing) as caught:
        aggregate_month(LIB["ops_sales"], [DayObservation(day(1), D(1), None, V, currency="EUR")],
                        currency="USD", rates=RateTable())
    assert "2025年10月EUR兑USD" in caught.value.message


def test_a_currency_on_a_non_money_indicator_is_refused():
    with pytest.raises(DataInvalid):
        aggregate_month(LIB["ops_new_conversion"], [DayObservation(day(1), D(1), D(2), V, currency="CNY")],
                        currency="USD")


def test_observations_outside_the_period_are_ignored():
    month = aggregate_month(LIB["ops_sales"],
                            [DayObservation(day(1), D(5), None, V), DayObservation(day(20), D(7), None, V)],
                            period=(day(16), day(31)))
    assert month.actual.fraction() == 7 and month.last_day == day(20)


def test_no_observations_is_no_data_and_a_zero_denominator_month_too():
    assert aggregate_month(LIB["ops_sales"], []).actual is None
    assert aggregate_month(LIB["wh_misship_rate"], [DayObservation(day(1), D(0), D(0), V)]).actual is None


def test_a_rate_without_denominator_and_a_sum_with_one_are_refused():
    with pytest.raises(DataInvalid, match="缺少分母"):
        aggregate_month(LIB["wh_misship_rate"], [DayObservation(day(1), D(1), None, V)])
    with pytest.raises(DataInvalid, match="不应有分母"):
        aggregate_month(LIB["ops_sales"], [DayObservation(day(1), D(1), D(2), V)])
    with pytest.raises(DataInvalid, match="不能为负数"):
        aggregate_month(LIB["wh_misship_rate"], [DayObservation(day(1), D(-1), D(2), V)])


def test_latest_takes_the_last_days_figure_of_record():
    latest = Indicator("stock", "盘点", Kind.QUANTITATIVE, Direction.HIGHER, Aggregation.LATEST, Display.PERCENT)
    month = aggregate_month(latest, [DayObservation(day(5), D(990), D(1000), V),
                                     DayObservation(day(28), D(996), D(1000), IMP),
                                     DayObservation(day(28), D(1000), D(1000), S)])
    assert month.actual.fraction() == Fraction(996, 1000)


def test_ratings_average_exactly():
    assert aggregate_ratings([Rating(D(4)), Rating(D(5)), Rating(D(5))]).fraction() == Fraction(14, 3)
    assert aggregate_ratings([]) is None
    with pytest.raises(DataInvalid):
        aggregate_ratings([Rating(D(-1))])


observation_rows = st.lists(
    st.tuples(
        st.integers(1, 5),
        st.integers(0, 10**6).map(lambda n: D(n).scaleb(-2)),
        st.integers(0, 10**4).map(D),
        st.sampled_from(["verified", "imported", "self_reported"]),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(observation_rows, st.sampled_from(["sum", "ratio", "latest"]))
def test_aggregation_agrees_with_the_fraction_reference(rows, rule):
    latest = Indicator("x", "x", Kind.QUANTITATIVE, Direction.HIGHER, Aggregation.LATEST, Display.PERCENT)
    indicator = {"sum": LIB["ops_sales"], "ratio": LIB["ops_new_conversion"], "latest": latest}[rule]
    with_den = rule != "sum"
    observations = [DayObservation(day(d), n, den if with_den else None, Provenance(p)) for d, n, den, p in rows]
    mine = aggregate_month(indicator, observations).actual
    theirs = ref.month_actual(rule, [(day(d), n, den if with_den else None, p) for d, n, den, p in rows])
    assert (None if mine is None else mine.fraction()) == theirs
