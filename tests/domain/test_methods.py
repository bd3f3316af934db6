"""Scoring methods per item (ratio, deduction, bands, pass/fail): the worked cases HR states, every
edge of their rules, their validation and how the report words them."""

from dataclasses import replace
from decimal import Decimal as D

import pytest

from app.domain.builtin import load_builtin
from app.domain.errors import TemplateInvalid
from app.domain.exact import Ratio
from app.domain.formatting import exact_figure, method_label
from app.domain.indicators import Direction, Display
from app.domain.methods import RATIO, Band, Bands, ByRatio, Deduction, PassFail
from app.domain.scoring import ItemStatus, ScoringItem, score_assessment, scoring_items
from app.domain.templates import validate_template

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
STOCK = ScoringItem("stock", D(30), D("0.995"), method=Deduction(D("0.001"), D(2)))  # 每低于目标0.1%扣2分
MISSHIP = ScoringItem("mis", D(30), D("0.001"), LOWER, method=Deduction(D("0.0001"), D(3)))  # 每高于0.01%扣3分
ACCURACY_BANDS = Bands((Band(D(0), high=D("0.98")), Band(D(20), D("0.98"), D("0.995")), Band(D(30), D("0.995"))))
MISSHIP_BANDS = Bands((Band(D(30), high=D("0.001")), Band(D(15), D("0.001"), D("0.003")), Band(D(0), D("0.003"))))


def one(item: ScoringItem, actual: Ratio):
    return score_assessment([item], {item.code: actual}).items[0]


def test_the_ratio_is_the_default_and_the_seed_templates_keep_it():
    catalog = load_builtin()
    for code in catalog.positions:
        methods = {type(item.method) for item in scoring_items(catalog.template(code), catalog.library)}
        # 采购 (designed by us) shows the other methods: arrivals and savings in bands, quality by deduction
        assert methods == ({ByRatio, Bands, Deduction} if code == "purchaser" else {ByRatio}), code
    assert ScoringItem("x", D(10), D(1)).method is RATIO


def test_74_percent_stock_accuracy_against_99_5_scores_zero_by_deduction_not_three_quarters():
    by_ratio = one(replace(STOCK, method=RATIO), Ratio(D(74), D(100)))
    by_deduction = one(STOCK, Ratio(D(74), D(100)))
    assert by_ratio.score > D(22)  # what the ratio alone gave
    assert (by_deduction.score, by_deduction.steps, by_deduction.status) == (D(0), 255, ItemStatus.UNMET)


@pytest.mark.parametrize("actual, steps, score", [
    ("0.995", 0, "30"),  # at the target: full weight
    ("0.999", 0, "30"),  # above it: still the weight, a deduction earns no bonus
    ("0.994", 1, "28"),  # exactly one step
    ("0.9945", 1, "28"),  # half a step: a started step counts whole
    ("0.99399", 2, "26"),  # just past one step
    ("0.98", 15, "0"),  # exactly reaches zero
    ("0.979", 16, "0"),  # past zero: never below
])
def test_deduction_counts_every_started_step_and_stops_at_zero(actual, steps, score):
    result = one(STOCK, Ratio.of(actual))
    assert (result.steps, result.score) == (steps, D(score))
    assert result.met == (steps == 0)


@pytest.mark.parametrize("actual, steps, score", [
    ("0.001", 0, "30"), ("0", 0, "30"), ("0.0013", 3, "21"), ("0.00121", 3, "21"), ("0.0011", 1, "27")])
def test_a_lower_better_deduction_counts_steps_above_the_target(actual, steps, score):
    result = one(MISSHIP, Ratio.of(actual))
    assert (result.steps, result.score) == (steps, D(score))


@pytest.mark.parametrize("actual, band, score", [
    ("0.97", 0, "0"), ("0.98", 1, "20"), ("0.979999", 0, "0"), ("0.994999", 1, "20"), ("0.995", 2, "30"),
    ("1", 2, "30")])
def test_a_value_on_a_band_boundary_earns_the_upper_band_when_higher_is_better(actual, band, score):
    result = one(ScoringItem("acc", D(30), D("0.995"), method=ACCURACY_BANDS), Ratio.of(actual))
    assert (result.band, result.score) == (band, D(score))


@pytest.mark.parametrize("actual, band, score", [
    ("0", 0, "30"), ("0.001", 0, "30"), ("0.001001", 1, "15"), ("0.003", 1, "15"), ("0.003001", 2, "0")])
def test_a_value_on_a_band_boundary_earns_the_lower_band_when_lower_is_better(actual, band, score):
    result = one(ScoringItem("mis", D(30), D("0.001"), LOWER, method=MISSHIP_BANDS), Ratio.of(actual))
    assert (result.band, result.score) == (band, D(score))


def test_bands_read_a_rate_as_the_ratio_of_its_sums():
    item = ScoringItem("acc", D(30), D("0.995"), method=ACCURACY_BANDS)
    assert one(item, Ratio(D(1960), D(2000))).score == D(20)  # 98 % exactly
    assert one(item, Ratio(D(1), D(3))).score == D(0)


@pytest.mark.parametrize("actual, direction, score, met", [
    ("0.9", HIGHER, "25", True), ("0.899999", HIGHER, "0", False), ("2", HIGHER, "25", True),
    ("0.9", LOWER, "25", True), ("0.900001", LOWER, "0", False), ("0", LOWER, "25", True)])
def test_pass_fail_gives_the_weight_exactly_when_the_target_is_met(actual, direction, score, met):
    result = one(ScoringItem("x", D(25), D("0.9"), direction, method=PassFail()), Ratio.of(actual))
    assert (result.score, result.met, result.capped) == (D(score), met, False)


def test_an_item_without_data_scores_zero_whatever_its_method():
    for method in (STOCK.method, ACCURACY_BANDS, PassFail()):
        result = score_assessment([replace(STOCK, method=method)], {}).items[0]
        assert (result.score, result.status) == (D(0), ItemStatus.NO_DATA)


def test_methods_mix_with_ratio_items_in_one_total():
    items = [STOCK, replace(STOCK, code="ratio", weight=D(70), method=RATIO)]
    result = score_assessment(items, {"stock": Ratio.of("0.9945"), "ratio": Ratio.of("0.995")})
    assert result.total == D("98.0")


# Validation: every problem named by its item, all at once.

def warehouse(index: int, **changes):
    template = load_builtin().template("warehouse")
    items = list(template.items)
    items[index] = replace(items[index], **changes)
    return replace(template, items=tuple(items))


def refusal(template) -> TemplateInvalid:
    with pytest.raises(TemplateInvalid) as caught:
        validate_template(template, load_builtin().library)
    return caught.value


def test_every_method_in_a_valid_template_is_accepted():
    library = load_builtin().library
    for method in (Deduction(D("0.001"), D(2)), ACCURACY_BANDS, PassFail(), RATIO, Bands((Band(D(30)),))):
        validate_template(warehouse(2, method=method), library)


@pytest.mark.parametrize("method, message", [
    (Deduction(D(0), D(2)), "考核项「库存准确率」的扣分步长必须大于0，当前为0"),
    (Deduction(D("-0.001"), D(2)), "扣分步长必须大于0，当前为-0.001"),
    (Deduction(D("0.001"), D(0)), "考核项「库存准确率」的每步扣分必须大于0且不超过权重30，当前为0"),
    (Deduction(D("0.001"), D(31)), "每步扣分必须大于0且不超过权重30，当前为31"),
    (Bands(()), "考核项「库存准确率」的区间计分至少需要一个区间"),
    (Bands((Band(D(0), high=D("0.97")), Band(D(30), D("0.98")))), "第1个和第2个区间之间有空缺（0.97至0.98）"),
    (Bands((Band(D(0), high=D("0.99")), Band(D(30), D("0.98")))), "第1个和第2个区间重叠（0.98至0.99）"),
    (Bands((Band(D(0), high=D("0.99")), Band(D(31), D("0.99")))), "第2个区间的分数必须在0到权重30之间，当前为31"),
    (Bands((Band(D(-1), high=D("0.99")), Band(D(30), D("0.99")))), "第1个区间的分数必须在0到权重30之间，当前为-1"),
    (Bands((Band(D(0), D("0.5"), D("0.99")), Band(D(30), D("0.99")))),
     "第1个区间不能设下限，否则低于0.5的实际值没有分数"),
    (Bands((Band(D(0), high=D("0.99")), Band(D(30), D("0.99"), D("1")))),
     "最后一个区间不能设上限，否则高于1的实际值没有分数"),
    (Bands((Band(D(0), high=D("0.99")), Band(D(10), D("0.99"), D("0.99")), Band(D(30), D("0.99")))),
     "第2个区间的下限必须小于上限（0.99至0.99）"),
    (Bands((Band(D(0)), Band(D(30)))), "第1个和第2个区间必须首尾相接"),
])
def test_a_method_that_breaks_a_rule_is_refused_naming_the_item(method, message):
    error = refusal(warehouse(2, method=method))
    assert message in error.fields["items[2]"]
    assert error.code == "template_invalid"


def test_a_floor_belongs_to_the_ratio_only():
    error = refusal(warehouse(2, method=PassFail(), floor=D("0.6")))
    assert "考核项「库存准确率」按达标制计分，门槛系数只适用于比例计分" in error.fields["items[2]"]


# How the report words each method, the way HR wrote it.

@pytest.mark.parametrize("method, direction, display, label", [
    (Deduction(D("0.001"), D(2)), HIGHER, Display.PERCENT, "扣分制：每低于目标0.1%扣2分，不足0.1%按0.1%计，扣完为止"),
    (Deduction(D("0.0001"), D("1.5")), LOWER, Display.PERCENT,
     "扣分制：每高于目标0.01%扣1.5分，不足0.01%按0.01%计，扣完为止"),
    (Deduction(D(10000), D(2)), HIGHER, Display.MONEY,
     "扣分制：每低于目标10,000 CNY扣2分，不足10,000 CNY按10,000 CNY计，扣完为止"),
    (Deduction(D("0.1"), D(2)), HIGHER, Display.RATIO, "扣分制：每低于目标0.1扣2分，不足0.1按0.1计，扣完为止"),
    (ACCURACY_BANDS, HIGHER, Display.PERCENT, "区间计分：99.5%及以上得30分，98%（含）至99.5%得20分，低于98%得0分"),
    (MISSHIP_BANDS, LOWER, Display.PERCENT, "区间计分：0.1%及以下得30分，0.1%至0.3%（含）得15分，高于0.3%得0分"),
    (Bands((Band(D(30)),)), HIGHER, Display.PERCENT, "区间计分：一律得30分"),
    (PassFail(), HIGHER, Display.PERCENT, "达标制：达标得30分，未达标得0分"),
    (RATIO, HIGHER, Display.PERCENT, "比例计分：按完成率计分"),
])
def test_method_labels_read_as_hr_states_the_rule(method, direction, display, label):
    assert method_label(method, D(30), direction, display, currency="CNY") == label


def test_figures_of_a_rule_are_shown_exactly():
    assert exact_figure(D("0.00005"), Display.PERCENT) == "0.005%"
    assert exact_figure(D("1234567.5"), Display.MONEY, currency="USD") == "1,234,567.5 USD"
    assert exact_figure(D("2.5"), Display.NUMBER, unit="轮") == "2.5轮"
    assert exact_figure(D("4.5"), Display.RATING) == "4.5分"
