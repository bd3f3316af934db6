"""HR keeps the years of the work calendar (the console or the CLI): imports a year from a file,
edits one as lines of text, confirms a year, reads one. The clock records this year and next every day and tells HR once
a week while a year is unconfirmed (docs/product.md "Calendar years").

An import replaces the year's holidays and 调休 make-up days in one transaction, audited once with
the days before and after; the year then waits for HR to confirm it, and reminders, streaks, pace
and deadlines follow the imported days at once. Report windows already published keep the end they
were given (app.services.scoring.report_window).
"""

from datetime import date, datetime

from sqlalchemy import select

from app.domain.calendar_years import (
    FIRST_YEAR,
    LAST_YEAR,
    SOURCE_ZH,
    Source,
    YearDays,
    read_one_year,
    read_year_text,
    weekday_zh,
    year_text,
    years_to_tell,
)
from app.domain.errors import CalendarInvalid, Conflict
from app.extensions import db
from app.models import CalendarYear
from app.services import audit, authz, lookup
from app.services.calendar import load_public_holidays, record_year, replace_days, year_days
from app.services.notify import outbox
from app.services.usecase import JsonDict, now_or_clock, use_case

IMPORT_HINT = "人事后台「工作日历」页，或 flask calendar import 文件 --by 工号"


@use_case
def ensure_years(years: tuple[int, ...]) -> list[int]:
    """The clock's daily work: the shipped State Council years are loaded and each of `years` is
    recorded (a later year as provisional). Returns the years recorded now."""
    before = set(db.session.scalars(select(CalendarYear.year)))
    load_public_holidays()
    for year in years:
        record_year(year)
    db.session.commit()
    return sorted(set(db.session.scalars(select(CalendarYear.year))) - before)


@use_case
def import_year(document: object, *, hr_id: int) -> YearDays:
    """HR imports one year (the shipped table's format, app.domain.calendar_years): its days
    replace the year's, it is marked imported and unconfirmed, audited once. Returns the days."""
    authz.require(authz.actor(hr_id), authz.Action.EDIT_CALENDAR, authz.Subject())
    return _replace_year(read_one_year(document), "calendar.import", hr_id)


@use_case
def edit_year(year: int, text: str, *, hr_id: int) -> YearDays:
    """HR's edit of a year in the console, one festival per line (app.domain.calendar_years.year_text):
    stored and audited like an import, and the year waits for confirmation again."""
    authz.require(authz.actor(hr_id), authz.Action.EDIT_CALENDAR, authz.Subject())
    _check_year(year)
    return _replace_year(read_year_text(year, text), "calendar.edit", hr_id)


def _replace_year(days: YearDays, action: str, hr_id: int) -> YearDays:
    row, source, stored = year_days(days.year)
    before = _snapshot(source, bool(row and row.confirmed), stored)
    replace_days(days)
    if row is None:
        row = CalendarYear(year=days.year)
        db.session.add(row)
    row.source, row.confirmed, row.confirmed_by, row.confirmed_at = Source.HR_IMPORT, False, None, None
    row.updated_by = hr_id
    db.session.flush()
    audit.record(action, "calendar_year", row.id, actor_id=hr_id, before=before,
                 after=_snapshot(Source.HR_IMPORT, False, days))
    db.session.commit()
    return days


@use_case
def confirm_year(year: int, *, hr_id: int, now: datetime | None = None) -> str:
    """HR confirms a year as it stands (imported, shipped or provisional); audited. Returns how the
    year reads now, e.g. "2027年工作日历已确认（人事导入）：放假29天，调休上班2天"."""
    authz.require(authz.actor(hr_id), authz.Action.EDIT_CALENDAR, authz.Subject())
    _check_year(year)
    row = record_year(year)
    if row is None:
        raise Conflict("calendar_year_missing", f"{year}年还没有工作日历，请先导入（{IMPORT_HINT}）", {"year": year})
    if row.confirmed:
        raise Conflict("calendar_year_confirmed", f"{year}年的工作日历已经确认过了（{SOURCE_ZH[Source(row.source)]}）",
                       {"year": year})
    row.confirmed, row.confirmed_by, row.confirmed_at = True, hr_id, now_or_clock(now)
    _, _, days = year_days(year)
    audit.record("calendar.confirm", "calendar_year", row.id, actor_id=hr_id, before={"confirmed": False},
                 after={"confirmed": True, "source": row.source})
    db.session.commit()
    return f"{year}年工作日历已确认（{SOURCE_ZH[Source(row.source)]}）：{_counts(days)}"


def year_view(year: int) -> JsonDict:
    """A year as the calendar reads it, for HR: where it comes from, whether it is confirmed, its days."""
    _check_year(year)
    row, source, days = year_days(year)
    listed = sorted([(d, "放假", n) for d, n in days.holidays.items()]
                    + [(d, "调休上班", n) for d, n in days.workdays.items()])
    return {
        "year": year, "recorded": row is not None, "source": source.value if source else None,
        "source_zh": SOURCE_ZH[source] if source else "没有放假安排（周一至周五上班）",
        "confirmed": row.confirmed if row else source == Source.STATE_COUNCIL,
        "confirmed_by": lookup.name_of(row.confirmed_by) if row and row.confirmed_by else None,
        "confirmed_at": row.confirmed_at.isoformat(timespec="minutes") if row and row.confirmed_at else None,
        "counts_zh": _counts(days), "text": year_text(days),
        "days": [{"day": d.isoformat(), "weekday_zh": weekday_zh(d), "kind_zh": kind, "name": name}
                 for d, kind, name in listed],
    }


def unconfirmed_years(today: date) -> list[int]:
    """The years HR must hear are unconfirmed on `today` (app.domain.calendar_years.years_to_tell)."""
    confirmed = set(db.session.scalars(select(CalendarYear.year).where(CalendarYear.confirmed.is_(True))))
    return years_to_tell(today, confirmed)


@use_case
def tell_unconfirmed(today: date, now: datetime) -> list[int]:
    """The clock's weekly notice: each HR member hears which years are unconfirmed and what to do,
    once per ISO week (the dedupe key names the week). Returns the years named."""
    years = unconfirmed_years(today)
    if not years:
        return []
    week = today.isocalendar()
    lines = [_notice_line(year) for year in years]
    named = "、".join(f"{year}年" for year in years)
    body = ("【工作日历待确认】\n" + "\n".join(lines) + "\n国务院办公厅公布放假安排后，请在人事后台「工作日历」页"
            "导入或逐行编辑并确认（命令行：flask calendar import 文件 --by 工号，"
            "再 flask calendar confirm 年份 --by 工号）。"
            "确认前每周提醒一次。")
    for hr_id in lookup.hr_members():
        outbox.enqueue(hr_id, "calendar_unconfirmed", title="工作日历待确认", summary=f"{named}工作日历尚未确认",
                       body=body, dedupe_key=f"calendar_unconfirmed:{hr_id}:{week.year}-W{week.week:02d}", now=now,
                       data={"years": years})
    db.session.commit()
    return years


def _notice_line(year: int) -> str:
    _, source, days = year_days(year)
    if source == Source.HR_IMPORT:
        return f"{year}年：已导入（{_counts(days)}），尚未确认。"
    return (f"{year}年：尚未确认，目前只按节假日库推定的法定假日计算（{_counts(days)}），没有调休上班日；"
            "提醒、连续预警和申诉期限都按它计算。")


def _snapshot(source: Source | None, confirmed: bool, days: YearDays) -> JsonDict:
    """What the audit keeps of a year: its source, whether confirmed, and every day."""
    return {"source": source.value if source else None, "confirmed": confirmed,
            "holidays": {d.isoformat(): n for d, n in sorted(days.holidays.items())},
            "workdays": {d.isoformat(): n for d, n in sorted(days.workdays.items())}}


def _counts(days: YearDays) -> str:
    return f"放假{len(days.holidays)}天，调休上班{len(days.workdays)}天"


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarInvalid(f"年份应在{FIRST_YEAR}到{LAST_YEAR}之间", {"year": year})

