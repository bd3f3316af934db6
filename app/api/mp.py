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

Messages open the mini-program on the object they name (`pages/report/index?id=…`, see
app.services.notify.kinds); `PAGES` says which operation each page calls first with that id, and
the document publishes it as `x-pages` so the pages can be checked against it.
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
from app.api.limits import body_limit
from app.errors import ApiError
from app.models import Employee
from app.services.authz import Actor, actor, actor_of_account
from app.services.business_time import clock_now
from app.services.cycle import targets
from app.services.feedback import appeals, comments, rating_prompts, ratings
from app.services.lookup import name_of
from app.services.news import alerts
from app.services.notify import kinds, quota
from app.services.observations import corrections, history, images, privacy, screenshots, submissions
from app.services.org import binding, profile
from app.services.scoring import reading, reports
from app.wechat.clients import mini_program

bp = Blueprint("mp", __name__, url_prefix="/api/mp/v1")

TOKEN_SALT = "jixiao-mp-token"
TOKEN_SECONDS = 7 * 24 * 3600
CHANNEL = "mp"
UPLOAD_BODY_BYTES = images.MAX_BYTES + 64 * 1024  # one file and its multipart framing


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


class EntryOut(Schema):
    display = fields.String(required=True, metadata={"description": "percent/money/ratio/number/rating"})
    unit = fields.String(required=True, metadata={"description": "金额的币种或数量单位，如 USD、轮"})
    two_parts = fields.Boolean(required=True, metadata={"description": "比率类：须填完成数与总数"})
    parts = fields.List(fields.String(), required=True, metadata={"description": "比率类两个输入的名称"})
    by = fields.String(required=True, metadata={"description": "self 本人填报 / sync 同步（可自报）/ rating"})
    source = fields.String(required=True, metadata={"description": "数据来源或评分人"})
    synced_at = fields.String(allow_none=True, required=True, metadata={"description": "最近一次同步完成（当地时间）"})


class TargetItemOut(Schema):
    assessment_item_id = fields.Integer(required=True)
    indicator = fields.String(required=True)
    name = fields.String(required=True)
    weight = fields.String(required=True)
    target = fields.String(required=True)
    prorated_target = fields.String(allow_none=True, metadata={"description": "部分月份按在岗天数折算的目标"})
    target_display = fields.String(required=True, metadata={"description": "如 100,000 USD、5%"})
    rater_kind = fields.String(allow_none=True, metadata={"description": "manager/peer/customer；数据项为空"})
    entry = fields.Nested(EntryOut, required=True, metadata={"description": "提交页如何填写该项"})


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


class TodayOut(Schema):
    day = fields.Date(required=True)
    state = fields.String(required=True, metadata={"description": "done 已提交 / open 可提交 / closed 不在考核期内"})
    editable_until = fields.String(required=True, metadata={"description": "当地时间；之后须申请更正"})


class AlertOut(Schema):
    id = fields.Integer(required=True)
    message = fields.String(required=True, metadata={"description": "预警内容，含证据（连续天数、订单与打包人）"})
    raised_at = fields.String(required=True, metadata={"description": "UTC"})


class AssessmentOut(TargetsStateOut):
    assessment_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(TargetItemOut), required=True)
    progress = fields.Nested(SnapshotOut, allow_none=True, metadata={"description": "首次计算前为空"})
    today = fields.Nested(TodayOut, required=True, metadata={"description": "今日提交按钮的状态"})
    alerts = fields.List(fields.Nested(AlertOut), required=True, metadata={"description": "近7天关于本人的预警"})


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


class BarOut(Schema):
    name = fields.String(required=True)
    fill = fields.String(required=True, metadata={"description": "进度条填充比例 0–1"})
    label = fields.String(required=True, metadata={"description": "如 完成22%"})
    state = fields.String(required=True, metadata={"description": "behind 落后 / ahead 正常 / no_data"})


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
    submitted_today = fields.Boolean(required=True, metadata={"description": "今天是否已提交进展"})
    alerts = fields.Integer(required=True, metadata={"description": "近7天的预警数"})
    bars = fields.List(fields.Nested(BarOut), required=True, metadata={"description": "各数据项的进度条"})


class TeamOut(Schema):
    members = fields.List(fields.Nested(MemberOut), required=True)
    appeals_to_decide = fields.Integer(required=True)
    corrections_to_decide = fields.Integer(required=True)


class DecimalText(fields.Decimal):
    """A number as decimal text ("1200.50"): exact on the way in (no binary float), and only the
    forms `pattern` allows, which the document states as the field's pattern."""

    def __init__(self, pattern: str, error: str, **kwargs: Any) -> None:
        self.pattern = pattern
        super().__init__(error_messages={"invalid": error, "required": "必填", "special": error},
                         metadata={"pattern": pattern, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def figure(**kwargs: Any) -> DecimalText:
    """A figure: not negative, under a trillion, at most 6 decimals (what the database keeps)."""
    return DecimalText(r"^\d{1,12}(\.\d{1,6})?$", "应为不超过12位整数、最多6位小数的非负数，如 1200.50", **kwargs)


NUMBER = {"invalid": "不是有效的数字", "required": "必填"}


class FigureIn(Schema):
    numerator = figure(required=True, metadata={"description": "数值；比率类为完成数"})
    denominator = figure(metadata={"description": "比率类指标的总数"})


class ProgressIn(Schema):
    day = fields.Date(required=True, error_messages={"invalid": "日期格式应为 YYYY-MM-DD", "required": "必填"})
    figures = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=48)), values=fields.Nested(FigureIn),
                          required=True, validate=validate.Length(min=1, max=20, error="请填写1到20项数据"),
                          metadata={"description": "指标代码 → 当日数值"})
    note = fields.String(load_default="", validate=validate.Length(max=500, error="备注最多500字"))
    screenshots = fields.List(fields.Integer(strict=True, error_messages=NUMBER), load_default=None,
                              validate=validate.Length(max=9, error="每天最多9张截图"),
                              metadata={"description": "先用 POST /screenshots 上传得到的 id；省略则保留已有截图"})


class ProgressOut(Schema):
    id = fields.Integer(required=True)
    day = fields.Date(required=True)
    note = fields.String(required=True)


class FigureOut(Schema):
    indicator = fields.String(required=True)
    name = fields.String(required=True)
    numerator = fields.String(required=True)
    denominator = fields.String(allow_none=True)
    display = fields.String(required=True, metadata={"description": "如 98.5%、12,000 USD"})


class DayCorrectionOut(Schema):
    id = fields.Integer(required=True)
    indicator = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "pending/approved/rejected"})
    new = fields.String(required=True)
    reason = fields.String(required=True)
    decision_reason = fields.String(required=True)


class DayOut(Schema):
    progress_entry_id = fields.Integer(required=True)
    day = fields.Date(required=True)
    note = fields.String(required=True)
    figures = fields.List(fields.Nested(FigureOut), required=True)
    editable_until = fields.String(required=True, metadata={"description": "当地时间；之后须申请更正"})
    editable = fields.Boolean(required=True)
    comments = fields.Integer(required=True, metadata={"description": "点评与回复条数"})
    corrections = fields.List(fields.Nested(DayCorrectionOut), required=True)
    screenshots = fields.List(fields.Nested("ScreenshotOut"), required=True)
    figure_check = fields.String(allow_none=True, required=True, metadata={
        "description": "seen：截图上有填报的数字；not_seen：截图未见填报数字（提示主管核对）；null：无截图或尚未识别"})


class ScreenshotOut(Schema):
    id = fields.Integer(required=True)
    url = fields.String(allow_none=True, required=True,
                        metadata={"description": "短时有效的签名链接（5分钟）；隐藏的截图为 null"})
    url_expires_at = fields.String(allow_none=True, required=True)
    content_type = fields.String(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    size_bytes = fields.Integer(required=True)
    check_status = fields.String(required=True, metadata={
        "description": "pending 检测中 / pass 通过 / review 待人工 / risky 违规已隐藏 / unchecked 未接入微信检测"})
    hidden = fields.Boolean(required=True)
    progress_entry_id = fields.Integer(allow_none=True, required=True)


class PrivacyOut(Schema):
    version = fields.String(required=True)
    title = fields.String(required=True)
    paragraphs = fields.List(fields.String(), required=True)
    accepted_at = fields.String(allow_none=True, required=True, metadata={"description": "未同意时为 null"})


class PrivacyIn(Schema):
    version = fields.String(required=True, validate=validate.Length(min=1, max=16),
                            metadata={"description": "所同意的说明版本（GET /privacy 返回的 version）"})


class DaysOut(Schema):
    days = fields.List(fields.Nested(DayOut), required=True)


class CommentOut(Schema):
    id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True)
    author_id = fields.Integer(required=True)
    author = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.String(required=True)


class CommentsOut(Schema):
    comments = fields.List(fields.Nested(CommentOut), required=True)


class CommentIn(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=1000, error="点评内容1到1000字"),
                         error_messages={"required": "必填"})
    parent_id = fields.Integer(metadata={"description": "回复某条点评时填写"}, error_messages=NUMBER)


class CorrectionIn(Schema):
    day = fields.Date(required=True, error_messages={"invalid": "日期格式应为 YYYY-MM-DD", "required": "必填"})
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=48),
                              error_messages={"required": "必填"})
    numerator = figure(required=True)
    denominator = figure()
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500, error="更正原因1到500字"),
                           error_messages={"required": "必填"})


class RequestOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


class DecisionIn(Schema):
    approve = fields.Boolean(required=True, error_messages={"required": "必填", "invalid": "应为 true 或 false"})
    reason = fields.String(load_default="", validate=validate.Length(max=500, error="理由最多500字"))


class VersionOut(Schema):
    report_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    response = fields.String(required=True, metadata={"description": "pending/confirmed/appealed/auto_confirmed"})
    published_at = fields.String(required=True)
    total = fields.String(required=True)
    grade = fields.String(required=True)


class PeriodOut(Schema):
    first_day = fields.String(required=True)
    last_day = fields.String(required=True)
    working_days = fields.Integer(required=True)


class PartOut(Schema):
    report_id = fields.Integer(required=True)
    assessment_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    position = fields.String(required=True)
    working_days = fields.Integer(required=True)
    total = fields.String(required=True)
    grade = fields.String(required=True)
    summary = fields.String(required=True)
    versions = fields.List(fields.Nested(VersionOut), metadata={"description": "该部分的全部报告版本，新的在前"})


class MonthOut(Schema):
    label = fields.String(required=True)
    year = fields.Integer(required=True)
    month = fields.Integer(required=True)
    status = fields.String(required=True)
    total = fields.String(required=True)
    grade = fields.String(required=True)
    grade_code = fields.String(required=True)
    parts = fields.List(fields.Nested(PartOut), required=True, metadata={"description": "月中调岗时有两份报告"})


class MonthsOut(Schema):
    months = fields.List(fields.Nested(MonthOut), required=True, metadata={"description": "等级历史，新的在前"})


class MonthResultOut(Schema):
    total = fields.String(required=True)
    grade = fields.String(required=True)
    grade_code = fields.String(required=True)
    coefficient = fields.String(required=True)
    weighted = fields.Boolean(required=True)
    vetoed = fields.Boolean(required=True)
    parts = fields.List(fields.Nested(PartOut), required=True)


class AppealOut(Schema):
    id = fields.Integer(required=True)
    assessment_item_id = fields.Integer(required=True)
    claimed_value = fields.String(required=True)
    status = fields.String(required=True)
    decision_reason = fields.String(allow_none=True)


class ReportOut(Schema):
    report_id = fields.Integer(required=True)
    assessment_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    latest = fields.Boolean(required=True)
    total = fields.String(required=True)
    grade = fields.String(required=True)
    summary = fields.String(required=True)
    body = fields.Dict(required=True, metadata={"description": "报告正文：各考核项实际值、得分与说明"})
    published_at = fields.String(required=True)
    month = fields.Nested(MonthResultOut, allow_none=True)
    window_closes_at = fields.String(allow_none=True, metadata={"description": "申诉截止时间"})
    response = fields.String(required=True)
    responded_at = fields.String(allow_none=True)
    can_confirm = fields.Boolean(required=True)
    can_appeal = fields.Boolean(required=True)
    appeals = fields.List(fields.Nested(AppealOut), required=True)


class AppealIn(Schema):
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=48),
                              error_messages={"required": "必填"})
    claimed_value = figure(required=True, metadata={"description": "申诉的数值（比率类为比值，如 0.06）"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500, error="申诉理由1到500字"),
                           error_messages={"required": "必填"})
    evidence = fields.List(fields.Integer(), load_default=list, metadata={"description": "证据截图的编号"})


class RatingTaskOut(Schema):
    assessment_item_id = fields.Integer(required=True)
    employee = fields.String(required=True)
    indicator = fields.String(required=True)
    name = fields.String(required=True)
    rater_kind = fields.String(required=True, metadata={"description": "manager/peer"})
    rated = fields.Boolean(required=True)
    month = fields.String(required=True)


class RatingTasksOut(Schema):
    tasks = fields.List(fields.Nested(RatingTaskOut), required=True)


class RatingIn(Schema):
    assessment_item_id = fields.Integer(required=True, error_messages=NUMBER)
    value = DecimalText(r"^([1-4](\.[05])?|5(\.0)?)$", "评分应为1到5分，可到0.5分", required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=500, error="评语最多500字"))


class RatingOut(Schema):
    assessment_item_id = fields.Integer(required=True)
    value = fields.String(required=True)
    comment = fields.String(required=True)


class AppealToDecideOut(Schema):
    appeal_id = fields.Integer(required=True)
    employee = fields.String(required=True)
    item = fields.String(required=True)
    name = fields.String(required=True)
    reported = fields.String(required=True)
    claimed = fields.String(required=True)
    reason = fields.String(required=True)
    evidence = fields.List(fields.Integer(), required=True)
    filed_at = fields.String(required=True)
    escalated = fields.Boolean(required=True)


class AppealsToDecideOut(Schema):
    appeals = fields.List(fields.Nested(AppealToDecideOut), required=True)


class CorrectionToDecideOut(Schema):
    correction_request_id = fields.Integer(required=True)
    employee = fields.String(required=True)
    what = fields.String(required=True)
    old = fields.String(required=True)
    new = fields.String(required=True)
    reason = fields.String(required=True)
    requested_at = fields.String(required=True)


class CorrectionsToDecideOut(Schema):
    corrections = fields.List(fields.Nested(CorrectionToDecideOut), required=True)


class AppealViewOut(AppealToDecideOut):
    report_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "open | accepted | rejected"})
    decision_reason = fields.String(required=True)
    decided_at = fields.String(required=True, allow_none=True)
    can_decide = fields.Boolean(required=True, metadata={"description": "我现在可否处理"})


class CorrectionViewOut(CorrectionToDecideOut):
    status = fields.String(required=True, metadata={"description": "pending | approved | rejected"})
    decided_at = fields.String(required=True, allow_none=True)
    can_decide = fields.Boolean(required=True, metadata={"description": "我现在可否审批"})


class SubscriptionOut(Schema):
    kind = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "如 考核结果"})
    template_id = fields.String(required=True)
    left = fields.Integer(required=True, metadata={"description": "还可接收的次数"})


class SubscriptionsOut(Schema):
    subscriptions = fields.List(fields.Nested(SubscriptionOut), required=True)


class SubscriptionsIn(Schema):
    accepted = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                           validate=validate.Length(min=1, max=3, error="每次最多订阅3个模板"),
                           metadata={"description": "wx.requestSubscribeMessage 中用户选择 accept 的模板编号"})


class ErrorOut(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    problems = fields.Dict(required=True, data_key="fields", metadata={"description": "字段 → 问题"})


class ErrorEnvelope(Schema):
    error = fields.Nested(ErrorOut, required=True)


# The first request of each page a message can open: query parameter → operation ("" when the link
# names no object and the page opens on the person's own list). The id fills the operation's one
# path parameter; an operation without one is a list the page finds the object in.
PAGES: dict[str, dict[str, str]] = {
    "pages/home/index": {"": "my_assessments", "id": "assessment"},
    "pages/targets/index": {"id": "assessment"},
    "pages/submit/index": {"": "my_assessments"},
    "pages/report/index": {"id": "report"},
    "pages/comments/index": {"entry": "entry_comments", "assessment": "assessment_comments"},
    "pages/appeal/index": {"id": "appeal_view"},
    "pages/correction/index": {"id": "correction_view"},
    "pages/team/index": {"": "team"},
    "pages/ratings/index": {"": "rating_tasks", "item": "rating_tasks"},
}


# --- operations ----------------------------------------------------------------------------------

def operation(method: str, path: str, *, summary: str, answer: type[Schema], body: type[Schema] | None = None,
              signed: bool = True, idempotent: bool = False,
              upload: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an operation: its route, who may call it (a signed-in person unless `signed` is
    False), its input and output schemas, and whether it needs an `Idempotency-Key` (a retry with
    the same key and body gets the first answer and changes nothing). The view receives the loaded
    body (if any) and returns the output object, which is dumped through `answer`. An `upload`
    operation takes one multipart file (wx.uploadFile's `name`) instead of JSON, under its own body
    limit, and the view receives its bytes as `file`."""

    # One instance each, shared by every request: building a schema (it deep-copies its fields)
    # cost more than the home page's own work; loading and dumping do not change the instance.
    loader, dumper = body() if body is not None else None, answer()

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def run(**kwargs: Any) -> Any:
            if signed:
                g.mp_actor = _signed_in()
            if loader is not None:
                kwargs["data"] = _body(loader)
            if upload is not None:
                kwargs["file"] = _file(upload)
            if idempotent:
                return jsonify(once.answer(g.mp_actor.employee_id, request.headers.get("Idempotency-Key", ""),
                                           request.get_data(), lambda: dumper.dump(view(**kwargs))))
            return jsonify(dumper.dump(view(**kwargs)))

        run.mp_operation = {"method": method.lower(), "summary": summary, "answer": answer,  # type: ignore[attr-defined]
                            "body": body, "signed": signed, "idempotent": idempotent, "upload": upload}
        if upload is not None:
            body_limit(UPLOAD_BODY_BYTES)(run)
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


def _file(name: str) -> bytes:
    if request.mimetype != "multipart/form-data":
        raise ApiError("upload_required", "请用 wx.uploadFile 上传（multipart/form-data）", 415)
    part = request.files.get(name)
    if part is None:
        raise ApiError("file_required", f"请选择要上传的截图（表单字段 {name}）", 400)
    return part.read(images.MAX_BYTES + 1)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def token_for(employee_id: int, openid: str) -> str:
    return _serializer().dumps({"e": employee_id, "o": openid})


def _signed_in() -> Actor:
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
    who = actor_of_account(CHANNEL, str(claims.get("o", "")))
    if who is None or who.employee_id != claims.get("e"):
        raise ApiError("token_revoked", "微信绑定已解除或已离职，请重新登录", 401)
    return who


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
            "progress": reading.view_progress(assessment_id, g.mp_actor),
            "today": history.submission_state(assessment_id, g.mp_actor),
            "alerts": alerts.alerts_of(assessment_id, g.mp_actor)}


@operation("POST", "/assessments/<int:assessment_id>/acknowledge", summary="确认本月目标（含目标调整）",
           answer=TargetsStateOut)
def acknowledge(assessment_id: int) -> dict[str, Any]:
    return targets.acknowledge_targets(assessment_id, g.mp_actor)


@operation("POST", "/progress", summary="提交或修改某日进展（修改时限内；同一 Idempotency-Key 重试不会重复）",
           body=ProgressIn, answer=ProgressOut, idempotent=True)
def submit_progress(data: dict[str, Any]) -> Any:
    figures = {code: submissions.SubmittedFigure(f["numerator"], f.get("denominator"))
               for code, f in data["figures"].items()}
    return submissions.submit(g.mp_actor.employee_id, data["day"], figures, g.mp_actor, data["note"],
                              screenshot_ids=data["screenshots"])


@operation("GET", "/privacy", summary="截图隐私说明（上传截图前须同意）", answer=PrivacyOut)
def privacy_notice() -> dict[str, Any]:
    return _privacy(privacy.accepted_at(g.mp_actor.employee_id))


@operation("POST", "/privacy", summary="同意截图隐私说明", body=PrivacyIn, answer=PrivacyOut)
def accept_privacy(data: dict[str, Any]) -> dict[str, Any]:
    return _privacy(privacy.accept(g.mp_actor.employee_id, data["version"], g.mp_actor))


def _privacy(accepted: Any) -> dict[str, Any]:
    return {"version": privacy.VERSION, "title": privacy.TITLE, "paragraphs": privacy.notice(),
            "accepted_at": accepted.isoformat(timespec="seconds") + "Z" if accepted else None}


@operation("POST", "/screenshots", answer=ScreenshotOut,
           summary="上传一张截图（multipart 字段 file；JPG/PNG/WebP，≤10MB；提交进展时引用其 id）", upload="file")
def upload_screenshot(file: bytes) -> dict[str, Any]:
    shot, _ = screenshots.upload(g.mp_actor.employee_id, file, g.mp_actor)
    return screenshots.described(shot, g.mp_actor.person_id)


@operation("GET", "/screenshots/<int:screenshot_id>", summary="一张截图：新的短时查看链接与检测状态（本人、主管与HR）",
           answer=ScreenshotOut)
def screenshot(screenshot_id: int) -> dict[str, Any]:
    return screenshots.described(screenshots.viewable(screenshot_id, g.mp_actor), g.mp_actor.person_id)


@operation("GET", "/assessments/<int:assessment_id>/days", summary="历史：每天提交的数据、备注、点评数与更正申请",
           answer=DaysOut)
def days(assessment_id: int) -> dict[str, Any]:
    return {"days": history.days_of(assessment_id, g.mp_actor)}


@operation("GET", "/progress/<int:progress_entry_id>/comments", summary="某日进展的点评与回复", answer=CommentsOut)
def entry_comments(progress_entry_id: int) -> dict[str, Any]:
    return {"comments": comments.list_comments(g.mp_actor, progress_entry_id=progress_entry_id)}


@operation("POST", "/progress/<int:progress_entry_id>/comments", summary="点评某日进展，或回复一条点评（parent_id）",
           body=CommentIn, answer=CommentOut, idempotent=True)
def comment_on_entry(progress_entry_id: int, data: dict[str, Any]) -> dict[str, Any]:
    return _comment(data, progress_entry_id=progress_entry_id)


@operation("GET", "/assessments/<int:assessment_id>/comments", summary="考核表的点评与回复", answer=CommentsOut)
def assessment_comments(assessment_id: int) -> dict[str, Any]:
    return {"comments": comments.list_comments(g.mp_actor, assessment_id=assessment_id)}


@operation("POST", "/assessments/<int:assessment_id>/comments", summary="点评考核表，或回复一条点评（parent_id）",
           body=CommentIn, answer=CommentOut, idempotent=True)
def comment_on_assessment(assessment_id: int, data: dict[str, Any]) -> dict[str, Any]:
    return _comment(data, assessment_id=assessment_id)


def _comment(data: dict[str, Any], **about: int) -> dict[str, Any]:
    """A comment, or a reply when it names its parent — which must be part of the same conversation."""
    parent_id = data.get("parent_id")
    if parent_id is not None and not any(c["id"] == parent_id for c in comments.list_comments(g.mp_actor, **about)):
        raise ApiError("not_found", "要回复的点评不存在", 404, {"parent_id": "不在此对话中"})
    made = comments.add_comment(g.mp_actor, data["body"], parent_id=parent_id, **(about if parent_id is None else {}))
    return {"id": made.id, "parent_id": made.parent_id, "author_id": made.author_id,
            "author": name_of(made.author_id), "body": made.body, "created_at": made.created_at.isoformat()}


@operation("POST", "/corrections", summary="申请更正已过修改时限的某日数据（含漏报的一天），由主管审批",
           body=CorrectionIn, answer=RequestOut, idempotent=True)
def request_correction(data: dict[str, Any]) -> Any:
    return corrections.request_day_correction(g.mp_actor.employee_id, data["day"], data["indicator"],
                                              data["numerator"], data.get("denominator"), data["reason"], g.mp_actor)


@operation("GET", "/reports", summary="我的考核报告与等级历史（每月结果及其各版本报告）", answer=MonthsOut)
def my_reports() -> dict[str, Any]:
    return {"months": reports.months_of(g.mp_actor.employee_id, g.mp_actor)}


@operation("GET", "/reports/<int:report_id>", summary="考核报告：得分、等级、可否确认或申诉", answer=ReportOut)
def report(report_id: int) -> dict[str, Any]:
    return reports.view_report(report_id, g.mp_actor)


@operation("POST", "/reports/<int:report_id>/confirm", summary="确认（认可）考核报告", answer=ReportOut)
def confirm(report_id: int) -> dict[str, Any]:
    reports.confirm_report(report_id, g.mp_actor)
    return reports.view_report(report_id, g.mp_actor)


@operation("POST", "/reports/<int:report_id>/appeals", summary="对报告中的一项申诉（申诉期内；数值与证据截图）",
           body=AppealIn, answer=AppealOut, idempotent=True)
def appeal(report_id: int, data: dict[str, Any]) -> dict[str, Any]:
    filed = appeals.file_appeal(report_id, data["indicator"], data["claimed_value"], data["reason"],
                                data["evidence"], g.mp_actor)
    return _appeal(filed)


@operation("GET", "/ratings", summary="待我评分的考核项（主管评分与同事互评）", answer=RatingTasksOut)
def rating_tasks() -> dict[str, Any]:
    return {"tasks": rating_prompts.open_rating_tasks(g.mp_actor)}


@operation("POST", "/ratings", summary="评分（可修改，月度评分截止前）", body=RatingIn, answer=RatingOut,
           idempotent=True)
def rate(data: dict[str, Any]) -> Any:
    return ratings.rate_item(data["assessment_item_id"], data["value"], g.mp_actor, data["comment"])


@operation("GET", "/team/appeals", summary="待我处理的申诉（主管）", answer=AppealsToDecideOut)
def team_appeals() -> dict[str, Any]:
    return {"appeals": appeals.appeals_to_decide(g.mp_actor)}


@operation("GET", "/appeals/<int:appeal_id>", summary="一条申诉：内容、状态与我可否处理（消息链接打开此页）",
           answer=AppealViewOut)
def appeal_view(appeal_id: int) -> dict[str, Any]:
    return appeals.view_appeal(appeal_id, g.mp_actor)


@operation("POST", "/appeals/<int:appeal_id>/decision", body=DecisionIn, answer=AppealOut,
           summary="处理申诉：同意（按申诉数值重新出报告）或驳回（须写理由）")
def decide_appeal(appeal_id: int, data: dict[str, Any]) -> dict[str, Any]:
    return _appeal(appeals.decide_appeal(appeal_id, data["approve"], data["reason"], g.mp_actor))


def _appeal(made: Any) -> dict[str, Any]:
    return {"id": made.id, "assessment_item_id": made.assessment_item_id, "claimed_value": str(made.claimed_value),
            "status": made.status, "decision_reason": made.decision_reason}


@operation("GET", "/team/corrections", summary="待我审批的数据更正（主管）", answer=CorrectionsToDecideOut)
def team_corrections() -> dict[str, Any]:
    return {"corrections": corrections.corrections_to_decide(g.mp_actor)}


@operation("GET", "/corrections/<int:correction_id>", summary="一条数据更正：内容、状态与我可否审批（消息打开此页）",
           answer=CorrectionViewOut)
def correction_view(correction_id: int) -> dict[str, Any]:
    return corrections.view_correction(correction_id, g.mp_actor)


@operation("POST", "/corrections/<int:correction_id>/decision", summary="审批数据更正：同意或驳回（须写理由）",
           body=DecisionIn, answer=RequestOut)
def decide_correction(correction_id: int, data: dict[str, Any]) -> Any:
    return corrections.decide_correction(correction_id, data["approve"], data["reason"], g.mp_actor)


@operation("GET", "/subscriptions", summary="可订阅的消息模板及剩余可接收次数", answer=SubscriptionsOut)
def subscriptions() -> dict[str, Any]:
    return {"subscriptions": _subscriptions()}


@operation("POST", "/subscriptions", summary="记录用户在订阅弹窗中同意的模板（每同意一次可接收一条）",
           body=SubscriptionsIn, answer=SubscriptionsOut)
def subscribe(data: dict[str, Any]) -> dict[str, Any]:
    offered = set(kinds.subscribe_templates(current_app.config).values())
    unknown = sorted(set(data["accepted"]) - offered)
    if unknown:
        raise ApiError("unknown_template", "不是本小程序的订阅消息模板", 422, {"accepted": "、".join(unknown)})
    for template_id in dict.fromkeys(data["accepted"]):
        quota.grant_quota(g.mp_actor.employee_id, template_id, now=clock_now())
    return {"subscriptions": _subscriptions()}


def _subscriptions() -> list[dict[str, Any]]:
    """Each subscribe template of this deployment, the kinds it carries, and sends left for the person."""
    left = quota.quotas_left(g.mp_actor.employee_id)
    return [{"kind": code, "name": kinds.kind(code).name_zh, "template_id": template_id,
             "left": left.get(template_id, 0)}
            for code, template_id in kinds.subscribe_templates(current_app.config).items()]


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3 document, generated from the declared operations and their schemas."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="绩效小程序 API", version="1", openapi_version="3.0.3", plugins=[plugin],
                   servers=[{"url": bp.url_prefix}])
    plugin.map_to_openapi_type(DecimalText, "string", None)
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorEnvelope)
    paths: dict[str, str] = {}
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
        paths[rule.endpoint.removeprefix("mp.")] = f"{declared['method'].upper()} {path}"
    return jsonify({**spec.to_dict(), "x-pages": {page: {param: paths[op] for param, op in first.items()}
                                                  for page, first in PAGES.items()}})


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
    if declared["upload"] is not None:
        file = {"type": "object", "required": [declared["upload"]],
                "properties": {declared["upload"]: {"type": "string", "format": "binary"}}}
        described["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": file}}}
    if declared["signed"]:
        described["security"] = [{"token": []}]
    if declared["idempotent"]:
        described["parameters"] = [{"name": "Idempotency-Key", "in": "header", "required": True,
                                    "schema": {"type": "string", "pattern": once.KEY_PATTERN}}]
    return described
