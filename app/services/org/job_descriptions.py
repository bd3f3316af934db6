"""HR edits a position's job description (岗位说明书): its duties (what, how often, to what
standard), authorities (what the holder decides alone, up to what limit) and goals (over a month,
quarter or year). People are assessed against what is written here, so it is kept beside the KPI
template in the console and every change is audited with the text before and after.

The document is checked with marshmallow: every entry needs its text (at most 200 characters), a
duty its frequency and standard, and there is at least one duty; refusals name each field in Chinese.
"""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from app.domain.authz import OWN_CASE
from app.errors import ApiError
from app.extensions import db
from app.models import Employee, JobDescription, Position
from app.services import audit
from app.services.authz import Action, Actor, Subject, actor, require
from app.services.usecase import JsonDict, use_case

TEXT = 200
PERIODS = {"month": "月度", "quarter": "季度", "year": "年度"}
MESSAGES: dict[str, str | list[Any] | dict[Any, Any]] = {"required": "必填", "null": "必填", "type": "格式不对"}


def _text(label: str, required: bool = True) -> fields.String:
    length = validate.Length(min=1 if required else 0, max=TEXT, error=f"{label}应为1到{TEXT}个字"
                             if required else f"{label}不能超过{TEXT}个字")
    if required:
        return fields.String(required=True, validate=length, error_messages=MESSAGES)
    return fields.String(load_default="", validate=length, error_messages=MESSAGES)


class DutySchema(Schema):
    text = _text("职责")
    frequency = _text("频率")
    standard = _text("标准")


class AuthoritySchema(Schema):
    text = _text("权限")
    limit = _text("限度", required=False)


class GoalSchema(Schema):
    text = _text("目标")
    period = fields.String(required=True, validate=validate.OneOf(PERIODS, error="周期应为月度、季度或年度"),
                           error_messages=MESSAGES)


class JobDescriptionSchema(Schema):
    duties = fields.List(fields.Nested(DutySchema), required=True,
                         validate=validate.Length(min=1, error="至少写一条职责"), error_messages=MESSAGES)
    authorities = fields.List(fields.Nested(AuthoritySchema), load_default=list)
    goals = fields.List(fields.Nested(GoalSchema), load_default=list)


def view(who: Actor, position_code: str) -> JsonDict:
    """A position's job description as HR edits it (empty lists when none was written)."""
    require(who, Action.EDIT_TEMPLATE, Subject())
    position, jd = _position(position_code)
    return {"code": position.code, "name": position.name,
            "duties": [{"text": d["text"], "frequency": d["frequency"], "standard": d["standard"]}
                       for d in (jd.duties if jd else [])],
            "authorities": [{"text": a["text"], "limit": a.get("limit", "")} for a in (jd.authorities if jd else [])],
            "goals": [{"text": g["text"], "period": g.get("period", "quarter")} for g in (jd.goals if jd else [])]}


@use_case
def save(position_code: str, document: Any, *, hr_id: int) -> None:
    """Replace a position's job description with `document`; refused whole when an entry is wrong,
    and to someone holding that position."""
    require(actor(hr_id), Action.EDIT_TEMPLATE, Subject())
    try:
        checked = JobDescriptionSchema().load(document)
    except ValidationError as error:
        raise ApiError("job_description_invalid", "岗位说明书未保存：" + "；".join(_problems(error.messages)),
                       422, {"problems": _problems(error.messages)}) from None
    position, jd = _position(position_code)
    if db.session.scalar(select(Employee.position_id).where(Employee.id == hr_id)) == position.id:
        raise ApiError("forbidden", OWN_CASE, 403, {"action": Action.EDIT_TEMPLATE.value})
    before = None if jd is None else {"duties": jd.duties, "authorities": jd.authorities, "goals": jd.goals}
    if jd is None:
        jd = JobDescription(position_id=position.id)
        db.session.add(jd)
    jd.duties, jd.authorities, jd.goals = checked["duties"], checked["authorities"], checked["goals"]
    db.session.flush()
    audit.record("job_description.save", "job_description", jd.id, actor_id=hr_id, before=before,
                 after={**checked, "position": position.code})
    db.session.commit()


LISTS = {"duties": "职责", "authorities": "权限", "goals": "目标"}


def _problems(messages: Any, where: str = "") -> list[str]:
    """marshmallow's nested messages as sentences: "第2条职责：标准应为1到200个字"."""
    found: list[str] = []
    if isinstance(messages, list):
        return [f"{where}{m}" for m in messages if isinstance(m, str)]
    for key, value in messages.items():
        if key in LISTS and isinstance(value, dict):
            for index, inner in value.items():
                found += _problems(inner, f"第{int(index) + 1}条{LISTS[key]}：")
        else:
            found += _problems(value, where)
    return found


def _position(code: str) -> tuple[Position, JobDescription | None]:
    position = db.session.scalar(select(Position).where(Position.code == code))
    if position is None:
        raise ApiError("position_not_found", f"找不到岗位「{code}」", 404)
    return position, position.job_description
