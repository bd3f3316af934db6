"""Who may build and download the month's workbook, export payroll data and read a report PDF:
HR for the company's files; for a PDF, whoever may read that person's report (themselves, their
managers, HR). Everyone else is refused with nothing written."""

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.models import Assessment, AuditLog, Employee, MonthlyReport, Report
from app.reporting import month_book, monthly, payroll, pdf
from app.services.authz import actor, managers_of
from app.services.blobs import blob_store
from tests.app.reporting.conftest import HR_NO, NOW, employee

ADMIN_NO = "E00004"  # the demo's admin, not HR


def company_files(cycle):
    kept = MonthlyReport(cycle_id=cycle.id, version=1, blob_key="monthly-reports/x.xlsx", sha256="0" * 64, size=1,
                         employees=1, basis_report_id=0)
    return {
        "request_build": lambda who: monthly.request_build(cycle.id, who),
        "versions": lambda who: monthly.versions(cycle.id, who),
        "download": lambda who: monthly.download(kept.id, who),
        "export": lambda who: payroll.export(cycle.id, date(2026, 12, 10), who, now=NOW),
        "changes": lambda who: payroll.changes(month_book.read(cycle.id, now=NOW), who),
    }, kept


@pytest.mark.parametrize("call", ["request_build", "versions", "download", "export", "changes"])
def test_only_hr_handles_the_companys_files(db_session, december, call):
    calls, kept = company_files(december)
    db_session.add(kept)
    db_session.commit()
    staff = db_session.scalar(select(Employee).where(~Employee.is_hr, ~Employee.is_admin,
                                                     Employee.manager_id.is_not(None)))
    lead = db_session.get(Employee, staff.manager_id)
    audits = db_session.query(AuditLog).count()
    for who in (employee(ADMIN_NO), staff, lead):
        with pytest.raises(ApiError) as refused:
            calls[call](actor(who.id))
        assert refused.value.status == 403, who.employee_no
        db_session.rollback()
    assert db_session.query(AuditLog).count() == audits
    blob_store().put(kept.blob_key, b"PK", "application/zip")
    assert calls[call](actor(employee(HR_NO).id)) is not None


def test_a_report_pdf_is_for_the_person_their_managers_and_hr(db_session, december):
    person_id = db_session.scalar(select(Assessment.employee_id).join(Report).where(
        Assessment.cycle_id == december.id, Report.version == 2))
    allowed = [person_id, managers_of(person_id)[0], employee(HR_NO).id]
    for who in allowed:
        name, html = pdf.person_html(december.id, person_id, actor(who), now=NOW)
        assert name.startswith("2026年11月考核报告-") and "考核明细" in html
    outsider = db_session.scalar(select(Employee.id).where(Employee.id.not_in(allowed + [employee(ADMIN_NO).id]),
                                                           ~Employee.is_hr, Employee.manager_id.is_not(None),
                                                           Employee.id.not_in(managers_of(person_id))))
    for who in (outsider, employee(ADMIN_NO).id):
        with pytest.raises(ApiError) as refused:
            pdf.person_html(december.id, person_id, actor(who), now=NOW)
        assert refused.value.status == 403
