"""HR adds a department, a position copied from another and an indicator: each checked, audited,
usable at once (a joiner in the new department and position; the indicator in a template)."""

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.models import AuditLog, Department, KpiTemplate, Position
from app.services.org import structure, template_edits
from app.services.scoring.inputs import library
from tests.support.company import small_company
from tests.support.people import actor


def test_a_department_position_and_indicator_are_added_and_the_indicator_goes_in_the_new_template(db_session):
    people = small_company()
    live = structure.add_department({"code": "live", "name": "直播部", "rest_weekdays": [1]}, hr_id=people.hr.id)
    assert live.rest_weekdays == "1"
    host = structure.add_position({"code": "live_host", "name": "主播", "department": "live", "copy_from": "ops"},
                                  hr_id=people.hr.id)
    copied = template_edits.template_view(actor(people.hr.id), "live_host")
    assert [i["indicator"] for i in copied["items"]][:2] == ["ops_sales", "ops_new_conversion"]
    sessions = structure.add_indicator({"code": "live_sessions", "name": "直播场次", "kind": "quantitative",
                                        "aggregation": "sum", "display": "number", "unit": "场",
                                        "definition": "当月完成的直播场次"}, hr_id=people.hr.id)
    assert library()["live_sessions"].cumulative and sessions.source == "self_report"

    template_edits.save_template("live_host", {"currency": "CNY", "items": [
        {"indicator": "live_sessions", "weight": "70", "target": "20"},
        {"indicator": "ops_teamwork", "weight": "30", "rater": "manager"}]}, hr_id=people.hr.id)
    saved = db_session.scalar(select(KpiTemplate).where(KpiTemplate.position_id == host.id))
    assert [i.indicator.code for i in saved.items] == ["live_sessions", "ops_teamwork"]
    actions = db_session.scalars(select(AuditLog.action).where(AuditLog.action.like("%.add"))).all()
    assert sorted(actions) == ["department.add", "indicator.add", "position.add"]


@pytest.mark.parametrize("call, message", [
    (lambda hr: structure.add_department({"code": "Live!", "name": "直播部"}, hr_id=hr),
     "代码：代码应为2到32位小写字母"),
    (lambda hr: structure.add_department({"code": "ops", "name": "运营二部"}, hr_id=hr), "部门代码「ops」已被使用"),
    (lambda hr: structure.add_department({"code": "live", "name": "直播部", "rest_weekdays": [1, 2, 3, 4, 5, 6, 7]},
                                         hr_id=hr), "每周至少要有一个工作日"),
    (lambda hr: structure.add_position({"code": "live_host", "name": "主播", "department": "nowhere",
                                        "copy_from": "ops"}, hr_id=hr), "请选择已有的部门"),
    (lambda hr: structure.add_indicator({"code": "live_x", "name": "", "kind": "quantitative"}, hr_id=hr),
     "名称：名称应为1到32个字"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_added(db_session, call, message):
    people = small_company()
    counts = [len(db_session.scalars(select(m.id)).all()) for m in (Department, Position, AuditLog)]
    with pytest.raises(ApiError) as refused:
        call(people.hr.id)
    assert message in refused.value.message
    db_session.rollback()
    assert [len(db_session.scalars(select(m.id)).all()) for m in (Department, Position, AuditLog)] == counts
