"""What the clock tells people: the month's targets when it opens, the evening reminder to
submit (to whoever has a self-reported figure to give), and published reports. Every message has a
dedupe key naming its facts, so a tick that runs twice — or two schedulers — enqueue each message
once.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from app.domain.formatting import format_total
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Employee,
    Indicator,
    ProgressEntry,
    Report,
    ScoringRun,
)
from app.services import settings
from app.services.calendar import company_calendar, department_calendars, leave_days
from app.services.cycle.target_messages import TargetNews
from app.services.lookup import configured_sources
from app.services.notify import outbox
from app.services.scoring import month_result
from app.services.usecase import use_case


@use_case
def push_targets(cycle_id: int, now: datetime) -> int:
    """Tell everyone assessed in the cycle their targets (目标下达), pro-rated for a partial month;
    returns messages enqueued."""
    cycle = db.session.get(Cycle, cycle_id)
    news = TargetNews(company_calendar())  # loaded once for the whole company, not once per message
    count = 0
    for assessment in db.session.scalars(select(Assessment).where(Assessment.cycle_id == cycle_id)):
        assert cycle is not None, "the cycle has assessments, so it exists (foreign key)"
        news.enqueue(assessment, cycle, now)
        count += 1
    db.session.commit()
    return count


def expected_submitters(day: date) -> list[tuple[int, int]]:
    """(employee, department) of everyone who works `day` and has something to report themselves
    (a self-reported quantitative item on their open assessment, or one of a source the company never
    configured: whose figures are all synced have nothing to submit) — who the evening reminder is
    for."""
    return expected_between(day, day).get(day, [])


def expected_between(first: date, last: date) -> dict[date, list[tuple[int, int]]]:
    """`expected_submitters` for each day from `first` to `last`, in a few queries: the dashboards
    count participation over a whole month."""
    calendars = department_calendars(company_calendar())
    by_hand = Indicator.source.not_in(["rating", *configured_sources()])  # self_report is never configured
    self_reported = (select(AssessmentItem.id).join(Indicator, Indicator.code == AssessmentItem.indicator_code)
                     .where(AssessmentItem.assessment_id == Assessment.id, Indicator.kind == "quantitative",
                            AssessmentItem.rater.is_(None), by_hand))
    rows = db.session.execute(
        select(Assessment.employee_id, Employee.department_id, Assessment.first_day, Assessment.last_day,
               Employee.left_on).select_from(Assessment)
        .join(Cycle, Cycle.id == Assessment.cycle_id).join(Employee, Employee.id == Assessment.employee_id)
        .where(Cycle.status != "draft", Assessment.first_day <= last, Assessment.last_day >= first,
               or_(Employee.left_on.is_(None), Employee.left_on >= first), self_reported.exists())
    ).all()
    leave = leave_days({employee_id for employee_id, *_ in rows}, first, last)
    found: dict[date, list[tuple[int, int]]] = {}
    for employee_id, department_id, covers_from, covers_to, left_on in rows:
        day, until = max(first, covers_from), min(last, covers_to, left_on or last)
        while day <= until:
            if calendars[department_id].is_working_day(day, leave.get(employee_id, ())):
                found.setdefault(day, []).append((employee_id, department_id))
            day += timedelta(days=1)
    return found


@use_case
def evening_reminders(day: date, now: datetime) -> int:
    """Remind everyone expected to submit progress for `day` who has not."""
    calendar = company_calendar()
    submitted = set(db.session.scalars(select(ProgressEntry.employee_id).where(ProgressEntry.day == day)))
    until = settings.of_month(day.year, day.month).edit_until
    count = 0
    for employee_id, _ in expected_submitters(day):
        if employee_id in submitted:
            continue
        outbox.enqueue(
            employee_id, "reminder", title="今日进展未提交", summary="请在今晚提交今日工作进展",
            body=f"你{day.month}月{day.day}日的工作进展还没有提交，请在小程序中提交（次日{until:%H:%M}前可修改）。",
            dedupe_key=f"reminder:{employee_id}:{day.isoformat()}", now=now, calendar=calendar,
        )
        count += 1
    db.session.commit()
    return count


PARTS_ZH = {2: "两", 3: "三", 4: "四"}  # how many parts a month result weighs, as a person says it


@use_case
def push_reports(run_id: int, now: datetime) -> int:
    """Tell each person about the report versions a run published (考核结果): one message each. Someone
    with several assessments in the month (a transfer) reads the month result first — the total and
    grade outcomes follow from (app.services.scoring.month_result) — then each part's report."""
    run = db.session.get(ScoringRun, run_id)
    assert run is not None, "the clock pushes the reports of runs it found"
    cycle = db.session.get(Cycle, run.cycle_id)
    assert cycle is not None, "a scoring run's cycle exists (foreign key)"
    calendar = company_calendar()
    window = settings.of_cycle(cycle).appeal_window_zh
    published: dict[int, list[Report]] = {}
    for report, employee_id in db.session.execute(
        select(Report, Assessment.employee_id).join(Assessment).where(Report.run_id == run_id).order_by(Report.id)
    ):
        published.setdefault(employee_id, []).append(report)
    months = month_result.latest_parts([cycle.id]) if published else {}
    bands = month_result.bands_of([cycle.id])[cycle.id] if published else None
    count = 0
    for employee_id, reports in published.items():
        parts = months.get((cycle.id, employee_id), [])
        first = reports[0]
        if len(parts) < 2:
            outbox.enqueue(
                employee_id, "report_published", title=f"{cycle.label}考核结果", summary=first.summary,
                body=f"【{cycle.label}考核结果】\n{first.summary}\n如有异议，请在{window}内在小程序中申诉。",
                dedupe_key=f"report:{first.id}", now=now, calendar=calendar,
                data={"report_id": first.id, "total": first.body["total_display"], "grade": first.body["grade"]},
            )
        else:
            assert bands is not None, "bands are read whenever a report was published"
            month = month_result.combine(parts, bands)
            total, grade = format_total(month.total), month.grade.label_zh
            vetoed = "（一票否决）" if any(p.body.get("veto") for p in parts) else ""
            lines = [f"{n}. {_period(p.body['period'])}（{p.working_days}个工作日）：{p.summary}"
                     for n, p in enumerate(parts, 1)]
            outbox.enqueue(
                employee_id, "report_published", title=f"{cycle.label}考核结果",
                summary=f"本月结果{total}分，{grade}",
                body=(f"【{cycle.label}考核结果】\n本月结果：{total}分，{grade}{vetoed}"
                      f"（{PARTS_ZH.get(len(parts), str(len(parts)))}段考核按工作日加权）\n" + "\n".join(lines)
                      + f"\n每段考核分别确认；如有异议，请在{window}内在小程序中对该段申诉。"),
                dedupe_key=f"report:{first.id}", now=now, calendar=calendar,
                data={"report_id": first.id, "report_ids": [p.report_id for p in parts], "total": total,
                      "grade": grade},
            )
        count += 1
    db.session.commit()
    return count


def _period(period: dict[str, str]) -> str:
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    return f"{start.month}月{start.day}日–{end.month}月{end.day}日"
