"""Bad input on the console's forms: a Chinese message, and nothing written."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AssessmentItem, AuditLog, Employee, FxRate, PeerRater
from app.services import settings
from tests.support.company import assessment_of, department, hire, open_month
from tests.support.console import console_company, csrf, sign_in


@pytest.fixture
def company(app, db_session):
    people, admin = console_company()
    cycle = open_month(2026, 11)
    return people, cycle


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_joiner_without_a_valid_day_or_with_a_taken_number_is_refused_and_nothing_is_written(client, company):
    people, _ = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    token = csrf(client, "/console/people/join")
    before = (count(Employee), count(AuditLog))
    form = {"employee_no": "S900", "name": "孙新到", "department": "ops", "position": "ops", "csrf_token": token}
    bad_day = client.post("/console/people/join", data={**form, "joined_on": "2026-13-40"})
    assert bad_day.status_code == 422 and "请填写入职日期" in bad_day.get_data(as_text=True)
    taken = client.post("/console/people/join", data={**form, "employee_no": people.star.employee_no,
                                                      "joined_on": "2026-11-16"})
    assert taken.status_code == 422 and "已被使用" in taken.get_data(as_text=True)
    assert (count(Employee), count(AuditLog)) == before


def test_a_target_that_is_not_a_number_is_refused_and_the_target_stays(client, company):
    people, cycle = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    item = db.session.scalar(select(AssessmentItem).where(
        AssessmentItem.assessment_id == assessment_of(people.star, cycle).id, AssessmentItem.rater.is_(None)))
    target, audits = item.target, count(AuditLog)
    token = csrf(client, f"/console/people/{people.star.id}")
    response = client.post(f"/console/items/{item.id}/target", data={
        "target": "十万", "reason": "试试", "employee_id": people.star.id, "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert '<p class="flash error">新目标不是有效的数字</p>' in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(AssessmentItem, item.id).target == target and count(AuditLog) == audits


def test_a_setting_is_changed_from_the_console_and_a_bad_one_is_refused_in_chinese(client, company):
    people, _ = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    token = csrf(client, "/console/settings")
    audits = count(AuditLog)
    bad = client.post("/console/settings", data={"key": "reminder_at", "value": "22:30", "csrf_token": token})
    assert bad.status_code == 422 and "落在免打扰时段21:00-08:00内" in bad.get_data(as_text=True)
    assert count(AuditLog) == audits
    saved = client.post("/console/settings", data={"key": "scoring_day", "value": "5", "csrf_token": token},
                        follow_redirects=True)
    assert "已保存：5" in saved.get_data(as_text=True) and settings.current().scoring_day == 5

    bands = {"code": ["excellent", "good", "pass", "fail"], "label_zh": ["优秀", "良好", "合格", "待改进"],
             "min_total": ["90", "80", "60", ""], "coefficient": ["1.2", "1.0", "0.8", "0.5"], "key": "grade_bands"}
    client.post("/console/settings", data={**bands, "csrf_token": token})
    assert [b.label_zh for b in settings.current().grade_bands.bands][-1] == "待改进"
    unordered = client.post("/console/settings", data={**bands, "min_total": ["80", "90", "60", ""],
                                                       "csrf_token": token})
    assert unordered.status_code == 422 and "未保存" in unordered.get_data(as_text=True)


def test_a_rate_is_entered_and_one_that_is_not_a_number_is_refused(client, company):
    people, _ = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    token = csrf(client, "/console/fx-rates")
    bad = client.post("/console/fx-rates", data={"month": "2026-11", "currency": "EUR", "target": "USD",
                                                 "rate": "一点零八", "csrf_token": token})
    assert bad.status_code == 422 and "汇率" in bad.get_data(as_text=True) and count(FxRate) == 0
    saved = client.post("/console/fx-rates", data={"month": "2026-11", "currency": "eur", "target": "usd",
                                                   "rate": "1.08", "csrf_token": token}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "已录入2026年11月汇率：1 EUR = 1.08 USD" in page and "可修改" in page


def history_of(client, employee_id: int) -> str:
    page = client.get(f"/console/people/{employee_id}").get_data(as_text=True)
    return page[page.index("操作记录"):]


def test_leave_a_bind_code_and_a_transfer_from_the_person_page_each_show_in_their_history(client, company):
    people, cycle = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    star = people.star.id
    token = csrf(client, f"/console/people/{star}")
    leave = client.post(f"/console/people/{star}/leave-days", data={
        "first_day": "2026-11-19", "last_day": "2026-11-20", "kind": "sick", "note": "发烧", "csrf_token": token},
        follow_redirects=True).get_data(as_text=True)
    assert "已登记请假：2026-11-19至2026-11-20" in leave and "病假" in leave
    assert "请假" in history_of(client, star) and "类型：病假" in history_of(client, star)

    issued = client.post(f"/console/people/{star}/bind-code", data={"csrf_token": token}).get_data(as_text=True)
    assert re.search(r'微信绑定码：<code class="secret">\d{8}</code>', issued)
    assert "发放绑定码" in history_of(client, star)

    moved = client.post(f"/console/people/{star}/transfer", data={
        "effective_day": "2026-11-23", "manager_no": people.boss.employee_no, "csrf_token": token},
        follow_redirects=True).get_data(as_text=True)
    assert "已调岗：赵明星，2026-11-23起生效" in moved and "调岗" in history_of(client, star)
    db.session.rollback()
    assert db.session.get(Employee, star).manager_id == people.boss.id


def test_a_departure_without_a_day_or_before_joining_is_refused_and_the_person_stays(client, company):
    people, _ = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    token = csrf(client, f"/console/people/{people.star.id}")
    audits = count(AuditLog)
    for day, message in (("", "请填写最后工作日"), ("2001-01-01", "离职日期不能早于入职日期")):
        page = client.post(f"/console/people/{people.star.id}/depart", data={"last_day": day, "csrf_token": token},
                           follow_redirects=True).get_data(as_text=True)
        assert "未保存：" + message in page
    db.session.rollback()
    assert db.session.get(Employee, people.star.id).left_on is None and count(AuditLog) == audits


def test_a_job_description_is_saved_from_the_template_page_and_a_line_without_its_standard_is_refused(client, company):
    people, _ = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    token = csrf(client, "/console/templates/warehouse")
    form = {"duties": "按单拣货 | 每日", "authorities": "", "goals": "季度错发率≤0.1% | 季度", "csrf_token": token}
    refused = client.post("/console/templates/warehouse/job-description", data=form)
    assert refused.status_code == 422 and "第1条职责：标准应为1到200个字" in refused.get_data(as_text=True)
    saved = client.post("/console/templates/warehouse/job-description", follow_redirects=True,
                        data={**form, "duties": "按单拣货 | 每日 | 错发率≤0.1%"})
    assert "岗位说明书已保存" in saved.get_data(as_text=True)
    assert "按单拣货 | 每日 | 错发率≤0.1%" in saved.get_data(as_text=True)


def test_hr_chooses_a_packers_peer_raters_and_fewer_than_two_is_refused(client, app, db_session):
    people, _ = console_company()
    store = department("warehouse", "仓储部")
    packers = [hire(name, store, position="warehouse", manager=people.boss) for name in ("孙仓一", "周仓二", "吴仓三")]
    cycle = open_month(2026, 11)
    sheet = assessment_of(packers[0], cycle)
    assert sign_in(client, people.hr.employee_no).status_code == 302
    page = client.get(f"/console/people/{packers[0].id}").get_data(as_text=True)
    assert "同事评分人" in page and "周仓二" in page and "吴仓三" in page
    token = csrf(client, f"/console/people/{packers[0].id}")
    url = f"/console/assessments/{sheet.id}/peers"
    one = client.post(url, data={"rater_id": [packers[1].id], "employee_id": packers[0].id, "csrf_token": token},
                      follow_redirects=True)
    assert "未保存：请至少选择2名同事作为评分人" in one.get_data(as_text=True)
    two = client.post(url, data={"rater_id": [packers[1].id, packers[2].id], "employee_id": packers[0].id,
                                 "action": "choose", "csrf_token": token}, follow_redirects=True)
    assert "同事评分人已更新（2人）" in two.get_data(as_text=True)
    db_session.rollback()
    assert sorted(db_session.scalars(select(PeerRater.rater_id).where(PeerRater.assessment_id == sheet.id))) == [
        packers[1].id, packers[2].id]


def test_hr_adds_a_department_a_position_and_an_indicator_from_their_pages(client, company):
    people, _ = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    token = csrf(client, "/console/people")
    live = client.post("/console/departments/new", data={"name": "直播部", "code": "live", "rest_weekdays": ["6", "7"],
                                                         "csrf_token": token}, follow_redirects=True)
    assert "已新建部门：直播部" in live.get_data(as_text=True) and "直播部" in live.get_data(as_text=True)
    host = client.post("/console/templates/new", data={"name": "主播", "code": "live_host", "department": "live",
                                                       "copy_from": "ops", "csrf_token": token}, follow_redirects=True)
    assert "已新建岗位：主播" in host.get_data(as_text=True) and "主播考核模板" in host.get_data(as_text=True)
    taken = client.post("/console/indicators/new", data={"name": "销售额", "code": "ops_sales", "kind": "quantitative",
                                                         "csrf_token": token}, follow_redirects=True)
    assert "未新建：指标代码「ops_sales」已被使用" in taken.get_data(as_text=True)
    added = client.post("/console/indicators/new", data={"name": "直播场次", "code": "live_sessions", "unit": "场",
                                                         "kind": "quantitative", "aggregation": "sum",
                                                         "display": "number", "direction": "higher",
                                                         "csrf_token": token}, follow_redirects=True)
    page = added.get_data(as_text=True)
    assert "已新建指标：直播场次" in page and 'id="live_sessions"' in page


def test_a_payroll_cutoff_or_an_audit_date_that_is_not_a_day_is_refused_in_chinese(client, company):
    from app.models import Cycle, PayrollExport

    people, cycle = company
    db.session.execute(Cycle.__table__.update().where(Cycle.id == cycle.id).values(status="published"))
    db.session.commit()
    assert sign_in(client, people.hr.employee_no).status_code == 302
    token = csrf(client, f"/console/months/{cycle.id}/reports")
    before = (count(PayrollExport), count(AuditLog))
    refused = client.post(f"/console/months/{cycle.id}/payroll", data={"cutoff": "2026-13-40", "csrf_token": token},
                          follow_redirects=True)
    assert "未导出：请填写薪资数据截止日（年-月-日）" in refused.get_data(as_text=True)
    assert (count(PayrollExport), count(AuditLog)) == before
    audit_page = client.get("/console/audit?first=十二月")
    assert audit_page.status_code == 200 and "日期格式应为 年-月-日：十二月" in audit_page.get_data(as_text=True)
