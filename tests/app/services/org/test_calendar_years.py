"""The calendar's years on the injected clock (docs/product.md "Calendar years").

February 2027 before HR imported 2027: no reminder on a provisional 春节 day (a statutory one or one
of the library's observed days), no make-up working day invented, HR told once a week that 2027 is
unconfirmed. After HR imports a 2027 file with 调休 days (tests/fixtures/calendar/2027.json: 春节
from Friday 5 to Saturday 13 February, Sunday 14 and Saturday 20 worked), reminders, streaks and
appeal deadlines follow it. Loading the shipped and the library's years is idempotent and never
overwrites what HR imported or confirmed.
"""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.domain.errors import CalendarInvalid
from app.models import AuditLog, CalendarDay, CalendarYear, Employee, Observation, OutboxMessage, Report, WeChatIdentity
from app.services import tick
from app.services.calendar import company_calendar, load_public_holidays
from app.services.news import alerts
from app.services.org import calendar_years
from tests.support.company import department, hire, open_month, publish, reported_by_hand, small_company
from tests.support.outbox import WECOM, run_worker

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "calendar" / "2027.json"
SPRING_FESTIVAL_2027 = [date(2027, 2, d) for d in range(5, 14)]  # Friday 5 to Saturday 13 February, as imported


def shanghai(month: int, day: int, hour: int, minute: int = 0, year: int = 2027) -> datetime:
    """Naive UTC of a Shanghai wall-clock time (UTC+8)."""
    return datetime(year, month, day, hour, minute) - timedelta(hours=8)


def fixture_document() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def everyone_on_wecom(session, standin) -> None:
    for employee in session.scalars(select(Employee)).all():
        session.add(WeChatIdentity(employee_id=employee.id, channel="wecom", external_id=f"u{employee.id}"))
        standin.add_user(f"u{employee.id}", employee.name)
    session.commit()


def texts_to(standin, employee: Employee) -> list[str]:
    return [r["json"]["text"]["content"] for r in standin.requests(WECOM) if r.get("errcode") == 0
            and r["json"].get("msgtype") == "text" and r["json"]["touser"] == f"u{employee.id}"]


def notices(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.kind == "calendar_unconfirmed"))


@pytest.fixture
def february(db_session, redis_client, standin, clock):
    """The small company on WeCom; a tick at 09:05 on Monday 1 February 2027 opens February and
    records 2027 (and 2028) from the library: nobody has imported 2027. The team reports its ad ROI
    by hand, so the evening reminder has something to ask for."""
    people = small_company()
    reported_by_hand("ops_ad_roi")
    everyone_on_wecom(db_session, standin)

    def tick_at(moment: datetime) -> dict:
        clock.now = moment
        return tick.run_due(moment)

    first = tick_at(shanghai(2, 1, 9, 5))
    assert first["opened"] is not None
    return people, tick_at, first


def test_february_2027_unimported_has_no_reminder_on_festival_days_no_invented_workday_and_hr_is_told(
        db_session, redis_client, standin, clock, february):
    people, tick_at, first = february
    assert first["calendar"] == {"recorded": [2027, 2028], "told": [2027]}
    year = db_session.scalar(select(CalendarYear).where(CalendarYear.year == 2027))
    assert (year.source, year.confirmed) == ("library", False)
    days = dict(db_session.execute(select(CalendarDay.day, CalendarDay.name).where(
        CalendarDay.day.between(date(2027, 2, 1), date(2027, 2, 28)))).all())
    assert days == {date(2027, 2, 5): "农历除夕", date(2027, 2, 6): "春节", date(2027, 2, 7): "春节",
                    date(2027, 2, 8): "春节", date(2027, 2, 9): "春节（补假）", date(2027, 2, 10): "春节（补假）"}
    assert db_session.scalar(select(func.count()).select_from(CalendarDay).where(
        CalendarDay.kind == "workday", CalendarDay.day >= date(2027, 1, 1))) == 0

    assert tick_at(shanghai(2, 8, 18))["reminders"] == 0  # 初三, a Monday
    assert tick_at(shanghai(2, 9, 18))["reminders"] == 0  # the library's observed day (补假)
    assert tick_at(shanghai(2, 11, 18))["reminders"] == 3  # a working day until someone says otherwise
    assert tick_at(shanghai(2, 14, 18))["reminders"] == 0  # Sunday: no make-up day invented
    assert tick_at(shanghai(2, 20, 18))["reminders"] == 0  # Saturday: likewise

    assert notices(db_session) == 3  # weeks 5, 6 and 7 of 2027, once each, to the one HR member
    run_worker(redis_client)
    [told, *_] = texts_to(standin, people.hr)
    assert told.startswith("【工作日历待确认】\n2027年：尚未确认，目前只按节假日库推定的法定假日计算"
                           "（放假19天，调休上班0天），没有调休上班日；")
    assert "人事后台「工作日历」页" in told and "flask calendar confirm 年份 --by 工号" in told
    assert all("工作日历" not in text for who in people.assessed for text in texts_to(standin, who))


def test_after_hr_imports_2027_reminders_follow_its_days_off_and_make_up_days_until_confirmed(
        db_session, redis_client, standin, clock, runner, february):
    people, tick_at, _ = february
    result = runner.invoke(args=["calendar", "import", str(FIXTURE), "--by", people.hr.employee_no])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("已导入2027年工作日历：放假29天，调休上班5天。"
                                     f"核对无误后请执行 flask calendar confirm 2027 --by {people.hr.employee_no}")

    assert tick_at(shanghai(2, 11, 18))["reminders"] == 0  # a day off in the imported schedule
    assert tick_at(shanghai(2, 12, 18))["reminders"] == 0
    assert tick_at(shanghai(2, 14, 18))["reminders"] == 3  # the make-up Sunday
    assert tick_at(shanghai(2, 15, 18))["reminders"] == 3
    assert tick_at(shanghai(2, 20, 18))["reminders"] == 3  # the make-up Saturday
    assert tick_at(shanghai(2, 21, 18))["reminders"] == 0  # an ordinary Sunday
    run_worker(redis_client)
    assert texts_to(standin, people.hr)[-1].startswith(
        "【工作日历待确认】\n2027年：已导入（放假29天，调休上班5天），尚未确认。")

    confirmed = runner.invoke(args=["calendar", "confirm", "2027", "--by", people.hr.employee_no])
    assert confirmed.exit_code == 0, confirmed.output
    assert confirmed.stdout.strip() == "2027年工作日历已确认（人事导入）：放假29天，调休上班5天"
    before = notices(db_session)
    assert tick_at(shanghai(2, 22, 9))["calendar"] == {"recorded": [], "told": []}  # a new week: nothing to tell
    assert notices(db_session) == before


def test_a_slow_reply_streak_follows_the_imported_holiday_and_its_make_up_sunday(db_session, redis_client):
    people = small_company()
    alerts.load_default_rules()
    agent = hire("孙客服", department("cs", "客服部"), position="cs", manager=people.boss)
    db_session.commit()
    for day in (date(2027, 2, 3), date(2027, 2, 4), date(2027, 2, 14)):  # Wednesday, Thursday, the make-up Sunday
        db_session.add(Observation(employee_id=agent.id, indicator_code="cs_avg_reply_seconds", day=day,
                                   numerator=Decimal(4500), denominator=Decimal(100), source="zendesk",
                                   provenance="verified", external_ref=f"test/{day}"))
    db_session.commit()
    calendar_years.ensure_years((2027,))
    fingerprint = f"cs_reply_slow_streak:{agent.id}:2027-02-03"

    # Provisional: Thursday 11 and Friday 12 are working days without a figure, and Sunday 14 a rest day.
    assert fingerprint not in [a.fingerprint for a in alerts.evaluate_employee(agent.id, date(2027, 2, 14))]

    calendar_years.import_year(fixture_document(), hr_id=people.hr.id)
    [alert] = [a for a in alerts.evaluate_employee(agent.id, date(2027, 2, 14)) if a.fingerprint == fingerprint]
    assert [d["day"] for d in alert.evidence["days"]] == ["2027-02-03", "2027-02-04", "2027-02-14"]


@pytest.mark.parametrize("imported, closes", [
    (False, shanghai(2, 12, 9)),  # 15 h on Wed 3, 24 on Thu 4, 24 on Thu 11, 9 on Fri 12: the provisional 春节
    (True, shanghai(2, 15, 9)),  # 15 h on Wed 3, 24 on Thu 4, 24 on the make-up Sunday 14, 9 on Mon 15
])
def test_the_appeal_window_of_january_2027_counts_the_calendar_it_was_published_on(db_session, imported, closes):
    people = small_company()
    calendar_years.ensure_years((2027,))
    if imported:
        calendar_years.import_year(fixture_document(), hr_id=people.hr.id)
    january = open_month(2027, 1)
    publish(january)  # Wednesday 3 February 2027, 09:00
    windows = db_session.scalars(select(Report.window_closes_at)).all()
    assert len(windows) == 3 and set(windows) == {closes}


def test_a_year_nobody_recorded_reads_as_the_library_year_in_memory(db_session):
    small_company()  # the shipped 2026 only
    calendar = company_calendar()
    assert [calendar.is_working_day(date(2027, 2, d)) for d in range(5, 12)] == [
        False, False, False, False, False, False, True]
    assert not [day for day in calendar.makeup_days if day.year >= 2027]
    assert not calendar.is_working_day(date(2030, 2, 4))  # 春节 2030 (a Monday) is never a working day either
    calendar_years.ensure_years((2027, 2028))
    assert company_calendar() == calendar


def test_loading_is_idempotent_and_never_overwrites_what_hr_imported_or_confirmed(db_session, tmp_path):
    people = small_company()
    assert calendar_years.ensure_years((2026, 2027, 2028)) == [2027, 2028]
    assert calendar_years.ensure_years((2026, 2027, 2028)) == []
    rows = {row.year: (row.source, row.confirmed) for row in db_session.scalars(select(CalendarYear))}
    assert rows == {2026: ("state_council", True), 2027: ("library", False), 2028: ("library", False)}

    correction = {"years": {"2026": [{"name": "公司年假", "holidays": ["2026-12-31"], "workdays": []}]}}
    calendar_years.import_year(correction, hr_id=people.hr.id)
    calendar_years.confirm_year(2028, hr_id=people.hr.id)
    release = tmp_path / "cn_public_holidays.json"  # a later release ships the State Council's 2026–2028
    release.write_text(json.dumps({"years": {
        "2026": [{"name": "元旦", "holidays": ["2026-01-01"], "workdays": []}],
        **fixture_document()["years"],
        "2028": [{"name": "元旦", "holidays": ["2028-01-01"], "workdays": []}]}}), encoding="utf-8")
    load_public_holidays(release)
    db_session.commit()

    rows = {row.year: (row.source, row.confirmed) for row in db_session.scalars(select(CalendarYear))}
    assert rows == {2026: ("hr_import", False), 2027: ("state_council", True), 2028: ("library", True)}
    calendar = company_calendar()
    assert not calendar.is_working_day(date(2026, 12, 31)) and calendar.is_working_day(date(2026, 2, 17))
    assert not any(calendar.is_working_day(day) for day in SPRING_FESTIVAL_2027)
    assert calendar.is_working_day(date(2027, 2, 14))
    assert not calendar.is_working_day(date(2028, 1, 26))  # 春节 2028 as the library has it, confirmed by HR


def test_the_cli_shows_a_year_and_refuses_a_bad_file_or_someone_not_hr_without_changing_anything(db_session, runner):
    people = small_company()
    shown = runner.invoke(args=["calendar", "show", "2027"])
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0] == "2027年工作日历：节假日库推定（只有法定假日，没有调休上班日），未确认；放假19天，调休上班0天"
    assert "2027-02-09\t周二\t放假\t春节（补假）" in lines

    bad = {"years": {"2027": [{"name": "春节", "holidays": ["2027-02-05"], "workdays": ["2027-02-17"]}]}}
    cases = [
        (json.dumps(bad), people.hr.employee_no, "2027-02-17是周三，本来就上班，不能作为调休上班日（春节）"),
        ('{"years": ', people.hr.employee_no, "工作日历文件不是有效的 JSON"),
        (FIXTURE.read_text(encoding="utf-8"), people.star.employee_no, "只有人事可以导入和确认工作日历"),
        (FIXTURE.read_text(encoding="utf-8"), "X999", "找不到员工「X999」"),
    ]
    for text, by, message in cases:
        result = runner.invoke(args=["calendar", "import", "-", "--by", by], input=text)
        assert result.exit_code == 2 and message in result.stderr, (by, result.stderr)
    assert db_session.scalar(select(func.count()).select_from(CalendarYear)) == 1  # 2026, shipped
    assert db_session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("calendar.%"))) == 0

    assert runner.invoke(args=["calendar", "import", str(FIXTURE), "--by", people.hr.employee_no]).exit_code == 0
    [audit] = db_session.scalars(select(AuditLog).where(AuditLog.action == "calendar.import")).all()
    assert (audit.actor_id, audit.before["source"], audit.after["source"]) == (people.hr.id, "library", "hr_import")
    assert "2027-02-09" in audit.before["holidays"] and audit.after["workdays"]["2027-02-14"] == "春节"
    assert runner.invoke(args=["calendar", "confirm", "2027", "--by", people.hr.employee_no]).exit_code == 0
    again = runner.invoke(args=["calendar", "confirm", "2027", "--by", people.hr.employee_no])
    assert again.exit_code == 2 and "2027年的工作日历已经确认过了（人事导入）" in again.stderr
    shown = runner.invoke(args=["calendar", "show", "2027"]).stdout.splitlines()[0]
    assert shown.startswith(f"2027年工作日历：人事导入，已确认（{people.hr.name} ")
    assert runner.invoke(args=["calendar", "confirm", "2025", "--by", people.hr.employee_no]).stderr.strip() == (
        "2025年还没有工作日历，请先导入（人事后台「工作日历」页，或 flask calendar import 文件 --by 工号）")


def test_a_provisional_year_keeps_no_day_off_bought_with_a_make_up_working_day():
    import holidays

    from app.services.calendar import public_days_off

    known = holidays.country_holidays("CN", years=2026, language="zh_CN", categories=("public",))
    kept = dict(public_days_off(known.items()))
    assert date(2026, 1, 2) in known and date(2026, 1, 2) not in kept  # swapped for Sunday 4 January
    assert date(2026, 10, 7) in known and date(2026, 10, 7) not in kept  # swapped for Saturday 10 October
    assert kept[date(2026, 1, 1)] == "元旦" and kept[date(2026, 10, 5)] == "国庆节（补假）"


def test_hr_edits_a_confirmed_year_line_by_line_which_then_waits_for_confirmation_again(db_session):
    people = small_company()
    calendar_years.import_year(fixture_document(), hr_id=people.hr.id)
    calendar_years.confirm_year(2027, hr_id=people.hr.id, now=datetime(2026, 11, 30, 2))
    text = calendar_years.year_view(2027)["text"]
    assert text.startswith("元旦 | 2027-01-01~2027-01-03\n春节 | 2027-02-05~2027-02-13 | 2027-02-14 2027-02-20")

    days = calendar_years.edit_year(2027, text + "\n公司年会 | 2027-12-31", hr_id=people.hr.id)

    assert days.holidays[date(2027, 12, 31)] == "公司年会"
    view = calendar_years.year_view(2027)
    assert not view["confirmed"] and view["source"] == "hr_import" and "公司年会 | 2027-12-31" in view["text"]
    edit = db_session.scalar(select(AuditLog).where(AuditLog.action == "calendar.edit"))
    assert edit.actor_id == people.hr.id and edit.before["confirmed"] is True
    assert edit.after["holidays"]["2027-12-31"] == "公司年会" and "2027-12-31" not in edit.before["holidays"]


def test_an_edit_that_does_not_read_changes_nothing(db_session):
    people = small_company()
    calendar_years.import_year(fixture_document(), hr_id=people.hr.id)
    before, audits = calendar_years.year_view(2027), db_session.scalar(select(func.count()).select_from(AuditLog))
    with pytest.raises(CalendarInvalid):
        calendar_years.edit_year(2027, "春节 | 2027-02-05 | 2027-02-15", hr_id=people.hr.id)  # a Monday
    db_session.rollback()
    assert calendar_years.year_view(2027) == before
    assert db_session.scalar(select(func.count()).select_from(AuditLog)) == audits
