"""The 数据看板's figures, each counted again here from the raw rows by brute force: grade spread,
indicator trends, the last week's alerts, who has not submitted today (against the people the
evening reminder messages), what waits for a decision, and the success measures by hand."""

import statistics
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.domain.workcalendar import month_bounds
from app.models import (
    Alert,
    Appeal,
    Assessment,
    AssessmentItem,
    Cycle,
    Department,
    Employee,
    Indicator,
    LeaveRecord,
    Observation,
    OutboxMessage,
    Outcome,
    ProgressEntry,
    ProgressSnapshot,
    Report,
)
from app.reporting import dashboard
from app.services.authz import actor
from app.services.calendar import department_calendars
from app.services.lookup import configured_sources
from app.services.news import announcements
from app.services.scoring import month_result, progress
from tests.app.reporting.conftest import HR_NO, NOW, TODAY, accept_an_appeal, employee


def latest_reports(db_session, cycle_id) -> dict[int, Report]:
    latest = {}
    for report in db_session.scalars(select(Report).join(Assessment).where(Assessment.cycle_id == cycle_id)):
        if report.assessment_id not in latest or report.version > latest[report.assessment_id].version:
            latest[report.assessment_id] = report
    return latest


def percent(part, whole) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def test_the_spread_trends_alerts_and_decisions_match_a_count_of_the_rows(db_session, december):
    board = dashboard.dashboard(actor(employee(HR_NO).id), NOW)
    assert board["spread_month"] == "2026年11月"
    people = {db_session.get(Assessment, a).employee_id for a in latest_reports(db_session, december.id)}
    grades = Counter(month_result.month_result(december.id, person)["grade"] for person in people)
    assert board["spread"] == {label: grades.get(label, 0) for label in ("优秀", "良好", "合格", "不合格")}
    assert sum(board["spread"].values()) == len(people)  # a transfer's two reports are one person's month

    published = db_session.scalars(select(Cycle).where(Cycle.status.in_(("published", "final")))
                                   .order_by(Cycle.year, Cycle.month)).all()
    assert board["trend_months"] == [f"{c.year}年{c.month}月" for c in published]
    sales = []
    for cycle in published:
        values = [Decimal(i["achievement"]) for r in latest_reports(db_session, cycle.id).values()
                  for i in r.body["items"] if i["name"] == "月度销售额" and i.get("achievement") is not None]
        sales.append(percent(sum(values), len(values)) if values else None)
    assert board["trends"]["月度销售额"] == sales

    week = Counter()
    for alert in db_session.scalars(select(Alert).where(Alert.raised_at >= NOW - timedelta(days=7))):
        if alert.employee_id:
            week[db_session.get(Employee, alert.employee_id).department.name] += 1
    assert board["alerts"] == dict(week)

    assert board["to_decide"] == {
        "appeals": db_session.query(Appeal).filter_by(status="open").count(),
        "escalated": db_session.query(Appeal).filter(Appeal.status == "open", Appeal.escalated_at.is_not(None)).count(),
        "outcomes": db_session.query(Outcome).filter_by(status="pending").count()}


def test_who_has_not_submitted_today_are_the_people_the_evening_reminder_messages(db_session, december):
    board = dashboard.dashboard(actor(employee(HR_NO).id), NOW)
    missing = sorted(name for names in board["missing"].values() for name in names)
    announcements.evening_reminders(TODAY, NOW)
    reminded = sorted(db_session.get(Employee, m.recipient_id).name for m in db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "reminder",
                                    OutboxMessage.dedupe_key.like(f"reminder:%:{TODAY.isoformat()}"))))
    assert missing == reminded and missing  # on a Friday morning, most have yet to submit


def test_the_success_measures_match_a_hand_count(db_session, december):
    board = dashboard.dashboard(actor(employee(HR_NO).id), NOW)
    november = {m.label: m.measures for m in board["success"]}["2026年11月"]

    latest = latest_reports(db_session, december.id)
    appealed = {r.assessment_id for r in db_session.scalars(select(Report).join(Appeal, Appeal.report_id == Report.id))}
    answered = [r for r in latest.values() if r.response != "pending"]
    accepted = [r for r in answered
                if r.response in ("confirmed", "auto_confirmed") and r.assessment_id not in appealed]
    assert (november.acceptance.part, november.acceptance.whole) == (len(accepted), len(answered))

    first, last = month_bounds(2026, 11)
    best = {}
    for obs in db_session.scalars(select(Observation).where(Observation.day >= first, Observation.day <= last)):
        key = (obs.employee_id, obs.indicator_code, obs.day)
        best[key] = best.get(key, False) or obs.provenance == "verified"
    assert (november.verified.part, november.verified.whole) == (sum(best.values()), len(best))

    appeals = db_session.scalars(select(Appeal).join(Report).join(Assessment).where(
        Assessment.cycle_id == december.id)).all()
    assert november.appeals_filed == len(appeals)
    assert november.appeals_accepted == sum(a.status == "accepted" for a in appeals)
    hours = [(a.decided_at - a.filed_at).total_seconds() / 3600 for a in appeals
             if a.decided_at and a.escalated_at is None]
    assert november.answer_hours == Decimal(str(statistics.median(hours))).quantize(Decimal("0.1"), ROUND_HALF_UP)

    expected, submitted = participation_by_hand(db_session, december)
    assert (november.participation.part, november.participation.whole) == (submitted, expected)
    assert 0 < submitted < expected


def participation_by_hand(db_session, cycle) -> tuple[int, int]:
    """Every (person, day) of November with a self-reported quantitative item on the assessment
    covering that day, on a working day of their department and not on leave; and of those, the
    ones with progress submitted for the day."""
    calendars = department_calendars()
    synced = configured_sources() | {"rating"}
    first, last = month_bounds(cycle.year, cycle.month)
    leave = defaultdict(set)
    for record in db_session.scalars(select(LeaveRecord)):
        day = record.first_day
        while day <= record.last_day:
            leave[record.employee_id].add(day)
            day += timedelta(days=1)
    entries = set(db_session.execute(select(ProgressEntry.employee_id, ProgressEntry.day)).all())
    expected = submitted = 0
    for assessment in db_session.scalars(select(Assessment).where(Assessment.cycle_id == cycle.id)):
        person = db_session.get(Employee, assessment.employee_id)
        reports_by_hand = any(
            i.rater is None and db_session.scalar(select(Indicator).where(Indicator.code == i.indicator_code)).kind
            == "quantitative" and db_session.scalar(select(Indicator.source).where(
                Indicator.code == i.indicator_code)) not in synced
            for i in db_session.scalars(select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id)))
        if not reports_by_hand:
            continue
        day = max(first, assessment.first_day)
        while day <= min(last, assessment.last_day, TODAY - timedelta(days=1)):
            working = calendars[person.department_id].is_working_day(day, leave[person.id])
            if working and (person.left_on is None or person.left_on >= day):
                expected += 1
                submitted += (person.id, day) in entries
            day += timedelta(days=1)
    return expected, submitted


def test_the_by_department_table_adds_up_to_the_company(db_session, december):
    board = dashboard.dashboard(actor(employee(HR_NO).id), NOW)
    november = {m.label: m.measures for m in board["success"]}["2026年11月"]
    parts = [m for _, m in board["by_department"]]
    assert len(parts) == db_session.query(Department).count()
    for field in ("participation", "acceptance", "verified"):
        assert sum(getattr(m, field).whole for m in parts) == getattr(november, field).whole
        assert sum(getattr(m, field).part for m in parts) == getattr(november, field).part
    assert sum(m.appeals_filed for m in parts) == november.appeals_filed




def test_the_month_in_progress_by_department_matches_its_snapshots(db_session, december):
    open_month = db_session.scalar(select(Cycle).where(Cycle.status == "open"))
    progress.recompute_many(list(db_session.scalars(select(Assessment.id).where(Assessment.cycle_id == open_month.id))))
    rows = db_session.execute(select(Employee.id, Department.name, ProgressSnapshot.body, Assessment.first_day)
                              .join(Employee, Employee.department_id == Department.id)
                              .join(Assessment, Assessment.employee_id == Employee.id)
                              .join(ProgressSnapshot, ProgressSnapshot.assessment_id == Assessment.id)
                              .where(Assessment.cycle_id == open_month.id)).all()
    newest = {}
    for person, name, body, first_day in rows:  # someone who changed position: the assessment held now
        if person not in newest or first_day > newest[person][2]:
            newest[person] = (name, body, first_day)
    snapshots = [(name, body) for name, body, _ in newest.values()]
    assert snapshots, "the demo's open month has live progress"
    board = dashboard.dashboard(actor(employee(HR_NO).id), NOW)
    assert board["open_month"] == "2026年12月"
    found = {d.department: d for d in board["progress"]}
    for name in {n for n, _ in snapshots}:
        bodies = [b for n, b in snapshots if n == name]
        achieved = [min(Decimal(i["achievement"]), 1) for b in bodies for i in b["items"]
                    if i["kind"] == "quantitative" and i.get("achievement") is not None]
        assert found[name].people == len(bodies)
        assert found[name].completion == (percent(sum(achieved), len(achieved)) if achieved else None)
        assert sum(found[name].grades.values()) == len(bodies)
        assert found[name].grades["优秀"] == sum(b["grade"] == "优秀" for b in bodies)


def test_a_closed_months_kept_figures_follow_a_new_report_version(db_session, december):
    hr = actor(employee(HR_NO).id)
    before = {m.label: m.measures for m in dashboard.dashboard(hr, NOW)["success"]}["2026年11月"]
    accept_an_appeal(db_session, december)
    after = {m.label: m.measures for m in dashboard.dashboard(hr, NOW)["success"]}["2026年11月"]
    assert (after.appeals_filed, after.appeals_accepted) == (before.appeals_filed + 1, before.appeals_accepted + 1)
