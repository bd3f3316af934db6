"""The payroll hand-off: a CSV keyed by 工号 with 绩效系数 and outcomes as the month stood at the
cutoff, 暂定 while a window or an appeal is open; HR told once when a later version changes a
coefficient after the export."""

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.models import Appeal, Assessment, AuditLog, Employee, OutboxMessage, Report
from app.reporting import month_book, payroll
from app.services import settings
from app.services.authz import actor
from app.services.lookup import hr_members
from app.services.org import company_settings
from tests.app.reporting.conftest import HR_NO, NOW, accept_an_appeal, employee

COEFFICIENT = {"优秀": "1.2", "良好": "1", "合格": "0.8", "不合格": "0.5"}


def export(cycle, cutoff=date(2026, 12, 10), now=NOW) -> tuple[str, list[dict]]:
    name, data = payroll.export(cycle.id, cutoff, actor(employee(HR_NO).id), now=now)
    assert data.startswith("\ufeff".encode())  # Excel opens it as UTF-8
    return name, list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_file_lists_everyone_reported_with_their_coefficient_and_marks_open_windows_provisional(
        db_session, december):
    name, rows = export(december)
    assert name == "2026年11月绩效系数-截至20261210.csv"
    newest = {}
    for no, assessment_id, response, closes in db_session.execute(
            select(Employee.employee_no, Assessment.id, Report.response, Report.window_closes_at)
            .join(Assessment, Assessment.employee_id == Employee.id).join(Report, Report.assessment_id == Assessment.id)
            .where(Assessment.cycle_id == december.id).order_by(Report.version)):
        newest[assessment_id] = (no, response, closes)
    latest = list(newest.values())
    open_appeals = set(db_session.scalars(select(Employee.employee_no).join(Appeal, Appeal.employee_id == Employee.id)
                                          .where(Appeal.status == "open")))
    assert [r["工号"] for r in rows] == sorted({no for no, *_ in latest})
    by_no = {r["工号"]: r for r in rows}
    provisional = {no for no, response, closes in latest if response in ("pending", "appealed") and NOW < closes}
    for no in by_no:  # a transfer's two reports: provisional while either is
        assert by_no[no]["状态"] == ("暂定" if no in provisional | open_appeals else "正式"), no
        assert by_no[no]["绩效系数"] == COEFFICIENT[by_no[no]["等级"]]
        assert by_no[no]["考核月份"] == "2026年11月"
    assert {r["状态"] for r in rows} == {"暂定", "正式"}  # the demo has both on 4 December
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "payroll.export"))
    assert audit.after["people"] == len(rows) and audit.after["provisional"] == sum(r["状态"] == "暂定" for r in rows)


def test_after_the_windows_close_nobody_is_provisional(db_session, december):
    _, rows = export(december, cutoff=date(2026, 12, 20), now=datetime(2026, 12, 20, 2, 0))
    assert {r["状态"] for r in rows} == {"正式"}


def test_hr_is_told_once_when_a_later_version_changes_an_exported_coefficient(db_session, december):
    _, before = export(december)
    person, _, _ = accept_an_appeal(db_session, december, raising_the_grade=True)
    exported = {r["工号"]: r for r in before}[person.employee_no]["绩效系数"]
    grade = db_session.scalar(select(Report.grade).join(Assessment).where(Assessment.employee_id == person.id,
                                                                           Assessment.cycle_id == december.id)
                              .order_by(Report.version.desc()).limit(1))
    now = {"excellent": "1.2", "good": "1", "pass": "0.8", "fail": "0.5"}[grade]
    assert now != exported

    _, changes = payroll.changes(month_book.read(december.id, now=NOW), actor(employee(HR_NO).id))
    assert [(c.employee_no, c.exported, c.now) for c in changes] == [(person.employee_no, exported, now)]
    assert payroll.tell_changes(NOW) == 1
    told = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "payroll_changed")).all()
    assert sorted(m.recipient_id for m in told) == hr_members()
    assert f"{person.name}（{person.employee_no}）绩效系数 {exported} → {now}" in told[0].body
    assert payroll.tell_changes(NOW) == 0  # told once
    assert db_session.query(AuditLog).filter_by(action="payroll.change_told").count() == 1

    _, old_cutoff = export(december, cutoff=date(2026, 12, 3))  # a cutoff before the appeal's version
    assert {r["工号"]: r for r in old_cutoff}[person.employee_no]["绩效系数"] == exported
    _, after = export(december)
    assert {r["工号"]: r for r in after}[person.employee_no]["绩效系数"] == now
    assert payroll.changes(month_book.read(december.id, now=NOW), actor(employee(HR_NO).id))[1] == []


def test_the_default_cutoff_is_the_company_setting_of_the_next_month(db_session, december):
    assert payroll.default_cutoff(december) == date(2026, 12, 10)
    company_settings.change("payroll_cutoff_day", "15", hr_id=employee(HR_NO).id)
    assert settings.current().payroll_cutoff_day == 15
    assert payroll.default_cutoff(december) == date(2026, 12, 15)


def test_a_cutoff_before_the_month_was_published_is_refused(db_session, december):
    with pytest.raises(ApiError) as refused:
        export(december, cutoff=date(2026, 12, 1))
    assert refused.value.code == "nothing_by_cutoff" and "请选择更晚的截止日" in refused.value.message
    assert db_session.query(AuditLog).filter_by(action="payroll.export").count() == 0
