"""The month's workbook (月度报表) built by the worker: figures that agree with a hand count for a
deduction item, a lower-is-better item and an appeal's version 2; identical bytes when nothing
changed; a new version after an accepted appeal, built by the clock, the old one kept."""

from collections import defaultdict
from decimal import Decimal

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from app import jobs
from app.models import Assessment, AssessmentItem, AuditLog, Employee, MonthlyReport, Report
from app.reporting import monthly
from app.services.authz import actor
from tests.app.reporting import by_hand
from tests.app.reporting.conftest import HR_NO, NOW, accept_an_appeal, employee
from tests.app.reporting.workbook_reading import charts, detail, number, sheets


def build(cycle, redis_client, who=HR_NO) -> tuple[int, bytes]:
    """HR asks, the worker builds; returns (version, bytes of the latest version)."""
    monthly.request_build(cycle.id, actor(employee(who).id))
    assert monthly.progress(cycle.id)["state"] == "queued"
    _work(redis_client)
    return _latest(cycle, who)


def _work(redis_client) -> None:
    SimpleWorker([jobs.queue(jobs.DEFAULT)], connection=redis_client).work(burst=True)


def _latest(cycle, who=HR_NO) -> tuple[int, bytes]:
    latest = monthly.versions(cycle.id, actor(employee(who).id))[0]
    return latest.version, monthly.download(latest.id, actor(employee(who).id))[1]


def november_assessment(db_session, cycle, position: str) -> Assessment:
    """The first person's November assessment in that position with a report."""
    from app.models import Position

    return db_session.scalars(select(Assessment).join(Position, Position.id == Assessment.position_id)
                              .join(Report, Report.assessment_id == Assessment.id)
                              .where(Assessment.cycle_id == cycle.id, Position.code == position)
                              .order_by(Assessment.employee_id)).first()


def test_the_workbook_agrees_with_figures_worked_out_by_hand(db_session, redis_client, december):
    version, data = build(december, redis_client)
    reported = len(set(db_session.scalars(select(Assessment.employee_id).join(Report)
                                          .where(Assessment.cycle_id == december.id))))
    assert version == 1 and monthly.progress(december.id) == {
        "state": "done", "done": reported, "total": reported, "version": 1, "changed": True}
    assert_agrees_by_hand(db_session, december, data)


def assert_agrees_by_hand(db_session, cycle, data: bytes) -> None:
    """A packer's stock-take (扣分制) and mis-shipment rate (lower is better), and the item of the
    month's accepted appeal (version 2), as worked out from the raw rows."""
    packer = november_assessment(db_session, cycle, "warehouse")
    packer_no = db_session.get(Employee, packer.employee_id).employee_no
    stock = by_hand.by_deduction(by_hand.item(packer, "wh_stock_accuracy"),
                                 by_hand.ratio_actual(packer, "wh_stock_accuracy"))
    row = detail(data, packer_no, "库存准确率")
    assert number(row["得分"]) == stock.score and number(row["完成率"]) == stock.achievement
    assert row["计分方法"].startswith("扣分制") and row["数据来源"].startswith(("已同步", "导入"))

    misship = by_hand.by_ratio(by_hand.item(packer, "wh_misship_rate"),
                               by_hand.ratio_actual(packer, "wh_misship_rate"), lower_is_better=True)
    row = detail(data, packer_no, "错发率")
    assert number(row["得分"]) == misship.score and number(row["完成率"]) == misship.achievement

    appealed = db_session.scalar(select(Assessment).join(Report).where(
        Assessment.cycle_id == cycle.id, Report.version == 2))
    appeal = by_hand.accepted_appeal(appealed)
    terms = db_session.get(AssessmentItem, appeal.assessment_item_id)
    lower = by_hand.lower_is_better(terms.indicator_code)
    worked = by_hand.by_ratio(terms, Decimal(appeal.claimed_value), lower_is_better=lower)
    appellant = db_session.get(Employee, appealed.employee_id)
    people = {r["工号"]: r for r in sheets(data)["员工汇总"]}
    assert people[appellant.employee_no]["报告版本"] == "v2"
    named = detail(data, appellant.employee_no, _name_of(terms.indicator_code))
    assert number(named["得分"]) == worked.score and named["申诉结果"].startswith("通过（申诉值")
    assert named["数据来源"] == "人工确认"

    # each person's total: the rounded sum of the item scores the detail sheet lists (no adjustments here)
    totals = defaultdict(Decimal)
    for r in sheets(data)["考核明细"]:
        totals[r["工号"]] += number(r["得分"])
    for no in (packer_no, appellant.employee_no):
        assert number(people[no]["总分"]) == totals[no].quantize(Decimal("0.1"))
    assert charts(data) == 2


def test_the_department_sheet_counts_what_the_people_sheet_lists(db_session, redis_client, december):
    _, data = build(december, redis_client)
    found = sheets(data)
    by_department = defaultdict(list)
    for person in found["员工汇总"]:
        by_department[person["部门"]].append(person)
    lines = {line["部门"]: line for line in found["部门汇总"]}
    assert set(lines) == set(by_department) | {"全公司"}
    for name, people in by_department.items():
        assert lines[name]["人数"] == len(people)
        for grade in ("优秀", "良好", "合格", "不合格"):
            assert lines[name][grade] == sum(1 for p in people if p["等级"] == grade)
        mean = sum(number(p["总分"]) for p in people) / len(people)
        assert number(lines[name]["平均分"]) == mean.quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")
    assert lines["全公司"]["人数"] == len(found["员工汇总"])


def test_an_unchanged_month_builds_to_the_same_bytes_and_keeps_no_new_version(db_session, redis_client, december):
    _, first = build(december, redis_client)
    version, again = build(december, redis_client)
    assert version == 1 and again == first
    assert monthly.progress(december.id)["changed"] is False
    assert db_session.query(MonthlyReport).count() == 1
    assert db_session.query(AuditLog).filter_by(action="monthly_report.build").count() == 1


def test_an_accepted_appeal_makes_the_clock_build_a_new_version_and_the_old_stays(db_session, redis_client,
                                                                                    december):
    _, first = build(december, redis_client)
    assert monthly.follow_new_reports(NOW) == []  # nothing new since

    person, code, claimed = accept_an_appeal(db_session, december)

    assert monthly.follow_new_reports(NOW) == [december.id]
    assert monthly.follow_new_reports(NOW) == []  # queued once
    _work(redis_client)
    version, second = _latest(december)
    assert version == 2 and second != first
    assert monthly.progress(december.id)["version"] == 2
    v1 = db_session.scalar(select(MonthlyReport).where(MonthlyReport.cycle_id == december.id,
                                                       MonthlyReport.version == 1))
    assert monthly.download(v1.id, actor(employee(HR_NO).id)) == ("2026年11月月度绩效报表-v1.xlsx", first)
    row = detail(second, person.employee_no, _name_of(code))
    assert row["申诉结果"] == "通过（申诉值 " + claimed + "）：核实无误"
    assert {r["工号"]: r for r in sheets(second)["员工汇总"]}[person.employee_no]["报告版本"] == "v2"


def test_a_month_not_yet_published_has_no_workbook(db_session, december):
    from app.errors import ApiError
    from app.models import Cycle

    december_cycle = db_session.scalar(select(Cycle).where(Cycle.month == 12))
    with pytest.raises(ApiError) as refused:
        monthly.request_build(december_cycle.id, actor(employee(HR_NO).id))
    assert refused.value.code == "not_published" and "尚未发布" in refused.value.message


def _name_of(code: str) -> str:
    from app.services.lookup import indicator

    return indicator(code).name

