"""HR edits a position's KPI template: its items (indicator, weight, target, cap, floor, rater and
scoring method) as a whole (`save_template`, the console's editor), or one item's method
(`set_method`, the CLI).

A template is checked by the domain's rules (the same as a score file: weights total exactly 100,
targets above zero, known indicators, each method's own rules), stored and audited with its items
before and after. It applies from the next month drafted; a month already drafted is still HR's to
adjust, so its assessments for the position follow the template too, keeping a target HR changed
for one person. An open month keeps the terms it opened with. Nobody edits the template they are
assessed by.
"""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select

from app.domain.authz import OWN_CASE
from app.domain.codec import method_json, method_of, template_of
from app.domain.cycles import CycleStatus
from app.domain.errors import TemplateInvalid
from app.domain.formatting import format_value, method_label
from app.domain.indicators import Direction, Display, Indicator, IndicatorLibrary, Kind
from app.domain.methods import RATIO
from app.domain.scoring import score_figure, scoring_items
from app.domain.templates import KpiTemplate as DomainTemplate
from app.domain.templates import TemplateItem as DomainItem
from app.domain.templates import validate_template
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, AssessmentItem, Cycle, Department, Employee, KpiTemplate, Position, TemplateItem
from app.models import Indicator as IndicatorRow
from app.services import audit, authz
from app.services.authz import Action, Actor, Subject, require
from app.services.scoring.inputs import domain_item, library
from app.services.usecase import JsonDict, use_case


def templates(who: Actor) -> list[JsonDict]:
    """Every position's template as HR lists them: department, items, when it last changed."""
    require(who, Action.EDIT_TEMPLATE, Subject())
    people = dict(db.session.execute(select(Employee.position_id, func.count()).where(
        Employee.status == "active").group_by(Employee.position_id)).all())
    rows = db.session.execute(
        select(Position, KpiTemplate, Department.name).join(KpiTemplate, KpiTemplate.position_id == Position.id)
        .outerjoin(Department, Department.id == Position.department_id).order_by(Department.id, Position.id))
    return [{"code": position.code, "name": position.name, "department": department or "—",
             "items": len(template.items), "currency": template.currency, "updated_at": template.updated_at,
             "people": people.get(position.id, 0)}
            for position, template, department in rows]


def template_view(who: Actor, position_code: str) -> JsonDict:
    """One template with each item's indicator and rule as the report words it, and the indicators
    it may use (the scored ones of the library)."""
    require(who, Action.EDIT_TEMPLATE, Subject())
    template = _template(position_code)
    position = db.session.get(Position, template.position_id)
    assert position is not None, "a template's position exists (foreign key)"
    lib = library()
    items = []
    for row in template.items:
        ind, item = lib[row.indicator.code], domain_item(row.indicator.code, row)
        items.append({"indicator": ind.code, "name": ind.name_zh, "weight": item.weight, "target": item.target,
                      "target_shown": format_value(Fraction(item.target), ind.display, ind.unit, template.currency),
                      "cap": item.cap, "floor": item.floor, "rater": item.rater.value if item.rater else None,
                      "method": method_json(item.method),
                      "rule": method_label(item.method, item.weight, ind.direction, ind.display, ind.unit,
                                           template.currency)})
    return {"code": position.code, "name": position.name, "currency": template.currency, "items": items,
            "updated_at": template.updated_at, "own": _assessed_by(who.employee_id, template),
            "drafted": _drafted_labels(template.position_id),
            "library": [_indicator_choice(ind) for ind in lib.values() if ind.scored]}


def indicators(who: Actor) -> list[JsonDict]:
    """The indicator library (指标库) as HR reads it: each indicator's definition, where its figure
    comes from, whether higher is better, and the templates that use it."""
    require(who, Action.EDIT_TEMPLATE, Subject())
    used: dict[str, list[str]] = {}
    for code, name in db.session.execute(select(IndicatorRow.code, Position.name).join(
            TemplateItem, TemplateItem.indicator_id == IndicatorRow.id).join(KpiTemplate).join(Position)
            .order_by(Position.id)):
        used.setdefault(code, []).append(name)
    return [{**_indicator_choice(ind), "scored": ind.scored, "used_by": used.get(ind.code, []),
             "hint": ind.hint_zh} for ind in library().values()]


def _indicator_choice(ind: Indicator) -> JsonDict:
    return {"code": ind.code, "name": ind.name_zh, "qualitative": ind.kind is Kind.QUALITATIVE,
            "display": ind.display.value, "unit": ind.unit, "direction": ind.direction.value,
            "definition": ind.definition_zh, "source": ind.source}


@use_case
def save_template(position_code: str, document: Any, *, hr_id: int) -> int:
    """Replace a template's items with `document` ({"currency", "items": [...]}, the score file's
    template form). Refused whole, with every problem named, when a rule is broken; otherwise stored,
    followed by the months still in draft, and audited once. Returns how many drafted assessments
    followed."""
    authz.require(authz.actor(hr_id), Action.EDIT_TEMPLATE, Subject())
    template = _template(position_code)
    if _assessed_by(hr_id, template):
        raise ApiError("forbidden", OWN_CASE, 403, {"action": Action.EDIT_TEMPLATE.value})
    position = db.session.get(Position, template.position_id)
    assert position is not None, "a template's position exists (foreign key)"
    lib = library()
    new = template_of(document, position.code, position.name, "template", TemplateInvalid, _rated(lib))
    validate_template(new, lib)
    before = _terms(template)
    _replace_items(template, new)
    followed = _follow_drafts(template, before)
    audit.record("template.save", "kpi_template", template.id, actor_id=hr_id, before=before,
                 after={**_terms(template), "position": position.code, "draft_assessments": followed})
    db.session.commit()
    return followed


def preview(position_code: str, document_item: Any, figure: Any, currency: str) -> JsonDict:
    """How `figure` would score on one item as HR is editing it (nothing stored): its points and the
    rule in words, or what is wrong with the item. For the editor's live preview."""
    _template(position_code)
    lib = library()
    item = template_of({"currency": currency, "items": [document_item]}, position_code, "", "template",
                       TemplateInvalid, _rated(lib)).items[0]
    ind = lib.get(item.indicator_code)
    if ind is None:
        raise TemplateInvalid(f"指标「{item.indicator_code}」不在指标库中", {"indicator": item.indicator_code})
    value = _figure(figure)
    scored = score_figure(scoring_items(DomainTemplate(position_code, "", currency, (item,)), lib)[0], value)
    return {"points": str(scored.score.quantize(Decimal("0.01"))), "weight": str(item.weight),
            "met": scored.met, "figure": format_value(Fraction(value), ind.display, ind.unit, currency),
            "rule": method_label(item.method, item.weight, ind.direction, ind.display, ind.unit, currency)}


def _figure(value: Any) -> Decimal:
    try:
        figure = Decimal(str(value).strip())
    except ArithmeticError:
        raise TemplateInvalid("请填写用来预览的数值", {"figure": value}) from None
    if not figure.is_finite() or figure < 0:
        raise TemplateInvalid("用来预览的数值不能为负数", {"figure": value})
    return figure


def _rated(lib: IndicatorLibrary) -> set[str]:
    return {ind.code for ind in lib.values() if ind.kind is Kind.QUALITATIVE}


def _template(position_code: str) -> KpiTemplate:
    template = db.session.scalar(select(KpiTemplate).join(Position).where(Position.code == position_code))
    if template is None:
        raise ApiError("template_not_found", f"岗位「{position_code}」没有考核模板", 404)
    return template


def _assessed_by(employee_id: int, template: KpiTemplate) -> bool:
    return db.session.scalar(select(Employee.position_id).where(Employee.id == employee_id)) == template.position_id


def _terms(template: KpiTemplate) -> JsonDict:
    """What the audit keeps of a template: its currency and each item's terms, in order."""
    return {"currency": template.currency, "items": [
        {"indicator": i.indicator.code, "weight": str(i.weight), "target": str(i.target), "cap": str(i.cap),
         "floor": None if i.floor is None else str(i.floor), "rater": i.rater, "method": i.method}
        for i in template.items]}


def _replace_items(template: KpiTemplate, new: DomainTemplate) -> None:
    """Update the items in place by indicator (the unique key), drop the removed, add the new."""
    indicators = {r.code: r for r in db.session.scalars(select(IndicatorRow))}
    kept = {item.indicator_code for item in new.items}
    for row in [row for row in template.items if row.indicator.code not in kept]:
        template.items.remove(row)
    db.session.flush()
    existing = {row.indicator.code: row for row in template.items}
    for sort, item in enumerate(new.items):
        if item.indicator_code not in existing:
            indicator = indicators[item.indicator_code]
            existing[item.indicator_code] = TemplateItem(indicator_id=indicator.id, indicator=indicator)
            template.items.append(existing[item.indicator_code])
        _set_terms(existing[item.indicator_code], item, sort)
    template.currency = new.currency
    db.session.flush()


def _set_terms(row: TemplateItem | AssessmentItem, item: DomainItem, sort: int) -> None:
    row.sort, row.weight, row.target, row.cap, row.floor = sort, item.weight, item.target, item.cap, item.floor
    row.rater, row.method = item.rater.value if item.rater else None, method_json(item.method)


def _follow_drafts(template: KpiTemplate, before: JsonDict) -> int:
    """Drafted assessments of the position take the new items; a target HR set for one person
    (different from the old template's) stays while its indicator does."""
    old_targets = {i["indicator"]: Decimal(i["target"]) for i in before["items"]}
    drafted = list(db.session.scalars(
        select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id).where(
            Cycle.status == CycleStatus.DRAFT, Assessment.position_id == template.position_id)))
    for assessment in drafted:
        own = {i.indicator_code: i.target for i in assessment.items
               if i.indicator_code in old_targets and i.target != old_targets[i.indicator_code]}
        assessment.items.clear()
        db.session.flush()
        assessment.currency = template.currency
        for row in template.items:
            item = AssessmentItem(indicator_code=row.indicator.code)
            _set_terms(item, domain_item(row.indicator.code, row), row.sort)
            item.target = own.get(row.indicator.code, row.target)
            assessment.items.append(item)
    db.session.flush()
    return len(drafted)


def _drafted_labels(position_id: int) -> list[str]:
    cycles = db.session.scalars(select(Cycle).join(Assessment, Assessment.cycle_id == Cycle.id).where(
        Cycle.status == CycleStatus.DRAFT, Assessment.position_id == position_id).distinct())
    return [f"{c.year}年{c.month}月" for c in cycles]


@use_case
def set_method(position_code: str, indicator_code: str, method: Any, *, hr_id: int) -> str:
    """Set one item's scoring method (`method` in the score-file form; None is the ratio), never in
    the position the HR member is assessed in. Returns the rule as the report will word it."""
    authz.require(authz.actor(hr_id), authz.Action.EDIT_TEMPLATE, authz.Subject())
    template, item = _item(position_code, indicator_code)
    if _assessed_by(hr_id, template):
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
    template = _template(position_code)
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

