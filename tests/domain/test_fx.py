"""The monthly exchange-rate table."""

from datetime import date
from decimal import Decimal as D

import pytest

from app.domain.errors import DataInvalid, FxRateMissing
from app.domain.fx import FxRate, RateTable, month_key


def test_conversion_is_exact_with_the_days_month_rate():
    table = RateTable([FxRate("CNY", "USD", "2025-10", D("0.1389")), FxRate("CNY", "USD", "2025-11", D("0.14"))])
    assert table.convert(D("7200.50"), "CNY", "USD", date(2025, 10, 31)) == D("1000.149450")
    assert table.convert(D(100), "CNY", "USD", date(2025, 11, 1)) == D(14)


def test_the_same_currency_needs_no_rate():
    assert RateTable().convert(D("12.34"), "USD", "USD", date(2025, 1, 1)) == D("12.34")


def test_an_inverse_rate_is_not_silently_used():
    table = RateTable([FxRate("USD", "CNY", "2025-10", D("7.2"))])
    with pytest.raises(FxRateMissing) as caught:
        table.rate("CNY", "USD", date(2025, 10, 1))
    assert caught.value.message == "汇率表缺少2025年10月CNY兑USD的汇率，请先补充"
    assert caught.value.to_dict()["error"]["code"] == "fx_rate_missing"


def test_a_rate_must_be_positive():
    with pytest.raises(DataInvalid):
        RateTable([FxRate("CNY", "USD", "2025-10", D(0))])


def test_month_key():
    assert month_key(date(2026, 1, 9)) == "2026-01"
