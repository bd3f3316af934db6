"""`flask kpi fx-rate` and `flask kpi accept-gaps`: what the 结算待办 tells HR to run when the close
waits for an exchange rate or for data and ratings HR may accept as missing (issue 16.1)."""

from decimal import Decimal

from sqlalchemy import select

from app.models import AuditLog, Cycle, FxRate
from tests.support.company import open_month, small_company


def test_hr_enters_a_rate_and_corrects_it_while_the_month_is_open(db_session, redis_client, runner):
    people = small_company()
    open_month(2026, 11)
    by = ["--by", people.hr.employee_no]

    entered = runner.invoke(args=["kpi", "fx-rate", "2026-11", "eur", "usd", "1.08", *by])
    assert entered.exit_code == 0, entered.output
    assert entered.stdout.strip() == "已录入2026年11月汇率：1 EUR = 1.08 USD"
    corrected = runner.invoke(args=["kpi", "fx-rate", "2026-11", "EUR", "USD", "1.0825", *by])
    assert corrected.exit_code == 0, corrected.output
    assert db_session.scalars(select(FxRate.rate)).all() == [Decimal("1.0825")]
    audits = db_session.execute(select(AuditLog.before, AuditLog.after).where(AuditLog.action == "fx.set_rate")
                                .order_by(AuditLog.id)).all()
    assert [(before, after["rate"]) for before, after in audits] == [(None, "1.08"), ({"rate": "1.08"}, "1.0825")]


def test_a_bad_rate_or_a_scored_month_is_refused_and_nothing_is_written(db_session, redis_client, runner):
    people = small_company()
    november = open_month(2026, 11)
    november.status = "scoring"
    db_session.commit()
    by = ["--by", people.hr.employee_no]
    for args, message in ((["2026-13", "EUR", "USD", "1.08"], "月份的格式应为 2026-11"),
                          (["2026-10", "EURO", "USD", "1.08"], "币种应为三个字母的代码，如 EUR、USD"),
                          (["2026-10", "USD", "usd", "1"], "两个币种相同，不需要汇率"),
                          (["2026-10", "EUR", "USD", "0"], "汇率必须大于0"),
                          (["2026-10", "EUR", "USD", "abc"], "汇率不是有效的数字"),
                          (["2026-11", "EUR", "USD", "1.08"], "2026年11月已开始评分，汇率不能再修改")):
        refused = runner.invoke(args=["kpi", "fx-rate", *args, *by])
        assert (refused.exit_code, refused.stderr.strip()) == (2, message)
    staff = runner.invoke(args=["kpi", "fx-rate", "2026-10", "EUR", "USD", "1.08", "--by", people.star.employee_no])
    assert staff.exit_code == 2
    assert db_session.scalars(select(FxRate)).all() == []


def test_hr_accepts_a_months_gaps_from_the_cli(db_session, redis_client, runner):
    people = small_company()
    open_month(2026, 11)

    accepted = runner.invoke(args=["kpi", "accept-gaps", "2026-11", "--by", people.hr.employee_no])
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.startswith("已确认接受2026-11的数据缺口（")
    assert "6项评分" in accepted.stdout  # two manager-rated items for each of the three assessed
    db_session.rollback()
    assert db_session.scalar(select(Cycle.gaps_acknowledged_by).where(Cycle.month == 11)) == people.hr.id
    missing = runner.invoke(args=["kpi", "accept-gaps", "2026-12", "--by", people.hr.employee_no])
    assert (missing.exit_code, missing.stderr.strip()) == (2, "2026-12还没有考核周期")
