"""The screenshot privacy notice (PIPL): what the employee accepts before their first upload.

Screenshots of seller tools and chat windows can show buyers' names, phone numbers and addresses,
so the notice says what is kept, who sees it, that WeChat checks it and how long it stays. A new
version (a change of wording that matters) asks everyone again; the acceptance is audited.
"""

from datetime import datetime

from sqlalchemy import select

from app.errors import ApiError
from app.extensions import db
from app.models import PrivacyConsent
from app.services import audit, settings
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import clock_now
from app.services.usecase import use_case

VERSION = "2026-12"
TITLE = "截图隐私说明"


def notice() -> list[str]:
    """The notice's paragraphs, with the company's current retention period."""
    months = settings.current().retention_months
    return [
        "你上传的截图用于证明当天填报的数据。截图可能含有买家姓名、手机号、地址等个人信息，请尽量只截取数据部分，"
        "或在上传前遮挡这些信息。",
        "保存什么：图片本身（上传时去掉拍摄位置、设备型号等附加信息）、上传时间，以及系统从截图中识别出的文字和数字"
        "（用于核对填报数字，识别在公司服务器上完成）。",
        "谁能看到：只有你本人、你的上级主管和人力资源部（HR）。每一次查看都会留下记录。",
        "微信内容安全检测：截图会发送给微信进行内容安全检测；被判定为违规的截图会被隐藏，并通知你原因。",
        f"保存多久：在职期间随考核记录保存；离职后保存{months}个月，到期后连同文件一并删除。",
    ]


def accepted_at(employee_id: int) -> datetime | None:
    return db.session.scalar(select(PrivacyConsent.accepted_at).where(
        PrivacyConsent.employee_id == employee_id, PrivacyConsent.version == VERSION))


def require_accepted(employee_id: int) -> None:
    if accepted_at(employee_id) is None:
        raise ApiError("privacy_not_accepted", "上传截图前请先阅读并同意《截图隐私说明》", 403, {"version": VERSION})


@use_case
def accept(employee_id: int, version: str, who: Actor) -> datetime:
    """Record that the person accepted this version (again is fine: the first time stays)."""
    require(who, Action.SUBMIT_PROGRESS, Subject(employee_id))
    if version != VERSION:
        raise ApiError("privacy_version_outdated", "隐私说明已更新，请重新阅读后同意", 409, {"version": VERSION})
    when = accepted_at(employee_id)
    if when is None:
        when = clock_now()
        db.session.add(PrivacyConsent(employee_id=employee_id, version=VERSION, accepted_at=when))
        audit.record("privacy.accept", "employee", employee_id, actor_id=who.person_id, after={"version": VERSION})
        db.session.commit()
    return when
