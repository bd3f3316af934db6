"""Company settings: every key parses what HR types, refuses nonsense, and round-trips through storage."""

import json
from datetime import time
from decimal import Decimal as D
from fractions import Fraction

import pytest

from app.domain.adjustments import AdjustmentLimit
from app.domain.errors import DomainError
from app.domain.settings import DEFAULTS, REGISTRY, CompanySettings, SettingInvalid

ACCEPTED = {  # key: (what HR types, what the rules read)
    "adjustment_limit": ("10/2.5", AdjustmentLimit(D(10), D("2.5"))),
    "pace_tolerance": ("7.5%", Fraction(3, 40)),
    "quiet_hours": ("22:30-07:00", (time(22, 30), time(7, 0))),
    "scoring_day": ("5", 5),
    "edit_until": ("9:30", time(9, 30)),
    "appeal_window_hours": ("48", 48),
    "reminder_at": ("19:00", time(19, 0)),
    "draft_day": ("20", 20),
    "retention_months": ("12", 12),
    "payroll_cutoff_day": ("15", 15),
}
REFUSED = {
    "adjustment_limit": ["5", "5/-1", "101/5", "五/五", "5/5/5"],
    "pace_tolerance": ["51%", "-1%", "五%", ""],
    "quiet_hours": ["21:00", "25:00-08:00", "晚上"],
    "scoring_day": ["1", "16", "3.5", "three", "", "²", "３"],
    "edit_until": ["24:00", "10", "10:60"],
    "appeal_window_hours": ["23", "241", "-72"],
    "reminder_at": ["7pm", "09:00"],
    "draft_day": ["14", "29"],
    "retention_months": ["0", "121"],
    "payroll_cutoff_day": ["0", "29", "十"],
    "grade_bands": ["优秀:85", "[]", json.dumps([{"code": "excellent", "label_zh": "优秀", "min_total": None,
                                                   "coefficient": "1"}])],
}


def test_the_defaults_are_the_documented_rules():
    assert DEFAULTS.scoring_day == 3 and DEFAULTS.draft_day == 25 and DEFAULTS.appeal_window_hours == 72
    assert DEFAULTS.quiet_hours == (time(21), time(8)) and DEFAULTS.edit_until == time(10)
    assert DEFAULTS.reminder_at == time(18) and DEFAULTS.retention_months == 24
    assert [b.label_zh for b in DEFAULTS.grade_bands.bands] == ["优秀", "良好", "合格", "不合格"]
    assert DEFAULTS.appeal_window_zh == "3天"


@pytest.mark.parametrize("key", sorted(ACCEPTED))
def test_each_setting_reads_what_hr_types_and_round_trips(key):
    typed, value = ACCEPTED[key]
    changed = DEFAULTS.changed(key, typed)
    assert getattr(changed, key) == value
    assert CompanySettings.from_stored(json.loads(json.dumps(changed.stored()))) == changed


@pytest.mark.parametrize(("key", "typed"), [(k, t) for k, values in REFUSED.items() for t in values])
def test_each_setting_refuses_nonsense_with_a_chinese_message(key, typed):
    with pytest.raises(SettingInvalid) as caught:
        DEFAULTS.changed(key, typed)
    assert caught.value.code == "setting_invalid" and key in caught.value.fields
    assert REGISTRY[key].label_zh in caught.value.message or "等级" in caught.value.message


def test_grade_bands_are_set_as_json_and_keep_exact_minimums_and_coefficients():
    typed = json.dumps([
        {"code": "excellent", "label_zh": "A", "min_total": "90", "coefficient": "1.5"},
        {"code": "good", "label_zh": "B", "min_total": "72.5", "coefficient": "1"},
        {"code": "fail", "label_zh": "C", "min_total": None, "coefficient": "0.6"},
    ])
    bands = DEFAULTS.changed("grade_bands", typed).grade_bands
    assert bands.grade_for(D("72.5")).label_zh == "B" and bands.grade_for(D("72.4")).label_zh == "C"
    assert bands.by_code("excellent").coefficient == D("1.5")


def test_grade_bands_must_descend_and_keep_the_codes_outcomes_use():
    unordered = [{"code": "excellent", "label_zh": "优秀", "min_total": 60, "coefficient": 1},
                 {"code": "good", "label_zh": "良好", "min_total": 75, "coefficient": 1},
                 {"code": "fail", "label_zh": "不合格", "min_total": None, "coefficient": 0}]
    with pytest.raises(SettingInvalid, match="严格递减"):
        DEFAULTS.changed("grade_bands", json.dumps(unordered))
    renamed = [dict(unordered[1], min_total=85), dict(unordered[0], code="ok"), unordered[2]]
    with pytest.raises(SettingInvalid, match="excellent"):
        DEFAULTS.changed("grade_bands", json.dumps(renamed))


def test_a_reminder_inside_quiet_hours_is_refused_either_way_round():
    with pytest.raises(SettingInvalid, match="免打扰"):
        DEFAULTS.changed("reminder_at", "22:00")
    with pytest.raises(SettingInvalid, match="免打扰"):
        DEFAULTS.changed("quiet_hours", "17:00-08:00")


def test_an_unknown_key_is_a_404_and_a_stored_unknown_key_is_ignored():
    with pytest.raises(DomainError) as caught:
        DEFAULTS.changed("colour", "red")
    assert caught.value.code == "unknown_setting" and caught.value.status == 404
    assert CompanySettings.from_stored({"colour": "red"}) == DEFAULTS


def test_a_window_that_is_not_whole_days_reads_in_hours():
    assert DEFAULTS.changed("appeal_window_hours", "36").appeal_window_zh == "36小时"
