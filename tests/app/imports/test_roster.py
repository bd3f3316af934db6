"""The roster (花名册) through the shared importer: joiners in (a manager before their people, their
open month's assessment included), known people's name and manager updated, all or nothing with
every bad row numbered."""

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.extensions import db
from app.imports import presets, service
from app.models import Assessment, AuditLog, Employee, SyncRun
from tests.support.company import open_month

SHIPPED = next(p for p in presets.shipped() if p["format"] == "roster")  # the 人员花名册 preset's columns
COLUMNS = SHIPPED["columns"]
HEADER = [COLUMNS[field] for field in ("employee_no", "name", "department", "position", "manager", "joined_on")]


def run_import(path, uploader):
    return service.import_file(path, format_code="roster", identity="employee", columns=COLUMNS,
                               uploader_id=uploader.id)


def test_joiners_come_in_and_known_people_are_updated(db_session, company, write):
    november = open_month(2026, 11)
    packer, star = company.packer, company.operator
    path = write("花名册.xlsx", [HEADER,
                                ["S201", "孙新仓", "仓储部", "warehouse", "S200", "2026-11-16"],  # lead comes later
                                ["S200", "周组长", "warehouse", "仓储", packer.employee_no, date(2026, 11, 2)],
                                [packer.employee_no, "周大打包", "仓储部", "warehouse", "", packer.joined_on],
                                [star.employee_no, star.name, "运营部", "ops", star.manager.employee_no,
                                 star.joined_on]])
    run = run_import(path, company.hr)
    assert run.counts == {"joined": 2, "updated": 1, "unchanged": 1} and run.status == "done"

    lead = db_session.scalar(select(Employee).where(Employee.employee_no == "S200"))
    newcomer = db_session.scalar(select(Employee).where(Employee.employee_no == "S201"))
    assert newcomer.manager_id == lead.id and lead.manager_id == packer.id
    assert newcomer.department.code == "warehouse" and newcomer.joined_on == date(2026, 11, 16)
    covered = db_session.scalar(select(Assessment).where(Assessment.employee_id == newcomer.id,
                                                         Assessment.cycle_id == november.id))
    assert (covered.first_day, covered.last_day) == (date(2026, 11, 16), date(2026, 11, 30))
    db_session.refresh(packer)
    assert packer.name == "周大打包" and packer.manager_id is None
    assert db_session.query(AuditLog).filter_by(action="roster.import").count() == 1
    assert db_session.query(AuditLog).filter_by(action="people.join").count() == 2
    assert db_session.query(AuditLog).filter_by(action="people.update").count() == 1


def test_a_bad_roster_imports_nobody_and_numbers_every_bad_row(db_session, company, write):
    people = db_session.query(Employee).count()
    path = write("花名册.csv", [HEADER,
                               ["S300", "吴一", "直播部", "", "", "2026-11-02"],
                               ["S301", "吴二", "仓储部", "warehouse", "S999", "2026-11-02"],
                               ["S302", "吴三", "仓储部", "warehouse", "", "十一月"],
                               ["S303", "吴四", "仓储部", "", "", "2026-11-02"],
                               ["S303", "吴四", "仓储部", "", "", "2026-11-02"],
                               [company.agent.employee_no, company.agent.name, "仓储部", "warehouse", "",
                                company.agent.joined_on.isoformat()]])
    with pytest.raises(ApiError) as refused:
        run_import(path, company.hr)
    errors = refused.value.fields["errors"]
    assert refused.value.code == "import_invalid"
    assert any(e.startswith("第2行：") and "直播部" in e for e in errors)
    assert any(e.startswith("第3行：") and "S999" in e for e in errors)
    assert any(e.startswith("第4行：") and "入职日期" in e for e in errors)
    assert any(e.startswith("第6行：") and "与第5行重复" in e for e in errors)
    assert any(e.startswith("第7行：") and "部门、岗位" in e and "人员页" in e for e in errors)
    db.session.rollback()
    assert db_session.query(Employee).count() == people
    assert db_session.query(SyncRun).filter_by(source="roster").count() == 0


def test_a_manager_loop_is_refused(db_session, company, write):
    path = write("花名册.csv", [HEADER, ["S400", "甲", "仓储部", "", "S401", "2026-11-02"],
                               ["S401", "乙", "仓储部", "", "S400", "2026-11-02"]])
    with pytest.raises(ApiError) as refused:
        run_import(path, company.hr)
    assert any("循环" in e for e in refused.value.fields["errors"])


def test_only_hr_imports_the_roster(db_session, company, write):
    path = write("花名册.csv", [HEADER, ["S500", "丙", "仓储部", "", "", "2026-11-02"]])
    with pytest.raises(ApiError) as refused:
        run_import(path, company.admin)  # the admin imports figures, but people are HR's
    assert refused.value.status == 403


def test_a_column_left_unmapped_keeps_what_known_people_have(db_session, company, write):
    star = company.operator
    manager = star.manager_id
    without = {field: column for field, column in COLUMNS.items() if field not in ("manager", "position")}
    path = write("花名册.csv", [["工号", "姓名", "部门", "入职日期"],
                               [star.employee_no, "赵明星（改名）", "运营部", star.joined_on.isoformat()]])
    run = service.import_file(path, format_code="roster", identity="employee", columns=without,
                              uploader_id=company.hr.id)
    assert run.counts == {"joined": 0, "updated": 1, "unchanged": 0}
    db_session.refresh(star)
    assert star.name == "赵明星（改名）" and star.manager_id == manager and star.position_id is not None


def test_hr_cannot_change_their_own_record_nor_a_leavers_through_the_roster(db_session, company, write):
    hr, leaver = company.hr, company.agent
    leaver.status, leaver.left_on = "left", date(2026, 10, 31)
    db.session.commit()
    path = write("花名册.csv", [HEADER,
                               [hr.employee_no, hr.name, hr.department.name, "", company.operator.employee_no,
                                hr.joined_on.isoformat()],
                               [leaver.employee_no, "改个名", leaver.department.name, "cs", "",
                                leaver.joined_on.isoformat()]])
    with pytest.raises(ApiError) as refused:
        run_import(path, hr)
    errors = refused.value.fields["errors"]
    assert any(e.startswith("第2行：") and "自己" in e for e in errors), errors
    assert any(e.startswith("第3行：") and "已离职" in e for e in errors), errors
