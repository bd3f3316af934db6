"""The built-in templates land in the database with the seed's exact figures, and only once."""

import json
from decimal import Decimal

from sqlalchemy import select

from app.domain.builtin import DATA_PATH, load_catalog
from app.models import (
    AuditLog,
    Department,
    Indicator,
    JobDescription,
    KpiTemplate,
    Position,
    TemplateItem,
)
from app.services.org.catalog import load_templates
from tests.support.checksums import table_checksums


def _template(session, position_code: str) -> dict:
    position = session.scalar(select(Position).where(Position.code == position_code))
    template = session.scalar(select(KpiTemplate).where(KpiTemplate.position_id == position.id))
    rows = session.execute(
        select(Indicator.name, TemplateItem.weight, TemplateItem.target, TemplateItem.cap, TemplateItem.rater)
        .join(Indicator, Indicator.id == TemplateItem.indicator_id)
        .where(TemplateItem.template_id == template.id).order_by(TemplateItem.sort)
    ).all()
    return {"currency": template.currency, "items": [tuple(row) for row in rows]}


def test_seed_positions_carry_the_figures_written_in_design_md(db_session):
    load_templates()
    D = Decimal
    # Copied from docs/product.md "The seed's positions", not from the data file.
    ops = _template(db_session, "ops")
    assert ops["currency"] == "USD"
    assert [(w, t) for _, w, t, _, _ in ops["items"]] == [
        (D(30), D(100000)), (D(20), D("0.05")), (D(20), D("3.0")), (D(15), D(5)), (D(15), D(5))
    ]
    assert [r for *_, r in ops["items"]] == [None, None, None, "manager", "manager"]
    cs = _template(db_session, "cs")
    assert [(w, t) for _, w, t, _, _ in cs["items"]] == [
        (D(25), D("0.90")), (D(25), D("0.85")), (D(30), D(1)), (D(10), D(5)), (D(10), D(5))
    ]
    assert cs["items"][2][3] == D("1.0")  # 100 % of complaints closed: more is meaningless
    assert [r for *_, r in cs["items"]][3:] == ["customer", "manager"]
    warehouse = _template(db_session, "warehouse")
    assert [(w, t) for _, w, t, _, _ in warehouse["items"]] == [
        (D(30), D("0.001")), (D(30), D("0.95")), (D(30), D("0.995")), (D(5), D(5)), (D(5), D(5))
    ]
    assert [r for *_, r in warehouse["items"]][3:] == ["peer", "manager"]
    designer = _template(db_session, "designer")
    assert sum(w for _, w, *_ in designer["items"]) == D(100)
    for template in (ops, cs, warehouse):
        assert sum(w for _, w, *_ in template["items"]) == D(100)


def test_mis_shipment_is_lower_better_and_sales_cumulative(db_session):
    load_templates()
    misship = db_session.scalar(select(Indicator).where(Indicator.code == "wh_misship_rate"))
    sales = db_session.scalar(select(Indicator).where(Indicator.code == "ops_sales"))
    assert (misship.direction, misship.aggregation) == ("lower", "ratio")
    assert (sales.cumulative, sales.aggregation) == (True, "sum")


def test_job_descriptions_follow_the_seed(db_session):
    load_templates()
    ops = db_session.scalar(select(Position).where(Position.code == "ops"))
    jd = db_session.scalar(select(JobDescription).where(JobDescription.position_id == ops.id))
    assert any("1份选品报告" in duty["standard"] for duty in jd.duties)
    assert any("1万" in authority["limit"] for authority in jd.authorities)
    assert any("15%" in goal["text"] for goal in jd.goals)


def test_loading_twice_changes_no_table(db_session):
    first = load_templates()
    assert first["templates"] == 7  # the seed's three, 美工, 采购, 部门主管 and 人事行政
    before = table_checksums(db_session)
    again = load_templates()
    assert not again
    assert table_checksums(db_session) == before
    assert db_session.scalar(select(AuditLog.after).where(AuditLog.action == "catalog.load"))["templates"] == 7


def test_an_edited_template_is_not_overwritten(db_session):
    load_templates()
    item = db_session.scalar(select(TemplateItem).join(Indicator).where(Indicator.code == "ops_sales"))
    item.target = Decimal(120000)
    db_session.commit()
    load_templates()
    db_session.expire_all()
    assert db_session.get(TemplateItem, item.id).target == Decimal(120000)


def test_the_department_head_and_hr_templates_land_with_their_figures(db_session):
    load_templates()
    D = Decimal
    head = _template(db_session, "dept_head")
    assert head["currency"] == "CNY"
    assert [(name, w, t, c, r) for name, w, t, c, r in head["items"]] == [
        ("团队平均绩效得分", D(20), D(80), D("1.2"), None),
        ("部门重点工作达成率", D(25), D(1), D("1.0"), None),
        ("团队人员保留率", D(10), D("0.95"), D("1.2"), None),
        ("团队培训辅导完成率", D(10), D("0.9"), D("1.2"), None),
        ("考核工作及时率", D(10), D(1), D("1.0"), None),
        ("团队管理能力", D(15), D(5), D("1.2"), "manager"),
        ("跨部门协作", D(10), D(5), D("1.2"), "manager"),
    ]
    hr = _template(db_session, "hr_admin")
    assert [(name, w, t) for name, w, t, _, _ in hr["items"]] == [
        ("招聘及时到岗率", D(20), D("0.9")), ("薪资考勤核算准确率", D(20), D(1)), ("考核工作按时完成率", D(15), D(1)),
        ("培训计划完成率", D(10), D("0.9")), ("员工满意度", D(10), D("0.85")), ("行政费用预算控制率", D(10), D(1)),
        ("服务意识与保密", D(15), D(5)),
    ]
    for template in (head, hr):
        assert sum(w for _, w, *_ in template["items"]) == D(100)
    departments = dict(db_session.execute(
        select(Position.code, Department.name).join(Department, Department.id == Position.department_id)).all())
    assert (departments["dept_head"], departments["hr_admin"]) == ("总经办", "人事行政部")
    editable = db_session.scalars(select(KpiTemplate.editable).join(Position)
                                  .where(Position.code.in_(("dept_head", "hr_admin")))).all()
    assert editable == [True, True]
    # figures the person reports (typed in the mini-program), not waiting for a connector
    sources = set(db_session.scalars(select(Indicator.source).where(Indicator.code.like("head_%")
                                                                    | Indicator.code.like("hr_%"))))
    assert sources == {"self_report", "rating"}
    jd = db_session.scalar(select(JobDescription).join(Position).where(Position.code == "hr_admin"))
    assert any("考核日历" in duty["standard"] for duty in jd.duties)
    assert jd.authorities and any("90%" in goal["text"] for goal in jd.goals)


def test_a_database_loaded_before_the_staff_templates_gets_only_them(db_session):
    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    earlier = {**data, "positions": [p for p in data["positions"] if p["code"] not in ("dept_head", "hr_admin")],
               "departments": [d for d in data["departments"] if d["code"] not in ("gm", "hr")],
               "indicators": [i for i in data["indicators"] if not i["code"].startswith(("head_", "hr_"))]}
    assert load_templates(load_catalog(earlier))["templates"] == 5  # the seed's three, 美工 and 采购
    ops = db_session.scalar(select(TemplateItem).join(Indicator).where(Indicator.code == "ops_sales"))
    ops.target = Decimal(120000)  # HR edited a template meanwhile
    db_session.commit()
    before = _items(db_session)
    added = load_templates()
    assert added == {"departments": 2, "indicators": 14, "positions": 2, "job_descriptions": 2, "templates": 2}
    db_session.expire_all()
    after = _items(db_session)
    assert {row: after[row] for row in before} == before  # the earlier templates, HR's edit too, untouched
    assert len(after) == len(before) + 14
    assert not load_templates()


def _items(session) -> dict[int, tuple]:
    return {row.id: (row.template_id, row.weight, row.target) for row in session.scalars(select(TemplateItem))}
