"""The mini-program's API, `/api/mp/v1` (issue 19, landing in steps): sign-in with a `wx.login`
code, who the person is, their month's assessments with live progress, and acknowledging targets.
Thin: marshmallow reads the input and shapes the output (an input and an output schema per
operation), the services decide, with the one policy (a person sees their own, a manager their
subtree's).

Sign-in: the code goes to WeChat's jscode2session through our client; the `session_key` it returns
never leaves the server. An account already bound gets our own token: signed with SECRET_KEY,
valid for 7 days, naming the person and their mini-program openid; every request checks that the
binding still exists and the person still works here, so unbinding or leaving ends the token at
once. An unbound account binds with the person's number and an HR bind code (app.services.org.
binding.bind, with its attempt limits) in the same request.

Every operation is declared with `operation(...)`; `/api/mp/v1/openapi.json` is generated from those
declarations and their schemas (apispec), so the document cannot drift from the code.
"""

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, g, jsonify, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import Schema, ValidationError, fields, validate

from app.api import once
from app.errors import ApiError
from app.models import Employee
from app.services.authz import actor
from app.services.cycle import targets
from app.services.feedback import appeals
from app.services.observations import corrections, submissions
from app.services.org import binding, profile
from app.services.scoring import reading
from app.wechat.clients import mini_program

bp = Blueprint("mp", __name__, url_prefix="/api/mp/v1")

TOKEN_SALT = "jixiao-mp-token"
TOKEN_SECONDS = 7 * 24 * 3600
CHANNEL = "mp"


# --- schemas: one for what comes in, one for what goes out --------------------------------------

class LoginIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128),
                         metadata={"description": "wx.login() 返回的 code"})
    employee_no = fields.String(validate=validate.Length(min=1, max=32),
                                metadata={"description": "首次登录：本人工号"})
    bind_code = fields.String(validate=validate.Regexp(r"^\d{8}$", error="绑定码是8位数字"),
                              metadata={"description": "首次登录：人事发放的8位绑定码"})


class MeOut(Schema):
    employee_no = fields.String(required=True)
    name = fields.String(required=True)
    department = fields.String(required=True)
    position = fields.String(required=True)
    manager = fields.String(required=True, metadata={"description": "直属主管姓名，没有时为空"})
    joined_on = fields.Date(required=True)
    manages = fields.Integer(required=True, metadata={"description": "下属人数（含间接下属）"})
    channels = fields.List(fields.String(), required=True, metadata={"description": "已绑定的微信渠道"})


class TokenOut(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "秒"})
    me = fields.Nested(MeOut, required=True)


class AssessmentRef(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"description": "如 2026年11月"})
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    position = fields.String(required=True)


class AssessmentsOut(Schema):
    assessments = fields.List(fields.Nested(AssessmentRef), required=True)


class TargetItemOut(Schema):
    assessment_item_id = fields.Integer(required=True)
    indicator = fields.String(required=True)
    name = fields.String(required=True)
    weight = fields.String(required=True)
    target = fields.String(required=True)
    prorated_target = fields.String(allow_none=True, metadata={"description": "部分月份按在岗天数折算的目标"})
    target_display = fields.String(required=True, metadata={"description": "如 100,000 USD、5%"})
    rater_kind = fields.String(allow_none=True, metadata={"description": "manager/peer/customer；数据项为空"})


class AmendmentOut(Schema):
    id = fields.Integer(required=True)
    assessment_item_id = fields.Integer(required=True)
    old_target = fields.String(required=True)
    new_target = fields.String(required=True)
    reason = fields.String(required=True)


class TargetsStateOut(Schema):
    acknowledged = fields.Boolean(required=True)
    acknowledged_at = fields.String(allow_none=True)
    amendments_to_acknowledge = fields.List(fields.Nested(AmendmentOut), required=True)


class SnapshotOut(Schema):
    as_of = fields.String(required=True, metadata={"description": "数据截至日"})
    computed_at = fields.String(required=True)
    body = fields.Dict(required=True, metadata={"description": "进度条、进度、预计得分与等级（报告格式）"})


class AssessmentOut(TargetsStateOut):
    assessment_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(TargetItemOut), required=True)
    progress = fields.Nested(SnapshotOut, allow_none=True, metadata={"description": "首次计算前为空"})


class DutyOut(Schema):
    text = fields.String(required=True)
    frequency = fields.String(required=True)
    standard = fields.String(required=True)


class AuthorityOut(Schema):
    text = fields.String(required=True)
    limit = fields.String(load_default="", dump_default="")


class GoalOut(Schema):
    text = fields.String(required=True)
    period = fields.String(required=True, metadata={"description": "month/quarter/year"})


class JobDescriptionOut(Schema):
    position = fields.String(required=True)
    duties = fields.List(fields.Nested(DutyOut), required=True)
    authorities = fields.List(fields.Nested(AuthorityOut), required=True)
    goals = fields.List(fields.Nested(GoalOut), required=True)


class RuleOut(Schema):
    indicator = fields.String(required=True)
    name = fields.String(required=True)
    weight = fields.String(required=True)
    target = fields.String(required=True, metadata={"description": "如 99.5%、100,000 USD、5分"})
    by = fields.String(required=True, metadata={"description": "评分人或数据来源"})
    rule = fields.String(required=True, metadata={"description": "计分规则原文，如 扣分制：每低于目标0.1%扣6分…"})
    definition = fields.String(required=True)


class RulesOut(Schema):
    rules = fields.List(fields.Nested(RuleOut), required=True)


class MemberOut(Schema):
    employee_no = fields.String(required=True)
    name = fields.String(required=True)
    position = fields.String(required=True)
    assessment_id = fields.Integer(required=True)
    acknowledged = fields.Boolean(required=True, metadata={"description": "是否已确认本月目标"})
    as_of = fields.String(allow_none=True, metadata={"description": "数据截至日；尚未计算时为空"})
    total = fields.String(allow_none=True, metadata={"description": "预计总分"})
    grade = fields.String(allow_none=True, metadata={"description": "预计等级"})
    behind = fields.Integer(required=True, metadata={"description": "落后进度的考核项数"})


class TeamOut(Schema):
    members = fields.List(fields.Nested(MemberOut), required=True)
    appeals_to_decide = fields.Integer(required=True)
    corrections_to_decide = fields.Integer(required=True)


FIGURE_LIMIT = Decimal("1e12")
NUMBER = {"invalid": "不是有效的数字", "required": "必填", "special": "不是有效的数字"}


class FigureIn(Schema):
    numerator = fields.Decimal(required=True, validate=validate.Range(0, FIGURE_LIMIT, error="数值应在0到1万亿之间"),
                               error_messages=NUMBER, metadata={"description": "数值；比率类为完成数"})
    denominator = fields.Decimal(validate=validate.Range(0, FIGURE_LIMIT, error="数值应在0到1万亿之间"),
                                 error_messages=NUMBER, metadata={"description": "比率类指标的总数"})


class ProgressIn(Schema):
    day = fields.Date(required=True, error_messages={"invalid": "日期格式应为 YYYY-MM-DD", "required": "必填"})
    figures = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=48)), values=fields.Nested(FigureIn),
                          required=True, validate=validate.Length(min=1, max=20, error="请填写1到20项数据"),
                          metadata={"description": "指标代码 → 当日数值"})
    note = fields.String(load_default="", validate=validate.Length(max=500, error="备注最多500字"))


class ProgressOut(Schema):
    id = fields.Integer(required=True)
    day = fields.Date(required=True)
    note = fields.String(required=True)


class ErrorOut(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    problems = fields.Dict(required=True, data_key="fields", metadata={"description": "字段 → 问题"})


class ErrorEnvelope(Schema):
    error = fields.Nested(ErrorOut, required=True)


# --- operations ----------------------------------------------------------------------------------

def operation(method: str, path: str, *, summary: str, answer: type[Schema], body: type[Schema] | None = None,
              signed: bool = True, idempotent: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an operation: its route, who may call it (a signed-in person unless `signed` is
    False), its input and output schemas, and whether it needs an `Idempotency-Key` (a retry with
    the same key and body gets the first answer and changes nothing). The view receives the loaded
    body (if any) and returns the output object, which is dumped through `answer`."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def run(**kwargs: Any) -> Any:
            if signed:
                g.mp_actor = actor(_signed_in())
            if body is not None:
                kwargs["data"] = _body(body())
            if idempotent:
                return jsonify(once.answer(g.mp_actor.employee_id, request.headers.get("Idempotency-Key", ""),
                                           request.get_data(), lambda: answer().dump(view(**kwargs))))
            return jsonify(answer().dump(view(**kwargs)))

        run.mp_operation = {"method": method.lower(), "summary": summary, "answer": answer,  # type: ignore[attr-defined]
                            "body": body, "signed": signed, "idempotent": idempotent}
        bp.add_url_rule(path, view.__name__, run, methods=[method])
        return run

    return wrap


def _body(schema: Schema) -> dict[str, Any]:
    if not request.is_json:
        raise ApiError("json_required", "请求内容必须是 JSON（Content-Type: application/json）", 415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError("malformed_json", "请求内容不是有效的 JSON 对象", 400)
    try:
        return dict(schema.load(data))
    except ValidationError as error:
        problems = {str(k): "；".join(map(str, v)) if isinstance(v, list) else str(v)
                    for k, v in error.messages_dict.items()}
        raise ApiError("invalid_input", "输入有误：" + "；".join(problems.values()), 422, problems) from None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def token_for(employee_id: int, openid: str) -> str:
    return _serializer().dumps({"e": employee_id, "o": openid})


def _signed_in() -> int:
    """The employee the request's token names, while their binding and employment last."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise ApiError("token_missing", "请先登录", 401)
    try:
        claims = _serializer().loads(header[7:].strip(), max_age=TOKEN_SECONDS)
    except SignatureExpired:
        raise ApiError("token_expired", "登录已过期，请重新进入小程序", 401) from None
    except BadSignature:
        raise ApiError("token_invalid", "登录凭证无效，请重新进入小程序", 401) from None
    person = binding.employee_for(CHANNEL, str(claims.get("o", "")))
    if person is None or person.id != claims.get("e") or person.status != "active":
        raise ApiError("token_revoked", "微信绑定已解除或已离职，请重新登录", 401)
    return person.id


@operation("POST", "/auth/login", summary="用 wx.login 的 code 登录（首次登录同时绑定）", body=LoginIn,
           answer=TokenOut, signed=False)
def login(data: dict[str, Any]) -> dict[str, Any]:
    session = mini_program().code_to_session(data["code"])
    person: Employee | None = binding.employee_for(CHANNEL, session.openid)
    if person is None:
        if not (data.get("employee_no") and data.get("bind_code")):
            raise ApiError("not_bound", "首次使用请输入工号和人事发放的绑定码", 403,
                           {"employee_no": "必填", "bind_code": "必填"})
        identity = binding.bind(CHANNEL, session.openid, data["employee_no"], data["bind_code"],
                                unionid=session.unionid)
        person_id = identity.employee_id
    else:
        person_id = person.id
    return {"token": token_for(person_id, session.openid), "expires_in": TOKEN_SECONDS,
            "me": profile.me(actor(person_id))}


@operation("GET", "/me", summary="我的信息", answer=MeOut)
def me() -> dict[str, Any]:
    return profile.me(g.mp_actor)


@operation("GET", "/me/job-description", summary="我的岗位说明书", answer=JobDescriptionOut)
def my_job_description() -> dict[str, Any]:
    return profile.job_description(g.mp_actor)


@operation("GET", "/assessments/<int:assessment_id>/rules", summary="考核规则：权重、目标、评分人与计分方式（文字）",
           answer=RulesOut)
def rules(assessment_id: int) -> dict[str, Any]:
    return {"rules": targets.rules_view(assessment_id, g.mp_actor)}


@operation("GET", "/team", summary="团队进展（主管）：每人预计得分、落后项与待我处理的事项", answer=TeamOut)
def team() -> dict[str, Any]:
    return {"members": reading.team_view(g.mp_actor),
            "appeals_to_decide": len(appeals.appeals_to_decide(g.mp_actor)),
            "corrections_to_decide": len(corrections.corrections_to_decide(g.mp_actor))}


@operation("GET", "/assessments", summary="我本月进行中的考核表", answer=AssessmentsOut)
def my_assessments() -> dict[str, Any]:
    return {"assessments": profile.current_assessments(g.mp_actor)}


@operation("GET", "/assessments/<int:assessment_id>", summary="考核表：考核项、目标与实时进度", answer=AssessmentOut)
def assessment(assessment_id: int) -> dict[str, Any]:
    return {**targets.targets_view(assessment_id, g.mp_actor),
            "progress": reading.view_progress(assessment_id, g.mp_actor)}


@operation("POST", "/assessments/<int:assessment_id>/acknowledge", summary="确认本月目标（含目标调整）",
           answer=TargetsStateOut)
def acknowledge(assessment_id: int) -> dict[str, Any]:
    return targets.acknowledge_targets(assessment_id, g.mp_actor)


@operation("POST", "/progress", summary="提交或修改某日进展（修改时限内；同一 Idempotency-Key 重试不会重复）",
           body=ProgressIn, answer=ProgressOut, idempotent=True)
def submit_progress(data: dict[str, Any]) -> Any:
    figures = {code: submissions.SubmittedFigure(f["numerator"], f.get("denominator"))
               for code, f in data["figures"].items()}
    return submissions.submit(g.mp_actor.employee_id, data["day"], figures, g.mp_actor, data["note"])


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3 document, generated from the declared operations and their schemas."""
    spec = APISpec(title="绩效小程序 API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   servers=[{"url": bp.url_prefix}])
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorEnvelope)
    for rule in current_app.url_map.iter_rules():
        declared = getattr(current_app.view_functions[rule.endpoint], "mp_operation", None)
        if declared is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(bp.url_prefix or ""))
        described = _described(declared)
        if rule.arguments:
            described.setdefault("parameters", []).extend(
                {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
                for name in sorted(rule.arguments))
        spec.path(path=path, operations={declared["method"]: described})
    return jsonify(spec.to_dict())


def _described(declared: dict[str, Any]) -> dict[str, Any]:
    refused = {"description": "拒绝（中文说明 + 稳定错误码）",
               "content": {"application/json": {"schema": "Error"}}}
    described: dict[str, Any] = {
        "summary": declared["summary"],
        "responses": {"200": {"description": "成功", "content": {"application/json": {"schema": declared["answer"]}}},
                      "4XX": refused}}
    if declared["body"] is not None:
        described["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": declared["body"]}}}
    if declared["signed"]:
        described["security"] = [{"token": []}]
    if declared["idempotent"]:
        described["parameters"] = [{"name": "Idempotency-Key", "in": "header", "required": True,
                                    "schema": {"type": "string", "pattern": once.KEY_PATTERN}}]
    return described
