"""Audit rows, written in the caller's transaction so a change and its record commit together."""

from app.extensions import db
from app.models import AuditLog
from app.services.business_time import clock_now
from app.services.usecase import JsonDict

# What each audited action is called where people read the log (a person's page, 操作记录).
ACTIONS_ZH = {
    "target.amend": "调整目标", "people.join": "入职", "people.leave": "离职", "people.transfer": "调岗",
    "people.leave_days": "请假", "people.update": "修改人员信息", "console.password_reset": "重置后台密码",
    "console.password_changed": "修改后台密码", "console.locked": "后台账号锁定", "console.unlocked": "后台账号解锁",
    "bind_code.issue": "发放绑定码", "wechat.bind": "绑定微信", "wechat.unbind": "解除微信绑定",
    "screenshot.view": "查看截图", "screenshot.view_refused": "查看截图被拒", "screenshot.upload": "上传截图",
    "report.confirm": "认可报告", "report.auto_confirm": "逾期视为认可", "appeal.file": "提交申诉",
    "appeal.accepted": "申诉通过", "appeal.rejected": "申诉驳回", "appeal.escalate": "申诉升级",
    "item.override": "申诉调整数值", "outcome.decide": "审批结果运用", "cycle.publish": "发布考核结果",
    "progress.submit": "提交进展", "observation.correct": "更正数据", "rating.set": "评分",
    "setting.change": "修改设置",
    "monthly_report.build": "生成月度报表", "monthly_report.download": "下载月度报表", "report.pdf": "下载考核报告PDF",
    "payroll.export": "导出薪资数据", "payroll.change_told": "通知薪资变化", "roster.import": "导入花名册",
}


def record(action: str, entity: str, entity_id: int | None = None, *, before: JsonDict | None = None,
           after: JsonDict | None = None, actor_id: int | None = None, source: str = "web") -> AuditLog:
    """Add one audit row to the session; the service that changed the data commits both. It is
    stamped with the business clock, which is the wall clock except when a demo or a rehearsal lives
    a past day through the services."""
    row = AuditLog(actor_id=actor_id, source=source, action=action, entity=entity, entity_id=entity_id,
                   before=before, after=after, at=clock_now())
    db.session.add(row)
    return row
