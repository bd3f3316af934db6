"""Template validation: each rule refuses with a Chinese message naming the item."""

from dataclasses import replace
from decimal import Decimal as D

import pytest

from app.domain.builtin import load_builtin
from app.domain.errors import TemplateInvalid
from app.domain.templates import KpiTemplate, Rater, TemplateItem, validate_template


@pytest.fixture
def library():
    return load_builtin().library


def ops(**changes) -> KpiTemplate:
    return replace(load_builtin().template("ops"), **changes)


def with_item(index: int, **changes) -> KpiTemplate:
    template = ops()
    items = list(template.items)
    items[index] = replace(items[index], **changes)
    return replace(template, items=tuple(items))


def refusal(template, library) -> TemplateInvalid:
    with pytest.raises(TemplateInvalid) as caught:
        validate_template(template, library)
    assert caught.value.code == "template_invalid"
    return caught.value


def test_the_seed_template_is_valid(library):
    validate_template(ops(), library)


def test_weights_must_total_exactly_100_and_the_message_states_the_sum(library):
    error = refusal(with_item(0, weight=D("29.9")), library)
    assert "权重合计必须等于100，当前合计为99.9" in error.message
    assert error.fields["weights"].endswith("99.9")


def test_weights_over_100_are_refused_too(library):
    assert "当前合计为101" in refusal(with_item(0, weight=D(31)), library).message


def test_a_zero_target_is_refused_naming_the_item(library):
    error = refusal(with_item(2, target=D(0)), library)
    assert "考核项「广告ROI」的目标值必须大于0" in error.message
    assert "广告ROI" in error.fields["items[2]"]


def test_a_negative_target_is_refused(library):
    assert "考核项「新品转化率」的目标值必须大于0" in refusal(with_item(1, target=D("-0.05")), library).message


def test_an_unknown_indicator_is_refused_naming_its_code(library):
    error = refusal(with_item(0, indicator_code="ops_gmv"), library)
    assert "考核项「ops_gmv」的指标不在指标库中" in error.fields["items[0]"]


def test_a_cap_below_one_is_refused(library):
    error = refusal(with_item(2, cap=D("0.9")), library)
    assert "考核项「广告ROI」的封顶系数不能小于1，当前为0.9" in error.message


def test_a_floor_at_or_above_the_cap_is_refused(library):
    error = refusal(with_item(2, floor=D("1.2")), library)
    assert "考核项「广告ROI」的门槛系数必须不小于0且小于封顶系数（门槛1.2，封顶1.2）" in error.message


def test_a_floor_just_below_the_cap_is_accepted(library):
    validate_template(with_item(2, floor=D("1.19")), library)


def test_a_zero_weight_item_is_refused(library):
    template = ops()
    items = (*template.items, TemplateItem("ops_ad_roi", D(0), D(3)))
    error = refusal(replace(template, items=items), library)
    assert "考核项「广告ROI」重复出现" in error.message and "权重必须大于0" in error.message


def test_a_monitoring_indicator_cannot_be_scored(library):
    cs = load_builtin().template("cs")
    items = list(cs.items)
    items[0] = replace(items[0], indicator_code="cs_avg_reply_seconds")
    error = refusal(replace(cs, items=tuple(items)), library)
    assert "考核项「平均响应时长」是监控指标，不能计入考核" in error.message


def test_a_qualitative_item_needs_a_rater_and_a_quantitative_one_has_none(library):
    assert "必须指定评分人" in refusal(with_item(3, rater=None), library).fields["items[3]"]
    assert "是定量指标，不设评分人" in refusal(with_item(0, rater=Rater.MANAGER), library).fields["items[0]"]


def test_an_empty_template_and_a_bad_currency_are_refused(library):
    error = refusal(ops(items=(), currency="usd"), library)
    assert set(error.fields) == {"items", "currency"}
    assert "至少需要一个考核项" in error.message


def test_every_problem_is_reported_at_once(library):
    template = with_item(2, target=D(0), cap=D("0.5"))
    error = refusal(template, library)
    assert "目标值必须大于0" in error.fields["items[2]"] and "封顶系数不能小于1" in error.fields["items[2]"]
    assert error.message.startswith("考核模板「运营」不合规：")


def test_the_template_finds_its_item_by_indicator():
    assert ops().item("ops_ad_roi").target == D("3.0")
    assert ops().item("nope") is None
