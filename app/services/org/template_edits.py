"""HR sets how a template item is scored (评分标准): ratio, deduction, bands or pass/fail.

The method is checked with the template it belongs to (the same rules as a score file), stored on
the template item and audited. It applies from the next month drafted; a month already drafted is
still HR's to adjust, so its assessments for the position take the new method too. An open month
keeps the method it opened with.
"""

from typing import Any

from sqlalchemy import select

from app.domain.authz import OWN_CASE
from app.domain.codec import method_json, method_of
from app.domain.cycles import CycleStatus
from app.domain.errors import TemplateInvalid
from app.domain.formatting import method_label
from app.domain.indicators import Direction, Display
from app.domain.methods import RATIO
from app.domain.templates import KpiTemplate as DomainTemplate
from app.domain.templates import validate_template
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, AssessmentItem, Cycle, Employee, KpiTemplate, Position, TemplateItem
from app.services import audit, authz
from app.services.scoring.inputs import domain_item, library
from app.services.usecase import use_case


@use_case
def set_method(position_code: str, indicator_code: str, method: Any, *, hr_id: int) -> str:
    """Set one item's scoring method (`method` in the score-file form; None is the ratio), never in
    the position the HR member is assessed in. Returns the rule as the report will word it."""
    authz.require(authz.actor(hr_id), authz.Action.EDIT_TEMPLATE, authz.Subject())
    template, item = _item(position_code, indicator_code)
    if db.session.scalar(select(Employee.position_id).where(Employee.id == hr_id)) == template.position_id:
        raise ApiError("forbidden", OWN_CASE, 403, {"action": authz.Action.EDIT_TEMPLATE.value})
    chosen = RATIO if method is None else method_of(method, "method", TemplateInvalid)
    validate_template(_domain(template, replace_item=(item.id, chosen)), library())
    before, after = item.method, method_json(chosen)
    item.method = after
    drafts = _draft_items(template.position_id, indicator_code)
    for drafted in drafts:
        drafted.method = after
    audit.record("template.method", "template_item", item.id, actor_id=hr_id, before={"method": before},
                 after={"method": after, "position": position_code, "indicator": indicator_code,
                        "draft_items": len(drafts)})
    db.session.commit()
    ind = item.indicator
    return f"{ind.name}：" + method_label(chosen, item.weight, Direction(ind.direction), Display(ind.display),
                                         ind.unit, template.currency)


def _item(position_code: str, indicator_code: str) -> tuple[KpiTemplate, TemplateItem]:
    template = db.session.scalar(select(KpiTemplate).join(Position).where(Position.code == position_code))
    if template is None:
        raise ApiError("template_not_found", f"岗位「{position_code}」没有考核模板", 404)
    item = next((i for i in template.items if i.indicator.code == indicator_code), None)
    if item is None:
        raise ApiError("item_not_found", f"岗位「{position_code}」的模板中没有指标「{indicator_code}」", 404)
    return template, item


def _domain(template: KpiTemplate, *, replace_item: tuple[int, Any]) -> DomainTemplate:
    """The template as the domain validates it, with one item's method replaced."""
    position = db.session.get(Position, template.position_id)
    assert position is not None, "a template's position exists (foreign key)"
    item_id, method = replace_item
    return DomainTemplate(position.code, position.name, template.currency, tuple(
        domain_item(i.indicator.code, i, method if i.id == item_id else None)
        for i in template.items))


def _draft_items(position_id: int, indicator_code: str) -> list[AssessmentItem]:
    return list(db.session.scalars(
        select(AssessmentItem).join(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id).where(
            Cycle.status == CycleStatus.DRAFT, Assessment.position_id == position_id,
            AssessmentItem.indicator_code == indicator_code)))

