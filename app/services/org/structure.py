"""HR adds to the company's structure from the console: a department (with its rest days), a
position (its template and job description copied from an existing position, then edited), and an
indicator of the library that people report themselves (synced indicators come with connectors).

Input is checked with marshmallow (codes are short lower-case identifiers, names 1–32 characters),
an indicator also by the domain's consistency rules; each addition is one audited transaction.
"""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from app.domain.codec import indicator_of
from app.domain.errors import LibraryInvalid
from app.domain.indicators import check_indicator
from app.errors import ApiError
from app.extensions import db
from app.models import Department, Indicator, JobDescription, KpiTemplate, Position, TemplateItem
from app.services import audit
from app.services.authz import Action, Subject, actor, require
from app.services.usecase import JsonDict, use_case

CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,31}$", error="代码应为2到32位小写字母、数字或下划线，以字母开头")
NAME = validate.Length(min=1, max=32, error="名称应为1到32个字")
MESSAGES: dict[str, str | list[Any] | dict[Any, Any]] = {"required": "必填", "null": "必填", "type": "格式不对"}
LABELS = {"code": "代码", "name": "名称", "department": "部门", "copy_from": "参照岗位", "rest_weekdays": "休息日",
          "kind": "类型", "direction": "方向", "aggregation": "汇总方式", "display": "显示方式", "unit": "单位",
          "definition": "定义", "hint": "未达标提示"}


class DepartmentSchema(Schema):
    code = fields.String(required=True, validate=CODE, error_messages=MESSAGES)
    name = fields.String(required=True, validate=NAME, error_messages=MESSAGES)
    rest_weekdays = fields.List(fields.Integer(validate=validate.Range(1, 7)), load_default=lambda: [6, 7],
                                validate=validate.Length(max=6, error="每周至少要有一个工作日"))


class PositionSchema(Schema):
    code = fields.String(required=True, validate=CODE, error_messages=MESSAGES)
    name = fields.String(required=True, validate=NAME, error_messages=MESSAGES)
    department = fields.String(required=True, error_messages=MESSAGES)
    copy_from = fields.String(required=True, error_messages=MESSAGES)


class IndicatorSchema(Schema):
    code = fields.String(required=True, validate=CODE, error_messages=MESSAGES)
    name = fields.String(required=True, validate=NAME, error_messages=MESSAGES)
    kind = fields.String(required=True, validate=validate.OneOf(("quantitative", "qualitative"), error="类型不对"))
    direction = fields.String(load_default="higher", validate=validate.OneOf(("higher", "lower"), error="方向不对"))
    aggregation = fields.String(load_default="sum", validate=validate.OneOf(("sum", "ratio", "latest"),
                                                                            error="汇总方式不对"))
    display = fields.String(load_default="number", validate=validate.OneOf(("number", "percent", "ratio"),
                                                                           error="显示方式不对"))
    unit = fields.String(load_default="", validate=validate.Length(max=16, error="单位不能超过16个字"))
    definition = fields.String(load_default="", validate=validate.Length(max=500, error="定义不能超过500个字"))
    hint = fields.String(load_default="", validate=validate.Length(max=200, error="提示不能超过200个字"))


@use_case
def add_department(document: Any, *, hr_id: int) -> Department:
    """A new department; its people work Monday to Friday unless other rest days are given."""
    require(actor(hr_id), Action.MANAGE_PEOPLE, Subject())
    data = _load(DepartmentSchema(), document)
    _unique(Department, data["code"], "部门")
    row = Department(code=data["code"], name=data["name"],
                     rest_weekdays=",".join(str(d) for d in sorted(set(data["rest_weekdays"]))))
    db.session.add(row)
    db.session.flush()
    audit.record("department.add", "department", row.id, actor_id=hr_id, after=data)
    db.session.commit()
    return row


@use_case
def add_position(document: Any, *, hr_id: int) -> Position:
    """A new position in a department, starting from a copy of an existing position's template and
    job description (a template must total 100, so it never starts empty): HR edits both next."""
    require(actor(hr_id), Action.EDIT_TEMPLATE, Subject())
    data = _load(PositionSchema(), document)
    _unique(Position, data["code"], "岗位")
    department = db.session.scalar(select(Department).where(Department.code == data["department"]))
    source = db.session.scalar(select(Position).where(Position.code == data["copy_from"]))
    template = None if source is None else db.session.scalar(
        select(KpiTemplate).where(KpiTemplate.position_id == source.id))
    if department is None or source is None or template is None:
        what = "部门" if department is None else "参照岗位"
        raise ApiError("structure_invalid", f"请选择已有的{what}", 422, {"department" if department is None
                                                                           else "copy_from": "不存在"})
    row = Position(code=data["code"], name=data["name"], department_id=department.id)
    db.session.add(row)
    db.session.flush()
    jd = source.job_description
    db.session.add(JobDescription(position_id=row.id, duties=list(jd.duties) if jd else [],
                                  authorities=list(jd.authorities) if jd else [], goals=list(jd.goals) if jd else []))
    db.session.add(KpiTemplate(position_id=row.id, currency=template.currency, items=[
        TemplateItem(indicator_id=i.indicator_id, sort=i.sort, weight=i.weight, target=i.target, cap=i.cap,
                     floor=i.floor, rater=i.rater, method=i.method) for i in template.items]))
    db.session.flush()
    audit.record("position.add", "position", row.id, actor_id=hr_id, after=data)
    db.session.commit()
    return row


@use_case
def add_indicator(document: Any, *, hr_id: int) -> Indicator:
    """A self-reported (or rated) indicator for the library, checked like the built-in ones."""
    require(actor(hr_id), Action.EDIT_TEMPLATE, Subject())
    data = _load(IndicatorSchema(), document)
    _unique(Indicator, data["code"], "指标")
    rated = data["kind"] == "qualitative"
    domain = indicator_of({
        "code": data["code"], "name_zh": data["name"], "kind": data["kind"], "unit": data["unit"],
        "direction": "higher" if rated else data["direction"], "display": "rating" if rated else data["display"],
        "aggregation": "mean_rating" if rated else data["aggregation"], "source": "rating" if rated else "self_report",
        "cumulative": not rated and data["aggregation"] == "sum", "definition_zh": data["definition"],
        "hint_zh": data["hint"]}, "indicator", LibraryInvalid)
    problems = check_indicator(domain)
    if problems:
        raise LibraryInvalid("；".join(problems), {"indicator": problems})
    row = Indicator(code=domain.code, name=domain.name_zh, kind=domain.kind.value, direction=domain.direction.value,
                    aggregation=domain.aggregation.value, display=domain.display.value, unit=domain.unit,
                    cumulative=domain.cumulative, source=domain.source, money=domain.money.value,
                    scored=domain.scored, hint=domain.hint_zh, definition=domain.definition_zh,
                    pace_basis=domain.pace_basis.value)
    db.session.add(row)
    db.session.flush()
    audit.record("indicator.add", "indicator", row.id, actor_id=hr_id, after=data)
    db.session.commit()
    return row


def _load(schema: Schema, document: Any) -> JsonDict:
    """The document as the schema reads it, or one refusal naming every wrong field in Chinese."""
    try:
        return dict(schema.load(document))
    except ValidationError as error:
        problems = {str(k): "；".join(v) if isinstance(v, list) else str(v) for k, v in error.messages_dict.items()}
        message = "；".join(f"{LABELS.get(k, k)}：{v}" for k, v in problems.items())
        raise ApiError("structure_invalid", message, 422, problems) from None


def _unique(model: type[Department] | type[Position] | type[Indicator], code: str, what: str) -> None:
    if db.session.scalar(select(model.id).where(model.code == code)) is not None:
        raise ApiError("code_taken", f"{what}代码「{code}」已被使用", 409, {"code": "已被使用"})
