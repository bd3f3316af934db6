"""The indicator library refuses definitions that contradict themselves."""

import pytest

from app.domain.errors import LibraryInvalid
from app.domain.indicators import (
    Aggregation,
    Direction,
    Display,
    Indicator,
    IndicatorLibrary,
    Kind,
    Money,
    Provenance,
    check_indicator,
)


def indicator(**changes):
    base = dict(code="x", name_zh="某指标", kind=Kind.QUANTITATIVE, direction=Direction.HIGHER,
                aggregation=Aggregation.SUM, display=Display.NUMBER)
    return Indicator(**{**base, **changes})


def test_provenance_ranks_verified_over_imported_over_self_reported():
    assert Provenance.VERIFIED.rank > Provenance.IMPORTED.rank > Provenance.SELF_REPORTED.rank
    assert Provenance.SELF_REPORTED.label_zh == "自报" and Provenance.VERIFIED.label_zh == "已同步"


@pytest.mark.parametrize("changes, fragment", [
    (dict(kind=Kind.QUALITATIVE), "定性指标"),
    (dict(aggregation=Aggregation.RATIO, cumulative=True), "累计指标"),
    (dict(display=Display.MONEY), "金额显示"),
    (dict(money=Money.BOTH), "分子分母都是金额"),
])
def test_contradictions_are_named(changes, fragment):
    problems = check_indicator(indicator(**changes))
    assert len(problems) == 1 and fragment in problems[0] and "「某指标」" in problems[0]


def test_a_consistent_definition_has_no_problem():
    assert check_indicator(indicator(cumulative=True, display=Display.MONEY, money=Money.NUMERATOR)) == []


def test_the_library_refuses_duplicates_and_extends_without_mutating():
    with pytest.raises(LibraryInvalid, match="重复"):
        IndicatorLibrary([indicator(), indicator()])
    library = IndicatorLibrary([indicator()])
    bigger = library.extended([indicator(code="y")])
    assert set(bigger) == {"x", "y"} and set(library) == {"x"}
    assert library.get("missing") is None and len(bigger) == 2


def test_kind_labels():
    assert Kind.QUANTITATIVE.label_zh == "定量" and Kind.QUALITATIVE.label_zh == "定性"
