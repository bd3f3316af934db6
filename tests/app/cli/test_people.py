"""`flask people …`: HR records a joiner, a transfer, leave and a leaver from the command line; a
refusal prints its reason (zh-CN), exits 2 and changes nothing."""

from datetime import date

from sqlalchemy import select

from app.models import Assessment, AuditLog, Employee, LeaveRecord
from tests.support.checksums import table_checksums
from tests.support.clock import utc
from tests.support.company import open_month, small_company


def test_hr_runs_a_joiner_a_transfer_leave_and_a_leaver_from_the_cli(db_session, redis_client, clock, runner):
    people = small_company()
    open_month(2026, 11)
    clock.now = utc(18, 10)
    by = ["--by", people.hr.employee_no]

    joined = runner.invoke(args=["people", "join", "S100", "孙新到", "--department", "ops", "--joined-on",
                                 "2026-11-16", "--position", "ops", "--manager", people.lead.employee_no, *by])
    assert joined.exit_code == 0, joined.output
    assert joined.stdout.strip() == "已办理入职：S100 孙新到，2026-11-16起"
    joiner = db_session.scalar(select(Employee).where(Employee.employee_no == "S100"))
    assert joiner.manager_id == people.lead.id

    moved = runner.invoke(args=["people", "transfer", people.star.employee_no, "2026-11-23", "--position",
                                "designer", "--department", "design", *by])
    assert moved.exit_code == 0, moved.output
    assert moved.stdout.strip() == f"已办理调岗：{people.star.employee_no} 赵明星，2026-11-23起生效"
    assert [a.first_day for a in db_session.scalars(select(Assessment).where(
        Assessment.employee_id == people.star.id).order_by(Assessment.first_day))] == [date(2026, 11, 1),
                                                                                      date(2026, 11, 23)]

    away = runner.invoke(args=["people", "leave", people.trainee.employee_no, "2026-11-19", "2026-11-20",
                               "--kind", "sick", "--note", "发烧", *by])
    assert away.exit_code == 0, away.output
    assert away.stdout.strip() == f"已登记请假：{people.trainee.employee_no} 2026-11-19至2026-11-20（病假）"
    assert db_session.scalar(select(LeaveRecord.note).where(LeaveRecord.employee_id == people.trainee.id)) == "发烧"

    gone = runner.invoke(args=["people", "depart", people.trainee.employee_no, "2026-11-30", *by])
    assert gone.exit_code == 0, gone.output
    assert gone.stdout.strip() == (f"已办理离职：{people.trainee.employee_no} 钱新人，"
                                   "最后工作日2026-11-30（次日起标记为离职）")
    assert [row.action for row in db_session.scalars(select(AuditLog).where(AuditLog.action.like("people.%"))
                                                      .order_by(AuditLog.id))] == [
        "people.join", "people.transfer", "people.leave_days", "people.leave"]


def test_a_refused_change_says_why_exits_2_and_changes_nothing(db_session, redis_client, clock, runner):
    people = small_company()
    open_month(2026, 11)
    clock.now = utc(18, 10)
    db_session.rollback()
    before = table_checksums(db_session)
    cases = [
        (["depart", people.star.employee_no, "2026-11-30", "--by", people.lead.employee_no],
         "只有人事可以办理入职、离职、调岗和请假"),
        (["depart", people.hr.employee_no, "2026-11-30", "--by", people.hr.employee_no],
         "不能处理与自己有关的事项，请由其他人处理"),
        (["depart", "X999", "2026-11-30", "--by", people.hr.employee_no], "找不到员工「X999」"),
        (["transfer", people.star.employee_no, "2026-12-01", "--position", "designer", "--by",
          people.hr.employee_no], "调岗生效日须在进行中的考核月内（当前：2026年11月）"),
        (["leave", people.star.employee_no, "2026-11-20", "2026-11-19", "--by", people.hr.employee_no],
         "请假开始日期不能晚于结束日期"),
        (["join", "S003", "重号", "--department", "ops", "--joined-on", "2026-11-16", "--by",
          people.hr.employee_no], "工号「S003」已被使用"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["people", *args])
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)
    db_session.rollback()
    assert table_checksums(db_session) == before
