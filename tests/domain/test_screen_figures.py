"""Reading numbers off a screen the way seller tools print them, and whether they show a claim."""

from decimal import Decimal as D

import pytest

from app.domain.screen_figures import NOT_SEEN, SEEN, Claim, ScreenNumber, figure_check, numbers_in


@pytest.mark.parametrize(("text", "expected"), [
    ("订购商品销售额$3,421.50", [ScreenNumber(D("3421.50"), 2)]),
    ("今日新品点击量1，000次", [ScreenNumber(D("1000"), 0)]),  # RapidOCR's full-width comma
    ("转化率４．２％", [ScreenNumber(D("4.2"), 1)]),  # full-width digits and percent
    ("￥12,345.6 元", [ScreenNumber(D("12345.6"), 1)]),
    ("访客 1.2万", [ScreenNumber(D("1.2"), 1), ScreenNumber(D("12000"), 0)]),
    ("统计日期：2026-11-03", [ScreenNumber(D("2026"), 0), ScreenNumber(D("11"), 0), ScreenNumber(D("03"), 0)]),
    ("没有数字", []),
])
def test_numbers_are_read_as_printed(text, expected):
    assert numbers_in(text) == expected


def test_a_figure_counts_as_shown_when_the_screen_prints_it_rounded():
    assert ScreenNumber(D("4.2"), 1).shows(D("4.1667"))
    assert not ScreenNumber(D("4.2"), 1).shows(D("4.1"))
    assert ScreenNumber(D("1000"), 0).shows(D("1000"))
    assert not ScreenNumber(D("1000"), 0).shows(D("1001"))


def test_a_ratio_is_shown_by_its_percent_or_its_parts():
    conversion = Claim(D("12"), D("300"), percent=True)  # 4 %
    assert figure_check([conversion], ["新品转化率 4.0%"]) == SEEN
    assert figure_check([conversion], ["访客 300 人"]) == SEEN
    assert figure_check([conversion], ["新品转化率 5.0%，访客 280"]) == NOT_SEEN


def test_a_percent_reported_as_a_fraction_is_shown_by_its_percent():
    assert figure_check([Claim(D("0.985"), percent=True)], ["库存准确率 98.5%"]) == SEEN
    assert figure_check([Claim(D("0.985"), percent=True)], ["库存准确率 97.5%"]) == NOT_SEEN


def test_any_claim_on_any_screenshot_is_enough_and_nothing_to_compare_is_no_verdict():
    claims = [Claim(D("1200")), Claim(D("98.5"))]
    assert figure_check(claims, ["销售额 $980.00", "准确率 98.5%"]) == SEEN
    assert figure_check(claims, ["销售额 $980.00"]) == NOT_SEEN
    assert figure_check([], ["销售额 $980.00"]) is None
    assert figure_check(claims, []) is None
