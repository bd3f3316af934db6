"""Subscribe-message field rules (docs/wechat.md §8): what WeChat would refuse is refused before sending."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.wechat.errors import FieldRuleViolation
from app.wechat.subscribe import (
    build_data,
    check_field,
    field_type,
    format_date,
    format_time,
    truncate_thing,
)

ACCEPTED = [
    ("thing1", "这" * 20),
    ("thing1", "Amazon 广告 ACoS 超标!"),
    ("number2", "12"),
    ("number2", "98.5"),
    ("number2", "1" * 32),
    ("letter3", "ABC"),
    ("symbol4", "%%"),
    ("character_string5", "KPI-2024-05#1"),
    ("time6", "15:01"),
    ("time6", "2019年10月1日 15:01"),
    ("time6", "15:01~16:00"),
    ("date7", "2019年10月1日"),
    ("date7", "2019年10月1日 15:01 ~ 2019年10月2日 15:01"),
    ("amount8", "¥100.00"),
    ("amount8", "100元"),
    ("phone_number9", "+86 138-0000-0000"),
    ("car_number10", "粤B12345"),
    ("name11", "欧阳娜娜"),
    ("name11", "Mary Jane"),
    ("phrase12", "待审核"),
    ("enum13", "1"),
]

REFUSED = [
    ("thing1", "这" * 21),
    ("thing1", ""),
    ("number2", "1" * 33),
    ("number2", "12件"),
    ("number2", "-3"),
    ("letter3", "AB1"),
    ("symbol4", "%%%%%%"),
    ("character_string5", "中文"),
    ("character_string5", "a" * 33),
    ("time6", "下午三点"),
    ("time6", "2019-10-01 15:01"),
    ("date7", "2019-10-01"),
    ("amount8", "100 美元"),
    ("amount8", "¥12345678901"),
    ("phone_number9", "1" * 18),
    ("car_number10", "粤B123456789"),
    ("name11", "张San"),
    ("name11", "这是一个超过十个字的名字啊"),
    ("phrase12", "通过审核了吗"),
    ("phrase12", "ok"),
    ("keyword1", "untyped keys are not sent to subscribe templates"),
]


@pytest.mark.parametrize(("key", "value"), ACCEPTED)
def test_values_wechat_documents_are_accepted(key, value):
    assert check_field(key, value) is None


@pytest.mark.parametrize(("key", "value"), REFUSED)
def test_values_wechat_would_refuse_are_named(key, value):
    assert check_field(key, value)


def test_the_type_is_the_letters_of_the_key():
    assert field_type("character_string12") == "character_string"
    assert field_type("thing1") == "thing"
    assert field_type("first") is None


def test_build_data_wraps_values_and_formats_numbers_without_exponents():
    data = build_data({"thing1": "进度", "number2": Decimal("1E+3"), "amount3": "¥12.50"})
    assert data == {"thing1": {"value": "进度"}, "number2": {"value": "1000"}, "amount3": {"value": "¥12.50"}}


def test_every_bad_field_is_named_in_one_error_in_chinese():
    with pytest.raises(FieldRuleViolation) as refused:
        build_data({"thing1": "这" * 25, "number2": "3.5", "phrase3": "非常非常好的"})
    error = refused.value
    assert error.code == "subscribe_field_invalid"
    assert set(error.fields) == {"thing1", "phrase3"}
    assert "25" in error.fields["thing1"]
    assert "thing1" in error.message and "phrase3" in error.message


def test_no_fields_is_refused():
    with pytest.raises(FieldRuleViolation):
        build_data({})


def test_official_account_templates_may_keep_untyped_keys_but_typed_ones_are_checked():
    assert build_data({"keyword1": "任意", "thing2": "好"}, allow_untyped=True)["keyword1"] == {"value": "任意"}
    with pytest.raises(FieldRuleViolation):
        build_data({"keyword1": "任意", "thing2": "这" * 21}, allow_untyped=True)


def test_truncating_free_text_is_explicit_and_marked():
    assert truncate_thing("短") == "短"
    cut = truncate_thing("这" * 30)
    assert len(cut) == 20 and cut.endswith("…")
    assert check_field("thing1", cut) is None


def test_date_and_time_helpers_produce_accepted_values():
    assert format_date(date(2024, 5, 1)) == "2024年5月1日"
    assert format_time(datetime(2024, 5, 1, 9, 5)) == "2024年5月1日 09:05"
    assert check_field("date1", format_date(date(2024, 5, 1))) is None
    assert check_field("time1", format_time(datetime(2024, 5, 1, 9, 5))) is None
