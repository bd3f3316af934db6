"""A year of the work calendar: the file HR imports is checked with every problem named in Chinese,
and HR hears of an unconfirmed year when it is due."""

import json
from datetime import date
from pathlib import Path

import pytest

from app.domain.calendar_years import read_one_year, read_year_text, read_years, year_text, years_to_tell
from app.domain.errors import CalendarInvalid

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "calendar" / "2027.json"
SHIPPED = ROOT / "app" / "data" / "cn_public_holidays.json"


def one_year(*festivals: dict) -> dict:
    return {"years": {"2027": list(festivals)}}


def problems(document: object) -> list[str]:
    with pytest.raises(CalendarInvalid) as refused:
        read_one_year(document)
    return refused.value.fields.get("problems", [refused.value.message])


def test_the_2027_fixture_reads_as_29_days_off_and_5_weekend_days_worked():
    year = read_one_year(json.loads(FIXTURE.read_text(encoding="utf-8")))
    assert year.year == 2027
    assert (len(year.holidays), len(year.workdays)) == (29, 5)
    assert year.holidays[date(2027, 2, 11)] == "春节"
    assert year.workdays[date(2027, 2, 14)] == "春节"
    assert {day.isoweekday() for day in year.workdays} <= {6, 7}


def test_the_shipped_state_council_table_passes_the_same_checks():
    [year] = read_years(json.loads(SHIPPED.read_text(encoding="utf-8")))
    assert year.year == 2026 and date(2026, 2, 17) in year.holidays and date(2026, 2, 14) in year.workdays


def test_every_problem_of_a_file_is_named_at_once():
    found = problems(one_year(
        {"name": "春节", "holidays": ["2027-02-05", "2027-2-6", "2026-12-31", "2027-02-05"],
         "workdays": ["2027-02-17", "2027-02-20"]},
        {"name": "", "holidays": ["2027-10-01"], "workdays": "2027-10-09"},
    ))
    assert found == [
        "春节的放假日期「2027-2-6」不是 YYYY-MM-DD 格式的日期",
        "春节的放假日期2026-12-31不在2027年",
        "2027-02-05重复出现（春节）",
        "2027-02-17是周三，本来就上班，不能作为调休上班日（春节）",
        "2027年第2个节日的名称应为1到32个字",
        "第2个节日的调休上班日期应为日期列表",
    ]


def test_a_day_cannot_be_both_off_and_worked_and_a_year_needs_days_off():
    assert problems(one_year({"name": "春节", "holidays": ["2027-02-14"], "workdays": ["2027-02-14"]})) == [
        "2027-02-14重复出现（春节）"]
    assert problems(one_year({"name": "调休", "holidays": [], "workdays": ["2027-02-14"]})) == [
        "2027年没有任何放假日期"]


@pytest.mark.parametrize("document, message", [
    ([], '工作日历文件应为 {"years": {"2027": [节日, …]}} 的格式'),
    ({"years": {}}, '工作日历文件应为 {"years": {"2027": [节日, …]}} 的格式'),
    ({"years": {"27": [{"name": "春节", "holidays": ["2027-02-05"]}]}}, "年份「27」应为2000到2100之间的四位数字"),
    ({"years": {"2027": []}}, "2027年应列出节日，每个节日写明名称、放假日期和调休上班日期"),
    ({"years": {"2027": ["春节"]}}, "2027年第1个节日应为带 name、holidays、workdays 的对象"),
])
def test_a_file_of_the_wrong_shape_is_refused_in_chinese(document, message):
    assert problems(document) == [message]


def test_an_import_is_one_year():
    two = {"years": {"2027": [{"name": "元旦", "holidays": ["2027-01-01"]}],
                     "2028": [{"name": "元旦", "holidays": ["2028-01-01"]}]}}
    assert len(read_years(two)) == 2
    with pytest.raises(CalendarInvalid, match="一次只能导入一年的工作日历，文件中有2027、2028"):
        read_one_year(two)


def test_hr_hears_of_this_year_whenever_unconfirmed_and_of_next_year_from_the_first_of_november():
    assert years_to_tell(date(2026, 10, 31), confirmed={2026}) == []
    assert years_to_tell(date(2026, 11, 1), confirmed={2026}) == [2027]
    assert years_to_tell(date(2026, 12, 31), confirmed={2026, 2027}) == []
    assert years_to_tell(date(2027, 2, 8), confirmed={2026}) == [2027]
    assert years_to_tell(date(2027, 11, 2), confirmed={2026}) == [2027, 2028]
    assert years_to_tell(date(2027, 11, 2), confirmed={2027}) == [2028]


def test_a_year_as_hr_edits_it_reads_back_the_same_days():
    days = read_one_year({"years": {"2027": [
        {"name": "元旦", "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": []},
        {"name": "春节", "holidays": ["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-10"],
         "workdays": ["2027-02-14", "2027-02-20"]}]}})
    text = year_text(days)
    assert text == ("元旦 | 2027-01-01~2027-01-03\n"
                    "春节 | 2027-02-06~2027-02-08 2027-02-10 | 2027-02-14 2027-02-20")
    assert read_year_text(2027, text) == days
    assert read_year_text(2027, "春节｜2027-02-06，2027-02-07、2027-02-08 2027-02-10|2027-02-14,2027-02-20\n\n"
                                "元旦 | 2027-01-01～2027-01-03") == days


@pytest.mark.parametrize("text, problem", [
    ("春节 | 2027-02-06~2027-02-0x", "第1行的日期范围「2027-02-06~2027-02-0x」应写作 YYYY-MM-DD~YYYY-MM-DD"),
    ("春节 | 2027-02-13~2027-02-06", "第1行的日期范围「2027-02-13~2027-02-06」应在31天以内且先早后晚"),
    ("春节 | 2027-02-06 | 2027-02-15 | 多余", "第1行应为「名称 | 放假日期 | 调休上班日期」"),
    ("春节 | 2027-02-06 | 2027-02-15", "2027-02-15是周一，本来就上班，不能作为调休上班日（春节）"),
    ("春节 | 2026-02-06", "春节的放假日期2026-02-06不在2027年"),
])
def test_an_edited_line_that_does_not_read_is_named(text, problem):
    with pytest.raises(CalendarInvalid) as refused:
        read_year_text(2027, text)
    assert problem in refused.value.message
