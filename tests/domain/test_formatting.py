"""How figures, totals and the summary sentence read."""

from decimal import Decimal as D
from fractions import Fraction as F

import pytest

from app.domain.formatting import (
    SummaryLine,
    completion_label,
    format_total,
    format_value,
    position_label,
    rating_label,
    summary_sentence,
)
from app.domain.indicators import Display


@pytest.mark.parametrize("value, display, expected", [
    (F(4, 100), Display.PERCENT, "4%"),
    (F(42, 1000), Display.PERCENT, "4.2%"),
    (F(5, 10000), Display.PERCENT, "0.05%"),
    (F(1, 3), Display.PERCENT, "33.33%"),
    (F(14, 5), Display.RATIO, "2.8:1"),
    (F(3), Display.RATIO, "3:1"),
    (F(85000), Display.MONEY, "85,000 USD"),
    (F(850001, 10), Display.MONEY, "85,000.10 USD"),
    (F(9, 2), Display.RATING, "4.5分"),
])
def test_values_display_per_indicator(value, display, expected):
    assert format_value(value, display, currency="USD") == expected


def test_numbers_carry_their_unit():
    assert format_value(F(5, 2), Display.NUMBER, unit="轮") == "2.5轮"


def test_totals_drop_a_trailing_zero_decimal():
    assert format_total(D("88.0")) == "88"
    assert format_total(D("84.9")) == "84.9"
    assert format_total(D("0.0")) == "0"


def test_a_rating_reads_out_of_its_scale_with_at_most_two_decimals():
    assert [rating_label(r, D(5)) for r in (F(4), F(9, 2), F(13, 3), F(5))] == ["4/5分", "4.5/5分", "4.33/5分", "5/5分"]
    assert rating_label(F(8), D(10)) == "8/10分"


def test_completion_label_rounds_down():
    assert completion_label(F(4, 5)) == "完成80%"
    assert completion_label(F(999, 1000)) == "完成99%"
    assert completion_label(None) == "暂无数据"


def test_the_seed_sentence():
    line = SummaryLine("广告ROI", False, False, "2.8:1", "需优化关键词")
    assert summary_sentence("运营", D("88.0"), "优秀", [line]) == \
        "运营岗总分88分，优秀；广告ROI未达标（2.8:1），需优化关键词"


def test_all_met_and_several_unmet_and_no_data():
    assert summary_sentence("运营", D("95.0"), "优秀", []) == "运营岗总分95分，优秀；各项均达标"
    lines = [SummaryLine("新品转化率", False, False, "4%", "需优化主图"), SummaryLine("销售额", True, False),
             SummaryLine("团队协作", True, True)]
    assert summary_sentence("运营岗", D("84.9"), "良好", lines, projected=True) == (
        "运营岗预计总分84.9分，良好；新品转化率未达标（4%），需优化主图；销售额无数据；团队协作未评分")


def test_position_label():
    assert position_label("客服") == "客服岗" and position_label("仓储岗") == "仓储岗"
