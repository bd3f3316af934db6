"""Grade bands: defaults, the rounded-total rule, configuration and its validation."""

from decimal import Decimal as D

import pytest

from app.domain.errors import GradeBandsInvalid
from app.domain.grades import DEFAULT_BANDS, GradeBand, GradeBands


@pytest.mark.parametrize(
    "total, label, coefficient",
    [("88", "优秀", "1.2"), ("85.0", "优秀", "1.2"), ("84.9", "良好", "1.0"), ("75", "良好", "1.0"),
     ("74.9", "合格", "0.8"), ("60", "合格", "0.8"), ("59.9", "不合格", "0.5"), ("0", "不合格", "0.5")],
)
def test_default_bands_and_performance_coefficients(total, label, coefficient):
    band = DEFAULT_BANDS.grade_for(D(total))
    assert band.label_zh == label and band.coefficient == D(coefficient)


def test_custom_bands_are_honoured():
    bands = GradeBands([
        GradeBand("a", "A", D(90), D("1.5")), GradeBand("b", "B", D(70), D(1)), GradeBand("c", "C", None, D(0)),
    ])
    assert bands.grade_for(D("89.9")).code == "b"
    assert bands.grade_for(D(90)).code == "a"
    assert bands.by_code("c").label_zh == "C"


def test_bands_must_descend_strictly():
    with pytest.raises(GradeBandsInvalid) as caught:
        GradeBands([
            GradeBand("a", "A", D(70), D(1)), GradeBand("b", "B", D(80), D(1)), GradeBand("c", "C", None, D(0)),
        ])
    assert "严格递减" in caught.value.message


def test_the_last_band_must_catch_everything():
    with pytest.raises(GradeBandsInvalid) as caught:
        GradeBands([GradeBand("a", "A", D(70), D(1))])
    assert "兜底等级" in caught.value.message


def test_codes_must_be_unique_and_coefficients_not_negative():
    with pytest.raises(GradeBandsInvalid) as caught:
        GradeBands([GradeBand("a", "A", D(70), D(-1)), GradeBand("a", "B", None, D(0))])
    assert "代码不能重复" in caught.value.message and "不能为负数" in caught.value.message


def test_a_band_minimum_of_zero_would_leave_the_catch_all_unreachable():
    with pytest.raises(GradeBandsInvalid) as caught:
        GradeBands([GradeBand("a", "A", D(60), D(1)), GradeBand("b", "B", D(0), D(1)), GradeBand("c", "C", None, D(0))])
    assert "大于0" in caught.value.message
