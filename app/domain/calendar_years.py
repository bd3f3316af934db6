"""A year of the work calendar (工作日历) as the company keeps it: its days, where they came from,
whether they are confirmed, and when HR must hear that a year is not (docs/product.md "Calendar
years").

A year is **confirmed** when its days are the State Council's published schedule (国务院办公厅通知,
shipped with the product) or when HR has checked a year and confirmed it. Any other year is
**provisional**: its public holidays come from the `holidays` library (app.services.calendar) and
it has no 调休 make-up working day at all — only the State Council's notice decides which weekend
days are worked, so a provisional year never invents one.

HR imports a year as a file in the shipped table's format (app/data/cn_public_holidays.json) with
exactly one year:

    {"years": {"2027": [{"name": "春节", "holidays": ["2027-02-05", …], "workdays": ["2027-02-14"]}, …]}}

Every problem in a file is named at once, in Chinese, so HR fixes the file in one go.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .errors import CalendarInvalid

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a calendar can be kept for (the library's lunar table ends in 2100)
NAME_LENGTH = 32  # CalendarDay.name
NOTICE_FROM = (11, 1)  # from 1 November, next year's calendar is due: HR hears of it while unconfirmed
PROBLEMS_SHOWN = 10
WEEKDAYS_ZH = "一二三四五六日"


class Source(StrEnum):
    STATE_COUNCIL = "state_council"  # the State Council's notice, shipped in app/data (confirmed)
    LIBRARY = "library"  # public holidays from the `holidays` library (provisional until HR confirms)
    HR_IMPORT = "hr_import"  # a file HR imported (confirmed once HR confirms it)


SOURCE_ZH = {
    Source.STATE_COUNCIL: "国务院办公厅放假通知（随系统发布）",
    Source.LIBRARY: "节假日库推定（只有法定假日，没有调休上班日）",
    Source.HR_IMPORT: "人事导入",
}


@dataclass(frozen=True)
class YearDays:
    """One year's exceptions to the weekly pattern: holidays and 调休 make-up working days, by name."""

    year: int
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]


def weekday_zh(day: date) -> str:
    return "周" + WEEKDAYS_ZH[day.isoweekday() - 1]


def read_years(document: object, what: str = "工作日历文件") -> list[YearDays]:
    """The years of a schedule file (the shipped table's format), or CalendarInvalid naming every
    problem: a year outside 2000–2100, a date that is not YYYY-MM-DD or not in its year, a date
    listed twice, a make-up working day that is not a Saturday or Sunday, a festival without a name."""
    problems: list[str] = []
    years = document.get("years") if isinstance(document, dict) else None
    if not isinstance(years, dict) or not years:
        raise CalendarInvalid('工作日历文件应为 {"years": {"2027": [节日, …]}} 的格式', {"years": "缺少年份"})
    found = [_read_year(key, entries, problems) for key, entries in years.items()]
    if problems:
        shown = "；".join(problems[:PROBLEMS_SHOWN]) + (f"；另有{len(problems) - PROBLEMS_SHOWN}处" if
                                                       len(problems) > PROBLEMS_SHOWN else "")
        raise CalendarInvalid(f"{what}有{len(problems)}处错误：{shown}", {"problems": problems})
    return [year for year in found if year is not None]


def read_one_year(document: object, what: str = "工作日历文件") -> YearDays:
    """A file HR imports: exactly one year, checked as `read_years` does."""
    years = read_years(document, what)
    if len(years) != 1:
        listed = "、".join(str(y.year) for y in years)
        raise CalendarInvalid(f"一次只能导入一年的工作日历，文件中有{listed}", {"years": listed})
    return years[0]


def _read_year(key: object, entries: object, problems: list[str]) -> YearDays | None:
    year = int(key) if isinstance(key, str) and key.isdigit() and len(key) == 4 else None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(f"年份「{key}」应为{FIRST_YEAR}到{LAST_YEAR}之间的四位数字")
        return None
    if not isinstance(entries, list) or not entries:
        problems.append(f"{year}年应列出节日，每个节日写明名称、放假日期和调休上班日期")
        return None
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    earlier = len(problems)
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"{year}年第{index}个节日应为带 name、holidays、workdays 的对象")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_LENGTH:
            problems.append(f"{year}年第{index}个节日的名称应为1到{NAME_LENGTH}个字")
            name = f"第{index}个节日"
        name = name.strip()
        for field, into in (("holidays", holidays), ("workdays", workdays)):
            for day in _dates(year, name, field, entry.get(field, []), problems):
                if day in holidays or day in workdays:
                    problems.append(f"{day.isoformat()}重复出现（{name}）")
                elif field == "workdays" and day.isoweekday() < 6:
                    problems.append(f"{day.isoformat()}是{weekday_zh(day)}，本来就上班，不能作为调休上班日（{name}）")
                else:
                    into[day] = name
    if not holidays and len(problems) == earlier:  # a year whose entries were all wrong says so already
        problems.append(f"{year}年没有任何放假日期")
    return YearDays(year, holidays, workdays)


def _dates(year: int, name: str, field: str, raw: object, problems: list[str]) -> list[date]:
    what = "放假日期" if field == "holidays" else "调休上班日期"
    if not isinstance(raw, list):
        problems.append(f"{name}的{what}应为日期列表")
        return []
    days = []
    for text in raw:
        try:
            day = date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            problems.append(f"{name}的{what}「{text}」不是 YYYY-MM-DD 格式的日期")
        elif day.year != year:
            problems.append(f"{name}的{what}{day.isoformat()}不在{year}年")
        else:
            days.append(day)
    return days


def years_to_tell(today: date, confirmed: Collection[int]) -> list[int]:
    """The years HR must hear are unconfirmed on `today`: this year whenever it is, and next year
    from 1 November on (the State Council usually publishes the next year's schedule in November)."""
    due = [today.year]
    if (today.month, today.day) >= NOTICE_FROM:
        due.append(today.year + 1)
    return [year for year in due if year not in confirmed]


def year_text(days: YearDays) -> str:
    """A year as HR edits it in the console, one festival per line:
    "春节 | 2027-02-06~2027-02-13 | 2027-02-14" (name | days off | 调休 working days); a run of
    consecutive days is written as a range."""
    names: dict[str, tuple[list[date], list[date]]] = {}
    for day, name in sorted(days.holidays.items()):
        names.setdefault(name, ([], []))[0].append(day)
    for day, name in sorted(days.workdays.items()):
        names.setdefault(name, ([], []))[1].append(day)
    ordered = sorted(names.items(), key=lambda pair: min(pair[1][0] + pair[1][1]))
    return "\n".join(f"{name} | {_runs(off)} | {_runs(on)}".rstrip(" |") for name, (off, on) in ordered)


def _runs(days: list[date]) -> str:
    runs: list[list[date]] = []
    for day in days:
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return " ".join(r[0].isoformat() if len(r) == 1 else f"{r[0].isoformat()}~{r[-1].isoformat()}" for r in runs)


def read_year_text(year: int, text: str) -> YearDays:
    """HR's edited lines (see `year_text`) as a year, checked like an imported file; a line that is
    not "name | days off | working days", or a range that does not read, is named in the refusal."""
    entries, problems = [], []
    for number, line in enumerate(text.replace("｜", "|").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            problems.append(f"第{number}行应为「名称 | 放假日期 | 调休上班日期」")
            continue
        parts += [""] * (3 - len(parts))
        entries.append({"name": parts[0], "holidays": _listed(parts[1], number, problems),
                        "workdays": _listed(parts[2], number, problems)})
    if problems:
        raise CalendarInvalid("；".join(problems[:PROBLEMS_SHOWN]), {"problems": problems})
    return read_one_year({"years": {str(year): entries}}, "编辑的内容")


def _listed(text: str, number: int, problems: list[str]) -> list[str]:
    """"2027-02-06~2027-02-09 2027-02-14" → each day as text; a day that is not a date is kept as
    typed, so the year's check names it."""
    days: list[str] = []
    for token in text.replace("，", " ").replace(",", " ").replace("、", " ").replace("～", "~").split():
        first, _, last = token.partition("~")
        if not last:
            days.append(first)
            continue
        try:
            start, end = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            problems.append(f"第{number}行的日期范围「{token}」应写作 YYYY-MM-DD~YYYY-MM-DD")
            continue
        if not 0 <= (end - start).days < 31:
            problems.append(f"第{number}行的日期范围「{token}」应在31天以内且先早后晚")
            continue
        days.extend((start + timedelta(days=offset)).isoformat() for offset in range((end - start).days + 1))
    return days
