"""The figure of record per day by provenance, and self-reports differing by more than 5 %."""

from datetime import date
from decimal import Decimal as D
from fractions import Fraction

import pytest

from app.domain.errors import DataInvalid
from app.domain.indicators import Provenance
from app.domain.observations import (
    DayObservation,
    day_figures,
    discrepancies,
    figures_of_record,
)

V, IMP, S = Provenance.VERIFIED, Provenance.IMPORTED, Provenance.SELF_REPORTED
DAY = date(2025, 10, 9)


def obs(value, provenance, day=DAY, den=None):
    return DayObservation(day, D(value), None if den is None else D(den), provenance)


def test_verified_beats_imported_beats_self_reported():
    tenth = date(2025, 10, 10)
    by_day = day_figures([obs(100, S), obs(90, IMP), obs(80, V), obs(70, S, tenth), obs(60, IMP, tenth)])
    records = figures_of_record(by_day)
    assert [(r.day.day, r.num, r.provenance) for r in records] == [(9, 80, V), (10, 60, IMP)]


def test_observations_of_the_same_provenance_on_a_day_add_up():
    records = figures_of_record(day_figures([obs(30, V, den=100), obs(20, V, den=400), obs(99, S, den=100)]))
    assert (records[0].num, records[0].den) == (D(50), D(500))


def test_self_report_more_than_5_percent_off_the_record_is_a_discrepancy():
    found = discrepancies(day_figures([obs("3500", S), obs("3200", V)]))
    assert len(found) == 1
    assert found[0].difference == Fraction(300, 3200)
    assert found[0].record.provenance is V


def test_exactly_5_percent_off_is_not_a_discrepancy_but_just_over_is():
    assert discrepancies(day_figures([obs("105", S), obs("100", V)])) == ()
    assert len(discrepancies(day_figures([obs("105.01", S), obs("100", V)]))) == 1
    assert len(discrepancies(day_figures([obs("94.99", S), obs("100", IMP)]))) == 1


def test_rates_are_compared_as_rates():
    # self: 40/1000 = 4 %; record: 45/1000 = 4.5 % → 11.1 % apart
    found = discrepancies(day_figures([obs(40, S, den=1000), obs(45, V, den=1000)]))
    assert found[0].difference == Fraction(5, 45)
    # the same rate from different counts is no discrepancy
    assert discrepancies(day_figures([obs(4, S, den=100), obs(40, V, den=1000)])) == ()


def test_a_self_report_against_a_zero_record_is_a_discrepancy_without_a_ratio():
    found = discrepancies(day_figures([obs(10, S), obs(0, V)]))
    assert found[0].difference is None
    assert discrepancies(day_figures([obs(0, S), obs(0, V)])) == ()


def test_a_self_report_alone_is_its_own_record_and_no_discrepancy():
    by_day = day_figures([obs(10, S)])
    assert figures_of_record(by_day)[0].provenance is S
    assert discrepancies(by_day) == ()


def test_mixing_figures_with_and_without_denominators_on_a_day_is_refused():
    with pytest.raises(DataInvalid):
        day_figures([obs(1, V, den=10), obs(2, V)])


def test_a_day_with_a_zero_denominator_has_no_value():
    figure = figures_of_record(day_figures([obs(0, V, den=0)]))[0]
    assert figure.value is None
