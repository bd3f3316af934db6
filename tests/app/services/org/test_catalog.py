"""The built-in templates land in the database with the seed's exact figures, and only once."""

from decimal import Decimal

from sqlalchemy import select

from app.models import (
    AuditLog,
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
    assert first["templates"] == 4
    before = table_checksums(db_session)
    again = load_templates()
    assert not again
    assert table_checksums(db_session) == before
    assert db_session.scalar(select(AuditLog.after).where(AuditLog.action == "catalog.load"))["templates"] == 4


def test_an_edited_template_is_not_overwritten(db_session):
    load_templates()
    item = db_session.scalar(select(TemplateItem).join(Indicator).where(Indicator.code == "ops_sales"))
    item.target = Decimal(120000)
    db_session.commit()
    load_templates()
    db_session.expire_all()
    assert db_session.get(TemplateItem, item.id).target == Decimal(120000)
