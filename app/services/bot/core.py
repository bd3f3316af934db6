"""The manager's bot: one core behind WeCom and the official account (issue 21).

A chat message arrives through the callback gate (signed, decrypted, claimed once per MsgId).
`receive` answers at once only what needs no work — help, and binding for a sender nobody is bound
to — and queues everything else (`BOT_MESSAGE`), so the callback answers well within WeChat's 5 s.
The job (`handle`) acts through the workflow services, which ask the one policy, and sends the
reply through the outbox (a `reply` message, delivered in the same job: one job per round trip): a
WeCom app message, or a customer-service message on the official account. The official account,
whose customer-service messages are few and only inside the 48 hours after the manager's own
message, answers everything but a decision with a passive reply instead (one per message,
confirmation and next question merged).

Every reply says what happened or exactly what to type. A numbered command acts on the list the
person last saw: their 待办 once they asked for it, otherwise their latest digest.
"""

import hashlib
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from app import jobs
from app.domain.bot_commands import (
    Bind,
    Command,
    Comment,
    Decide,
    Help,
    Rate,
    Score,
    StartRating,
    Team,
    Todo,
    Unknown,
    parse,
    resolve_rating,
)
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, Employee, Report
from app.services.authz import Actor, actor_of_account
from app.services.bot.context import Conversation, load, save
from app.services.business_time import clock_now, to_local
from app.services.feedback import appeals, comments, rating_prompts, ratings
from app.services.lookup import name_of
from app.services.news import digest
from app.services.notify import delivery, outbox, reply_window
from app.services.observations import corrections
from app.services.org import binding
from app.services.scoring import reading
from app.services.usecase import JsonDict, use_case

MANAGER_HELP = "\n".join([
    "可以这样回复我：",
    "待办 —— 列出待你处理的申诉、数据更正和评分",
    "同意 1 理由 / 驳回 1 理由 —— 处理待办第1条",
    "点评 1 内容 —— 点评最近一次团队摘要的第1条（刚收到摘要时也可直接回复“1 内容”）",
    "评分 —— 逐一为团队打分；或“评分 张三 团队协作 4”",
    "团队 —— 团队本月进展",
])
EMPLOYEE_HELP = ("这里是绩效助手。提交进展、查看目标和报告请打开小程序「绩效」；"
                 "回复“待办”查看你待确认的考核报告。")
UNBOUND = ("你还没有绑定绩效账号。请向HR索取绑定码，然后回复：绑定 绑定码（例如：绑定 483920）；"
           "如果HR同时给了工号，也可以回复：绑定 工号 绑定码。")


def receive(channel: str, sender: str, text: str, msg_id: str | None) -> str | None:
    """The callback's part: a passive reply now, or None when the job will answer."""
    command = parse(text)
    who = actor_of_account(channel, sender)
    if who is None:
        return _bind(channel, sender, command) if isinstance(command, Bind) else UNBOUND
    if isinstance(command, Help):
        return MANAGER_HELP if _manages(who) else EMPLOYEE_HELP
    if channel == "oa" and not isinstance(command, Decide):
        return _answer_now(who, channel, sender, command)
    jobs.enqueue(jobs.BOT_MESSAGE, channel, sender, text, msg_id or "",
                 job_id=f"bot-{channel}-{hashlib.sha1(msg_id.encode()).hexdigest()}" if msg_id else None,
                 unique=bool(msg_id))
    return None


@use_case
def _bind(channel: str, sender: str, command: Bind) -> str:
    try:
        number = command.employee_no or binding.number_for_code(command.code)
        identity = binding.bind(channel, sender, number, command.code)
    except ApiError as refused:
        return f"绑定失败：{refused.message}"
    if channel == "oa":  # the binding message itself opened the window, before anyone was bound
        reply_window.opened(sender, clock_now())
    return f"绑定成功：{name_of(identity.employee_id)}，以后的团队摘要和待办会发到这里。回复“帮助”查看可用指令。"


@use_case
def _answer_now(who: Actor, channel: str, sender: str, command: Command) -> str:
    """The official account's passive reply: free, and inside the 5 s for everything but a decision
    (an accepted appeal publishes a new report), so a rating dialogue never spends the 48-hour
    window's customer-service messages."""
    conversation = load(channel, sender)
    reply = respond(who, command, conversation)
    save(channel, sender, conversation)
    return reply


@use_case
def handle(channel: str, sender: str, text: str, msg_id: str, now: datetime | None = None) -> str:
    """The job: act on one message and send the reply through the outbox; returns the reply."""
    now = now or clock_now()
    who = actor_of_account(channel, sender)
    if who is None:
        return UNBOUND  # unbound since the message came: nobody to send to
    conversation = load(channel, sender)
    reply = respond(who, parse(text), conversation)
    save(channel, sender, conversation)
    db.session.rollback()  # whatever the services left open is theirs; the reply is a new transaction
    message = outbox.enqueue(who.employee_id, "reply", title="绩效助手", body=reply, now=now, is_reply=True,
                             dedupe_key=f"bot-reply:{channel}:{msg_id or now.isoformat()}:{sender}"[:191])
    db.session.commit()
    delivery.deliver(message.id, now)  # at once, in this job: the queued delivery then finds it sent
    return reply


def respond(who: Actor, command: Command, conversation: Conversation) -> str:
    """The reply to one command (the actions commit through their services)."""
    if not _manages(who):
        return _employee(who, command)
    try:
        return _manager(who, command, conversation)
    except ApiError as refused:
        db.session.rollback()
        return refused.message


def _manages(who: Actor) -> bool:
    return bool(who.subtree) or who.is_hr


def _manager(who: Actor, command: Command, conversation: Conversation) -> str:
    if isinstance(command, Todo):
        return _todo(who, conversation)
    if isinstance(command, Decide):
        return _decide(who, command, conversation)
    if isinstance(command, Comment):
        return _comment(who, command, conversation)
    if isinstance(command, StartRating):
        return _start_rating(who, conversation)
    if isinstance(command, Score):
        return _score(who, command.value, conversation)
    if isinstance(command, Rate):
        return _rate(who, command, conversation)
    if isinstance(command, Team):
        return _team(who)
    if isinstance(command, Bind):
        return "你已经绑定过了。回复“帮助”查看可用指令。"
    hint = command.hint if isinstance(command, Unknown) else ""
    return (f"没看懂。格式：{hint}" if hint else "没看懂这条消息。") + "\n" + MANAGER_HELP


# --- 待办 and decisions ------------------------------------------------------------------------

def _todo(who: Actor, conversation: Conversation) -> str:
    lines = []
    for a in appeals.appeals_to_decide(who):
        what = f"{a['employee']} {a['name']}：报告 {a['reported']}，申诉为 {a['claimed']}（{a['reason']}）"
        lines.append(["appeal", a["appeal_id"], f"申诉｜{what}"])
    for c in corrections.corrections_to_decide(who):
        lines.append(["correction", c["correction_request_id"],
                      f"数据更正｜{c['employee']} {c['what']}：{c['old']} → {c['new']}（{c['reason']}）"])
    for t in rating_prompts.open_rating_tasks(who):
        if not t["rated"]:
            lines.append(["rating", t["assessment_item_id"], f"待评分｜{t['employee']} {t['name']}（{t['month']}）"])
    conversation.listed, conversation.todo, conversation.listed_at = "todo", lines, clock_now().isoformat()
    if not lines:
        return "没有待你处理的事项 ✓"
    numbered = [f"{n}. {label}" for n, (_, _, label) in enumerate(lines, 1)]
    return "\n".join([f"【待办】共{len(lines)}项", *numbered,
                      "回复“同意 编号 理由”或“驳回 编号 理由”处理申诉和更正；回复“评分”逐一打分"])


def _decide(who: Actor, command: Decide, conversation: Conversation) -> str:
    if conversation.listed != "todo" or not conversation.todo:
        return "请先回复“待办”查看编号，再按编号处理。"
    if not 1 <= command.number <= len(conversation.todo):
        return f"没有编号 {command.number}，最近一次待办只有 1–{len(conversation.todo)} 条。"
    kind, object_id, label = conversation.todo[command.number - 1]
    verb = "同意" if command.approve else "驳回"
    if kind == "appeal":
        made = appeals.decide_appeal(object_id, command.approve, command.reason, who)
        person = name_of(made.employee_id)
        return f"已{verb}{person}的申诉（{label.split('｜', 1)[1]}）。{person}已收到通知。"
    if kind == "correction":
        done = corrections.decide_correction(object_id, command.approve, command.reason, who)
        return f"已{verb}{name_of(done.employee_id)}的数据更正。{name_of(done.employee_id)}已收到通知。"
    return f"第{command.number}条是评分，请回复“评分”逐一打分，或“评分 姓名 考核项 分数”。"


def _comment(who: Actor, command: Comment, conversation: Conversation) -> str:
    """Line N of the latest digest. A bare "N 内容" right after a 待办 list is not guessed at."""
    if not command.explicit and conversation.listed == "todo" and not _digest_since(who, conversation.listed_at):
        return (f"要点评团队摘要第{command.number}条，请回复“点评 {command.number} {command.text}”；"
                f"要处理待办第{command.number}条，请回复“同意 {command.number} 理由”或“驳回 {command.number} 理由”。")
    line = digest.resolve_line(who.employee_id, command.number)
    made = comments.add_comment(who, command.text, progress_entry_id=line.progress_entry_id,
                                assessment_id=None if line.progress_entry_id else line.assessment_id)
    person = name_of(line.employee_id) if line.employee_id else "对方"
    return f"已点评{person}：{made.body}（{person}已收到）"


def _digest_since(who: Actor, listed_at: str) -> bool:
    sent = digest.latest_sent_at(who.employee_id)
    return sent is not None and (not listed_at or sent > datetime.fromisoformat(listed_at))


# --- ratings: one at a time, or in one line ----------------------------------------------------

def _open_ratings(who: Actor) -> list[JsonDict]:
    return [t for t in rating_prompts.open_rating_tasks(who) if not t["rated"]]


def _start_rating(who: Actor, conversation: Conversation) -> str:
    tasks = _open_ratings(who)
    conversation.rating = [[t["assessment_item_id"], f"{t['employee']} {t['name']}"] for t in tasks]
    conversation.choices = []
    if not tasks:
        return "没有待你评分的考核项 ✓"
    return f"共{len(tasks)}项待评分。{_ask(conversation)}"


def _ask(conversation: Conversation) -> str:
    _, label = conversation.rating[0]
    return f"{label}：1–5分？（可到0.5分，回复数字即可）"


def _score(who: Actor, value: Decimal, conversation: Conversation) -> str:
    if conversation.choices:
        return _pick(who, int(value), conversation)
    if not conversation.rating:
        return "现在没有进行中的评分。回复“评分”开始，或“评分 姓名 考核项 分数”。"
    item_id, label = conversation.rating.pop(0)
    ratings.rate_item(item_id, value, who)
    done = f"已记录：{label} {value}分。"
    return done + (_ask(conversation) if conversation.rating else "本轮评分已全部完成 ✓")


def _rate(who: Actor, command: Rate, conversation: Conversation) -> str:
    tasks = rating_prompts.open_rating_tasks(who)
    found = resolve_rating(command.words, sorted({t["employee"] for t in tasks}), sorted({t["name"] for t in tasks}))
    if found.problem == "no_item":
        return "没有找到这个考核项。待你评分的有：" + "、".join(sorted({t["name"] for t in tasks}) or ["（无）"])
    if found.problem == "no_person":
        return f"你的待评分名单里没有这个人（{command.words}）。回复“待办”查看。"
    matching = [t for t in tasks if t["name"] == found.item and t["employee"] in (found.person, *found.candidates)]
    if len(matching) > 1:
        numbers = dict(db.session.execute(select(Employee.id, Employee.employee_no).where(
            Employee.id.in_([t["employee_id"] for t in matching]))).all())
        shape = "{employee}（工号{number}）{name}"
        conversation.choices = [[t["assessment_item_id"], shape.format(number=numbers[t["employee_id"]], **t)]
                                for t in matching]
        conversation.choice_value = str(command.value)
        options = "；".join(f"{n}. {label}" for n, (_, label) in enumerate(conversation.choices, 1))
        return f"有{len(matching)}位同名同事：{options}。回复编号选择要给{command.value}分的那一位。"
    (task,) = matching
    ratings.rate_item(task["assessment_item_id"], command.value, who)
    return f"已评分：{task['employee']} {task['name']} {command.value}分。"


def _pick(who: Actor, number: int, conversation: Conversation) -> str:
    """The answer to "有2位同名同事": which one gets the score given."""
    if not 1 <= number <= len(conversation.choices):
        return f"请回复 1–{len(conversation.choices)} 之间的编号。"
    item_id, label = conversation.choices[number - 1]
    value = Decimal(conversation.choice_value)
    ratings.rate_item(item_id, value, who)
    conversation.choices, conversation.choice_value = [], ""
    return f"已评分：{label} {value}分。"


def _team(who: Actor) -> str:
    members = reading.team_view(who)
    lines = [f"{m['name']}（{m['position']}）预计{m['total'] or '—'}分 {m['grade'] or ''}"
             + (f"，{m['behind']}项落后" if m["behind"] else "") for m in members]
    return "\n".join(["【团队本月进展】", *lines]) if lines else "团队本月还没有考核表。"


# --- employees ----------------------------------------------------------------------------------

def _employee(who: Actor, command: Command) -> str:
    """An employee gets what they can do here: their own reports waiting for 认可 or 申诉."""
    if not isinstance(command, Todo):
        return EMPLOYEE_HELP
    now = clock_now()
    waiting = db.session.scalars(select(Report).join(Assessment, Assessment.id == Report.assessment_id).where(
        Assessment.employee_id == who.employee_id, Report.response == "pending", Report.window_closes_at > now)
        .order_by(Report.id)).all()
    if not waiting:
        return "你没有待确认的考核报告 ✓ 提交进展请打开小程序「绩效」。"
    lines = [f"{n}. {r.summary}（{to_local(r.window_closes_at):%m月%d日%H:%M}前可认可或申诉）"
             for n, r in enumerate(waiting, 1) if r.window_closes_at]
    return "\n".join(["【你的待办】", *lines, "请在小程序「绩效」的考核报告页认可或申诉。"])
