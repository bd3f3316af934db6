"""Every company setting, changed from the CLI, changes the rule it governs in months that open
afterwards, while a month opened before the change keeps the value it opened with.

September is opened with the defaults; HR then changes one setting with `flask kpi settings set`;
November opens after the change. The same probe of the rule runs in both months, with the same
people and data, and must give the default's answer in September and the new one in November.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.evaluation import evaluate
from app.domain.settings import REGISTRY
from app.domain.workcalendar import next_month
from app.errors import ApiError
from app.extensions import db
from app.models import AuditLog, CompanySetting, Cycle, Observation, SyncRun
from app.services import settings, tick
from app.services.authz import actor
from app.services.business_time import allowed_send_time, to_local, to_utc
from app.services.cycle import review
from app.services.feedback import sheet_lines
from app.services.observations import submissions
from app.services.scoring import inputs, progress, report_window, runs
from tests.support.company import (
    SmallCompany,
    assessment_of,
    on_target,
    open_month,
    rate_all,
    reported_by_hand,
    small_company,
)

BANDS_FROM_70 = ('[{"code": "excellent", "label_zh": "优秀", "min_total": 70, "coefficient": "1.2"},'
                 ' {"code": "pass", "label_zh": "合格", "min_total": 50, "coefficient": "1"},'
                 ' {"code": "fail", "label_zh": "不合格", "min_total": null, "coefficient": "0.5"}]')


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Naive UTC of a Shanghai wall-clock time."""
    return to_utc(datetime(year, month, day, hour, minute))


def lead_grade(people: SmallCompany, cycle: Cycle) -> str:
    """The lead on target and rated 1 by the boss: 70 + 30 × 1/5 = 76 points, graded by the month's bands."""
    on_target(people.lead, cycle)
    rate_all(people.lead, cycle, 1)
    assessment = assessment_of(people.lead, cycle)
    result = evaluate(inputs.Context.load(cycle, [assessment.id]).input_for(assessment))
    return f"{result.score.total}分{result.score.grade.label_zh}"


def lead_total_with_a_bonus_of_8(people: SmallCompany, cycle: Cycle) -> str:
    """The lead's 76 points with HR's +8 for covering shifts, counted up to the month's bonus limit."""
    sheet_lines.add_adjustment(assessment_of(people.lead, cycle).id, "8", "连续顶班", actor(people.hr.id),
                               now=at(cycle.year, cycle.month, 20, 10))
    return lead_grade(people, cycle)


def sales_bar_seven_percent_behind(people: SmallCompany, cycle: Cycle) -> str:
    """The star's sales bar on the 20th: 3,100 USD a day through the 19th against 100,000 USD for the
    month (3,333.33 a day), i.e. 7 % behind the pace of 19 of 30 calendar days."""
    for day in range(1, 20):
        db.session.add(Observation(employee_id=people.star.id, indicator_code="ops_sales", day=date(
            cycle.year, cycle.month, day), numerator=Decimal(3100), currency="USD", source="amazon_sp_api",
            provenance="verified", external_ref=f"star/{cycle.month}/{day}"))
    db.session.add(SyncRun(source="amazon_sp_api", kind="sync", status="done",
                           covered_through=date(cycle.year, cycle.month, 19)))
    db.session.commit()
    snapshot = progress.recompute(assessment_of(people.star, cycle).id, date(cycle.year, cycle.month, 20))
    sales = next(item for item in snapshot.body["items"] if item["indicator"] == "ops_sales")
    return f"{sales['progress']['state_label']}（{sales['progress']['pace_label']}）"


def send_time_at_half_past_eight(people: SmallCompany, cycle: Cycle) -> str:
    """When a message queued at 20:30 on the month's third Wednesday may go out."""
    wednesday = _weekday(cycle, 2, week=3)
    moved = to_local(allowed_send_time(people.star.id, at(cycle.year, cycle.month, wednesday.day, 20, 30)))
    return f"{(moved.date() - wednesday).days}天后{moved:%H:%M}"


def first_closing_day(people: SmallCompany, cycle: Cycle) -> int | None:
    """The first day of the next month (ticks at 09:00 on days 2–6) on which the clock starts scoring
    the month; its gaps are accepted, so only the scoring day holds it back."""
    cycle.gaps_acknowledged_by = people.hr.id
    db.session.commit()
    year, month = (cycle.year + 1, 1) if cycle.month == 12 else (cycle.year, cycle.month + 1)
    for day in range(2, 7):
        closing = tick.run_due(at(year, month, day, 9))["closing"]
        assert not isinstance(closing, dict), closing  # an action that failed is not a "not yet"
        if closing is not None:
            return day
    return None


def edit_at_half_past_nine(people: SmallCompany, cycle: Cycle) -> str:
    """Whether the star may still change the month's second Monday's entry at 09:30 the next day."""
    monday = _weekday(cycle, 0, week=2)
    try:
        submissions.submit(people.star.id, monday, {}, actor(people.star.id), note="补充说明",
                           now=at(cycle.year, cycle.month, monday.day + 1, 9, 30))
    except ApiError as refused:
        return refused.code
    return "saved"


def appeal_window(people: SmallCompany, cycle: Cycle) -> str:
    """When the window of a report published on the month's third Monday at 10:00 closes."""
    monday = _weekday(cycle, 0, week=3)
    start = at(cycle.year, cycle.month, monday.day, 10)
    closes = to_local(report_window.closes_at([assessment_of(people.star, cycle).id], start)[
        assessment_of(people.star, cycle).id])
    return f"{(closes.date() - monday).days}天后{closes:%H:%M}"


def first_reminder(people: SmallCompany, cycle: Cycle) -> str | None:
    """The first of three evening ticks on the month's third Tuesday that reminds anyone (ad ROI is
    reported by hand, so the team has something to submit)."""
    reported_by_hand("ops_ad_roi")
    tuesday = _weekday(cycle, 1, week=3)
    for hour, minute in ((18, 5), (18, 35), (19, 5)):
        reminded = tick.run_due(at(cycle.year, cycle.month, tuesday.day, hour, minute))["reminders"]
        assert not isinstance(reminded, dict), reminded
        if reminded:
            return f"{hour}:{minute:02d}"
    return None


def first_draft_day(people: SmallCompany, cycle: Cycle) -> int | None:
    """The first day (ticks at 10:00 on days 18–26) on which next month is drafted."""
    for day in range(18, 27):
        drafted = tick.run_due(at(cycle.year, cycle.month, day, 10))["drafted"]
        assert not isinstance(drafted, dict), drafted
        if drafted is not None:
            return day
    return None


def auto_publish_day(people: SmallCompany, cycle: Cycle) -> int | None:
    """Scored on day 3 of the next month at 09:00: the first day (the clock's check at 09:00 on days
    3–12) on which the month publishes itself."""
    year, month = next_month(cycle.year, cycle.month)
    runs.score_cycle(cycle.id, reason="自动发布探测", now=at(year, month, 3, 9))
    for day in range(3, 13):
        if review.publish_due(at(year, month, day, 9)):
            return day
    return None


def _weekday(cycle: Cycle, weekday: int, *, week: int) -> date:
    """The `week`-th given weekday (0 = Monday) of the month: an ordinary working day in 2026."""
    first = date(cycle.year, cycle.month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


@dataclass(frozen=True)
class Case:
    typed: str  # what HR types after `flask kpi settings set KEY`
    probe: Callable[[SmallCompany, Cycle], object]
    before: object  # the probe's answer under the default (September)
    after: object  # its answer under the new value (November)


CASES = {
    "grade_bands": Case(BANDS_FROM_70, lead_grade, "76.0分良好", "76.0分优秀"),
    "adjustment_limit": Case("10/10", lead_total_with_a_bonus_of_8, "81.0分良好", "84.0分良好"),
    "pace_tolerance": Case("10%", sales_bar_seven_percent_behind, "落后（进度应达63%）", "正常（进度应达63%）"),
    "quiet_hours": Case("20:00-08:00", send_time_at_half_past_eight, "0天后20:30", "1天后08:00"),
    "scoring_day": Case("5", first_closing_day, 3, 5),
    "edit_until": Case("09:00", edit_at_half_past_nine, "saved", "edit_window_closed"),
    "appeal_window_hours": Case("48", appeal_window, "3天后10:00", "2天后10:00"),
    "reminder_at": Case("19:00", first_reminder, "18:05", "19:05"),
    "draft_day": Case("20", first_draft_day, 25, 20),
    # September: never (HR publishes). November, scored on Thursday 3 December: Friday and Monday
    "publish_after_days": Case("2", auto_publish_day, None, 7),
}
NOT_MONTHLY = {"retention_months": "about leavers, not a month's rules: tests/app/services/org/test_retention.py",
               "payroll_cutoff_day": "the payroll file's default cutoff, read when HR exports: "
                                     "tests/app/reporting/test_payroll.py"}


def test_every_setting_in_the_registry_has_a_case():
    assert set(CASES) | set(NOT_MONTHLY) == set(REGISTRY)


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_change_from_the_cli_governs_months_opened_after_it(db_session, redis_client, runner, key):
    case = CASES[key]
    people = small_company()
    september = open_month(2026, 9)

    changed = runner.invoke(args=["kpi", "settings", "set", key, case.typed, "--by", people.hr.employee_no])
    assert changed.exit_code == 0, changed.output
    november = open_month(2026, 11)

    assert case.probe(people, september) == case.before
    assert case.probe(people, november) == case.after
    row = db_session.scalar(select(AuditLog).where(AuditLog.action == "setting.change"))
    assert row.actor_id == people.hr.id and list(row.after) == [key]


def test_only_hr_changes_settings_and_bad_values_change_nothing(db_session, redis_client, runner):
    people = small_company()
    refused = runner.invoke(args=["kpi", "settings", "set", "scoring_day", "4", "--by", people.star.employee_no])
    assert refused.exit_code == 2 and "只有人事" in refused.stderr
    invalid = runner.invoke(args=["kpi", "settings", "set", "scoring_day", "31", "--by", people.hr.employee_no])
    assert invalid.exit_code == 2 and "评分日必须是2到15之间的整数" in invalid.stderr
    unknown = runner.invoke(args=["kpi", "settings", "set", "colour", "red", "--by", people.hr.employee_no])
    assert unknown.exit_code == 2 and "没有名为「colour」的设置" in unknown.stderr
    assert db_session.scalar(select(CompanySetting.id)) is None
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.action == "setting.change")) is None


def test_the_listing_shows_each_setting_with_its_value(db_session, redis_client, runner):
    people = small_company()
    runner.invoke(args=["kpi", "settings", "set", "draft_day", "20", "--by", people.hr.employee_no])
    lines = runner.invoke(args=["kpi", "settings", "list"]).stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(REGISTRY)
    assert "draft_day\t草拟日\t20\t" in "\n".join(lines)
    assert settings.current().draft_day == 20
