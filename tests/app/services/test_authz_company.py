"""Company-level HR actions go through the one authorisation policy: HR only, and only while they
work here (an HR flag left on a leaver's record grants nothing)."""

from datetime import date

import pytest

from app.errors import ApiError
from app.models import AuditLog
from app.services.cycle import completeness, fx_rates
from app.services.observations import sources, sync
from app.services.org import calendar_years, company_settings, job_descriptions, structure, template_edits
from app.services.org.people import join_company
from tests.support.company import hire, open_month, small_company
from tests.support.people import actor

A_YEAR = {"years": {"2027": [{"name": "春节", "holidays": ["2027-02-05", "2027-02-08"], "workdays": ["2027-02-14"]}]}}

CALLS = {
    "acknowledge_gaps": lambda cycle, who: completeness.acknowledge(cycle.id, hr_id=who),
    "resolve_restatements": lambda cycle, who: sync.resolve_restatements(cycle.id, republish=False, hr_id=who),
    "change_setting": lambda cycle, who: company_settings.change("retention_months", 24, hr_id=who),
    "edit_template": lambda cycle, who: template_edits.set_method("ops", "ops_sales", {"kind": "pass_fail"}, hr_id=who),
    "save_template": lambda cycle, who: template_edits.save_template("warehouse", {"currency": "CNY", "items": [
        {"indicator": "wh_stock_accuracy", "weight": "100", "target": "0.995"}]}, hr_id=who),
    "save_job_description": lambda cycle, who: job_descriptions.save("warehouse", {"duties": [
        {"text": "按单拣货", "frequency": "每日", "standard": "错发率≤0.1%"}]}, hr_id=who),
    "add_department": lambda cycle, who: structure.add_department({"code": "live", "name": "直播部"}, hr_id=who),
    "add_position": lambda cycle, who: structure.add_position(
        {"code": "live_ops", "name": "直播运营", "department": "ops", "copy_from": "ops"}, hr_id=who),
    "add_indicator": lambda cycle, who: structure.add_indicator({"code": "live_sessions", "name": "直播场次",
                                                                 "kind": "quantitative"}, hr_id=who),
    "import_calendar_year": lambda cycle, who: calendar_years.import_year(A_YEAR, hr_id=who),
    "edit_calendar_year": lambda cycle, who: calendar_years.edit_year(2027, "春节 | 2027-02-05~2027-02-13", hr_id=who),
    "confirm_calendar_year": lambda cycle, who: calendar_years.confirm_year(2027, hr_id=who),
    "join_company": lambda cycle, who: join_company("S900", "孙新到", "ops", date(2026, 11, 16), actor(who),
                                                    position="ops"),
    "configure_source": lambda cycle, who: sources.set_configured("amazon_ads", True, hr_id=who),
    "set_fx_rate": lambda cycle, who: fx_rates.set_rate("2026-11", "EUR", "USD", "1.08", hr_id=who),
}


@pytest.mark.parametrize("call", CALLS)
def test_only_a_current_hr_member_may(db_session, call):
    people = small_company()
    cycle = open_month(2026, 11)
    former = hire("吴前人事", people.hr.department, manager=people.boss, is_hr=True)
    former.status = "left"
    db_session.commit()
    hr, former_hr, staff = people.hr.id, former.id, people.star.id
    audits = db_session.query(AuditLog).count()

    for who, code in ((staff, "forbidden"), (former_hr, "forbidden")):  # a leaver is refused by the policy
        with pytest.raises(ApiError) as refused:
            CALLS[call](cycle, who)
        assert refused.value.code == code
    db_session.rollback()
    assert db_session.query(AuditLog).count() == audits
    CALLS[call](cycle, hr)
    assert db_session.query(AuditLog).count() == audits + 1  # the action's one audit row
