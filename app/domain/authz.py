"""Who may do what (docs/product.md "Roles"): one policy for the mini-program, the bot and the console.

A person always has their own data; a manager has their whole reporting subtree; HR has everyone;
the admin flag grants connectors and identities but no scores or reports (an admin who also manages
people has their team like any manager — the flag neither adds nor takes away). Nobody decides about
their own assessment: every decision lists only relations that exclude the person concerned, so an
HR member's appeal or correction goes to another HR member.

A person who has left (Actor.left) keeps only FORMER_SELF: their own progress, ratings and reports,
which they may still confirm or appeal inside the window, and their own WeChat binding to remove —
never anything as a manager, HR, a peer or the admin, whatever flags their record still carries.

An appeal against a manager's rating is not decided by who gave it (Subject.rated_by): the next
manager up decides it, or HR (docs/product.md "People change").

A manager-rated item of a person with no active manager above them (their managers left, or they
have none) is rated by HR in the manager's place (HR_IN_PLACE_OF_MANAGER).

The product acting on its own — the clock, an operator at the server's CLI — is a system actor: a
party of the policy like anyone, allowed only the actions that name it, never a person.

The policy is data: each action names the relations that allow it. Relations are worked out from an
`Actor` (their subtree loaded once per request by the service layer) and a `Subject` (the person
concerned, and what the action needs to know about the case).
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    VIEW_PROGRESS = "view_progress"
    VIEW_SCREENSHOT = "view_screenshot"  # may show buyers' data: not a leaver's, not a peer's
    VIEW_REPORT = "view_report"
    VIEW_RATINGS = "view_ratings"
    VIEW_RATERS = "view_raters"  # who rated what: HR only, never the rated person
    COMMENT = "comment"
    RATE_MANAGER = "rate_manager"
    RATE_PEER = "rate_peer"
    CHOOSE_PEERS = "choose_peers"
    VIEW_PEERS = "view_peers"
    ACKNOWLEDGE_TARGETS = "acknowledge_targets"
    AMEND_TARGET = "amend_target"
    REQUEST_CORRECTION = "request_correction"
    DECIDE_CORRECTION = "decide_correction"
    CONFIRM_REPORT = "confirm_report"
    FILE_APPEAL = "file_appeal"
    DECIDE_APPEAL = "decide_appeal"
    DECIDE_OUTCOME = "decide_outcome"
    MANAGE_CONNECTORS = "manage_connectors"
    MAP_IDENTITIES = "map_identities"
    IMPORT_DATA = "import_data"  # a file of figures, shipments or stock-takes; its column presets
    RUN_CYCLE = "run_cycle"  # accept a month's data gaps, re-publish or dismiss restatements
    CHANGE_SETTINGS = "change_settings"
    EDIT_TEMPLATE = "edit_template"  # a template item's scoring method
    ADJUST_SHEET = "adjust_sheet"  # 加减分项 and 一票否决 on someone's assessment
    SUBMIT_PROGRESS = "submit_progress"
    ISSUE_BIND_CODE = "issue_bind_code"
    UNBIND_WECHAT = "unbind_wechat"
    ASSIGN_DEFAULT_PEERS = "assign_default_peers"  # the clock's pick: at opening, for a rater who left
    EDIT_CALENDAR = "edit_calendar"  # import or confirm a year of the work calendar
    MANAGE_PEOPLE = "manage_people"  # joiners, leavers, transfers and leave (请假)
    RESET_PASSWORD = "reset_password"  # set someone else's console password, or unlock it
    RUN_JOBS = "run_jobs"  # retry or discard a background job that failed for good
    EXPORT_REPORTS = "export_reports"  # the month's workbook, report PDFs, the payroll file, dashboards
    VIEW_AUDIT = "view_audit"  # the audit log: who changed what


class Relation(StrEnum):
    SELF = "self"
    MANAGER = "manager"  # the person is in the actor's reporting subtree
    HR = "hr"  # an HR member other than the person concerned
    PEER = "peer"  # an assigned peer rater other than the person concerned
    ADMIN = "admin"
    MANAGER_BEFORE_ESCALATION = "manager_before_escalation"
    HR_AFTER_ESCALATION = "hr_after_escalation"
    SYSTEM = "system"  # the clock or an operator's CLI: no person, and no other relation
    FORMER_SELF = "former_self"  # the person concerned, who has left: their own last reports only
    HR_IN_PLACE_OF_MANAGER = "hr_in_place_of_manager"  # HR, for a person with no active manager above
    ANOTHER_ADMIN = "another_admin"  # an admin, about someone else


S, M, H, F = Relation.SELF, Relation.MANAGER, Relation.HR, Relation.FORMER_SELF

POLICY: dict[Action, frozenset[Relation]] = {
    Action.VIEW_PROGRESS: frozenset({S, M, H, F}),
    Action.VIEW_SCREENSHOT: frozenset({S, M, H}),
    Action.VIEW_REPORT: frozenset({S, M, H, F}),
    Action.VIEW_RATINGS: frozenset({S, M, H, F}),
    Action.VIEW_RATERS: frozenset({H}),
    Action.COMMENT: frozenset({S, M}),
    Action.RATE_MANAGER: frozenset({M, Relation.HR_IN_PLACE_OF_MANAGER}),
    Action.RATE_PEER: frozenset({Relation.PEER}),
    Action.CHOOSE_PEERS: frozenset({H}),
    Action.VIEW_PEERS: frozenset({M, H}),
    Action.ACKNOWLEDGE_TARGETS: frozenset({S}),
    Action.AMEND_TARGET: frozenset({H}),
    Action.REQUEST_CORRECTION: frozenset({S}),
    Action.DECIDE_CORRECTION: frozenset({M, H}),
    Action.CONFIRM_REPORT: frozenset({S, F}),
    Action.FILE_APPEAL: frozenset({S, F}),
    Action.DECIDE_APPEAL: frozenset({Relation.MANAGER_BEFORE_ESCALATION, Relation.HR_AFTER_ESCALATION}),
    Action.DECIDE_OUTCOME: frozenset({H}),
    Action.MANAGE_CONNECTORS: frozenset({Relation.ADMIN}),
    Action.RUN_JOBS: frozenset({Relation.ADMIN}),
    Action.MAP_IDENTITIES: frozenset({Relation.ADMIN}),
    Action.IMPORT_DATA: frozenset({H, Relation.ADMIN, Relation.SYSTEM}),  # SYSTEM: the signed webhook
    Action.RUN_CYCLE: frozenset({H}),
    Action.CHANGE_SETTINGS: frozenset({H}),
    Action.EDIT_TEMPLATE: frozenset({H}),
    Action.ADJUST_SHEET: frozenset({H}),
    Action.SUBMIT_PROGRESS: frozenset({S}),
    Action.ISSUE_BIND_CODE: frozenset({H, Relation.ADMIN, Relation.SYSTEM}),
    Action.UNBIND_WECHAT: frozenset({S, H, Relation.ADMIN, F}),
    Action.ASSIGN_DEFAULT_PEERS: frozenset({Relation.SYSTEM}),
    Action.EDIT_CALENDAR: frozenset({H}),
    Action.MANAGE_PEOPLE: frozenset({H}),
    Action.RESET_PASSWORD: frozenset({Relation.ANOTHER_ADMIN, Relation.SYSTEM}),  # the CLI: the first admin's
    Action.EXPORT_REPORTS: frozenset({H}),
    Action.VIEW_AUDIT: frozenset({H, Relation.ADMIN}),
}

DECISIONS = frozenset({
    Action.RATE_MANAGER, Action.RATE_PEER, Action.CHOOSE_PEERS, Action.AMEND_TARGET, Action.DECIDE_CORRECTION,
    Action.DECIDE_APPEAL, Action.DECIDE_OUTCOME, Action.ADJUST_SHEET, Action.MANAGE_PEOPLE,
})

REFUSALS = {
    Action.VIEW_PROGRESS: "只能查看本人或下属的工作进展",
    Action.VIEW_SCREENSHOT: "只有本人、其主管和HR可以查看该截图",
    Action.VIEW_REPORT: "只能查看本人或下属的考核报告",
    Action.VIEW_RATINGS: "只能查看本人或下属的评分",
    Action.VIEW_RATERS: "评分人明细只有人事可以查看",
    Action.COMMENT: "只能点评本人或下属的进展与考核表",
    Action.RATE_MANAGER: "只有该员工的主管可以评分（上级主管均已离职时由人事评分）",
    Action.RATE_PEER: "只有被指定的同事可以评分",
    Action.CHOOSE_PEERS: "只有人事可以指定同事评分人",
    Action.VIEW_PEERS: "只有主管和人事可以查看同事评分人",
    Action.ACKNOWLEDGE_TARGETS: "只有本人可以确认考核目标",
    Action.AMEND_TARGET: "只有人事可以调整考核目标",
    Action.REQUEST_CORRECTION: "只能申请更正本人的数据",
    Action.DECIDE_CORRECTION: "只有该员工的主管或人事可以审批数据更正",
    Action.CONFIRM_REPORT: "只有本人可以确认考核报告",
    Action.FILE_APPEAL: "只有本人可以对考核报告申诉",
    Action.DECIDE_APPEAL: "该申诉应由员工的主管处理，超过24小时后由人事处理",
    Action.DECIDE_OUTCOME: "只有人事可以审批结果运用",
    Action.MANAGE_CONNECTORS: "只有管理员可以管理数据连接",
    Action.RUN_JOBS: "只有管理员可以重试或清除失败的后台任务",
    Action.MAP_IDENTITIES: "只有管理员可以维护外部账号映射",
    Action.IMPORT_DATA: "只有人事或管理员可以导入数据文件",
    Action.RUN_CYCLE: "只有人事可以处理考核周期的数据缺口和数据更正",
    Action.CHANGE_SETTINGS: "只有人事可以修改公司设置",
    Action.EDIT_TEMPLATE: "只有人事可以修改考核模板",
    Action.ADJUST_SHEET: "只有人事可以记录加减分项和一票否决",
    Action.SUBMIT_PROGRESS: "只能提交本人的工作进展",
    Action.ISSUE_BIND_CODE: "只有人事或管理员可以发放绑定码",
    Action.UNBIND_WECHAT: "只能解绑本人的微信账号，或由人事、管理员解绑",
    Action.ASSIGN_DEFAULT_PEERS: "默认同事评分人由系统在开月时指定，调整请由人事操作",
    Action.EDIT_CALENDAR: "只有人事可以导入和确认工作日历",
    Action.MANAGE_PEOPLE: "只有人事可以办理入职、离职、调岗和请假",
    Action.RESET_PASSWORD: "只有管理员可以重置他人的登录密码（本人请用「修改密码」）",
    Action.EXPORT_REPORTS: "只有人事可以导出月度报表、考核报告PDF和薪资数据",
    Action.VIEW_AUDIT: "只有人事或管理员可以查看操作记录",
}
OWN_CASE = "不能处理与自己有关的事项，请由其他人处理"
OWN_RATING = "该申诉针对您给出的评分，由上一级主管或人事处理"
FORMER = "您已离职，只能查看和答复本人的考核报告"


@dataclass(frozen=True)
class Actor:
    """The person acting, with everyone below them in the reporting line (not themselves)."""

    employee_id: int
    is_hr: bool = False
    is_admin: bool = False
    subtree: frozenset[int] = field(default_factory=frozenset)
    system: str | None = None  # where the product acts on its own ("clock", "cli"); None for a person
    left: bool = False  # the person has left: FORMER_SELF about themselves, nothing else

    @property
    def person_id(self) -> int | None:
        """Who to record as having acted: the person, or nobody for the system."""
        return None if self.system else self.employee_id

    @property
    def source(self) -> str:
        """The audit row's source: the system's name, or the web for a person."""
        return self.system or "web"


def system_actor(source: str) -> Actor:
    """The product acting on its own (`source` names where: "clock", "cli"). Its employee_id 0
    names nobody, so a slip that records it as a person fails on the foreign key."""
    return Actor(employee_id=0, system=source)


@dataclass(frozen=True)
class Subject:
    """The person an action concerns, and the facts of the case some rules need."""

    employee_id: int | None = None
    escalated: bool = False  # an appeal past the manager's 24 h goes to HR
    without_manager: bool = False  # nobody above the person is active: HR rates in the manager's place
    peer_raters: frozenset[int] = field(default_factory=frozenset)
    rated_by: frozenset[int] = field(default_factory=frozenset)  # an appeal's item: who rated it, never deciding


def relations(actor: Actor, subject: Subject) -> frozenset[Relation]:
    """How the actor stands to the subject. SELF excludes every other relation but ADMIN; the
    system stands in no relation but SYSTEM to anyone, a leaver in none but FORMER_SELF."""
    if actor.system:
        return frozenset({Relation.SYSTEM})
    if actor.left:
        mine = subject.employee_id is not None and subject.employee_id == actor.employee_id
        return frozenset({Relation.FORMER_SELF}) if mine else frozenset()
    found = {Relation.ADMIN} if actor.is_admin else set()
    if subject.employee_id is not None and subject.employee_id == actor.employee_id:
        return frozenset(found | {Relation.SELF})
    if actor.is_admin:
        found.add(Relation.ANOTHER_ADMIN)
    rater = actor.employee_id in subject.rated_by  # the appeal is against their own rating
    if subject.employee_id in actor.subtree:
        found.add(Relation.MANAGER)
        if not subject.escalated and not rater:
            found.add(Relation.MANAGER_BEFORE_ESCALATION)
    if actor.is_hr:  # about someone else, or about the company (no person concerned)
        found.add(Relation.HR)
        if subject.escalated and not rater:
            found.add(Relation.HR_AFTER_ESCALATION)
        if subject.without_manager and subject.employee_id is not None:
            found.add(Relation.HR_IN_PLACE_OF_MANAGER)
    if actor.employee_id in subject.peer_raters:
        found.add(Relation.PEER)
    return frozenset(found)


def refusal(actor: Actor, action: Action, subject: Subject) -> str | None:
    """None when the action is allowed, else why not (zh-CN, for the person who tried)."""
    mine = relations(actor, subject)
    if mine & POLICY[action]:
        return None
    if Relation.SELF in mine and action in DECISIONS:
        return OWN_CASE
    if action is Action.DECIDE_APPEAL and actor.employee_id in subject.rated_by:
        return OWN_RATING
    if actor.left:
        return FORMER
    return REFUSALS[action]


def allows(actor: Actor, action: Action, subject: Subject) -> bool:
    return refusal(actor, action, subject) is None
