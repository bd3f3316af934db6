"""Binding a WeChat account (mini-program openid, WeCom userid, official-account openid) to an
employee with a one-time code HR (or the admin, or an operator at the CLI) hands out.

The employee types their employee number and the code; both must match. The employee number is no
secret — the code is: 8 digits from `secrets` (easy to type on a phone, never derived from the
person), stored only as a keyed hash, expiring after three days, working once, and void after five
attempts. A WeChat user who keeps guessing is locked out for an hour on every channel at once (by
unionid where WeChat gives one). A refused attempt does the same work whether the employee, their
code or only the right code is missing, so its timing tells nothing.
"""

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from app.errors import ApiError
from app.extensions import db, redis_store
from app.models import Appeal, Assessment, BindCode, Cycle, Employee, Report, WeChatIdentity
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import clock_now
from app.services.notify import outbox
from app.services.usecase import changed_rows, claim, use_case

CHANNELS = ("mp", "wecom", "oa")
UNPUBLISHED = ("draft", "open", "scoring")  # months whose reports are still to come
CODE_TTL = timedelta(days=3)
MAX_WRONG_PER_CODE = 5
MAX_WRONG_PER_ACCOUNT = 10
LOCKOUT_SECONDS = 3600

_WRONG = "工号或绑定码不正确"
_NO_CODE = "0" * 64  # compared against when there is no live code, so that case takes the same time


def _hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


@use_case
def issue_code(employee_no: str, who: Actor, *, now: datetime | None = None) -> tuple[str, datetime]:
    """A fresh code for an active employee, issued by HR, the admin or the CLI (never to oneself);
    any earlier unused code of theirs stops working."""
    now = now or clock_now()
    employee = db.session.scalar(select(Employee).where(Employee.employee_no == employee_no))
    if employee is not None:  # the policy first: whether they still work here is not for everyone
        require(who, Action.ISSUE_BIND_CODE, Subject(employee.id))
    if employee is None or employee.status != "active":
        raise ApiError("employee_not_found", f"找不到在职员工「{employee_no}」", 404)
    db.session.execute(update(BindCode).where(BindCode.employee_id == employee.id, BindCode.used_at.is_(None),
                                              BindCode.expires_at > now).values(expires_at=now))
    code = f"{secrets.randbelow(10**8):08d}"
    expires_at = now + CODE_TTL
    row = BindCode(employee_id=employee.id, code_hash=_hash(f"{employee.id}:{code}"), issued_by=who.person_id,
                   issued_at=now, expires_at=expires_at)
    db.session.add(row)
    db.session.flush()
    audit.record("bind_code.issue", "employee", employee.id, actor_id=who.person_id, source=who.source,
                 after={"expires_at": expires_at.isoformat()})
    db.session.commit()
    return code, expires_at


@use_case
def bind(channel: str, external_id: str, employee_no: str, code: str, *, unionid: str | None = None,
         now: datetime | None = None) -> WeChatIdentity:
    """Bind `external_id` on `channel` to the employee whose number and code both match.

    Every attempt is counted before it is judged — against the account (Redis INCR) and against
    the employee's live code (a conditional UPDATE) — so a burst of concurrent guesses is judged
    only up to the caps. The code is then taken by a conditional UPDATE: of two accounts using it
    at the same moment exactly one binds."""
    if channel not in CHANNELS:
        raise ApiError("unknown_channel", "不支持的微信渠道", 400)
    now = now or clock_now()
    lock_keys = _lock_keys(channel, external_id, unionid)
    _count_account_attempt(lock_keys)
    employee_id = db.session.scalar(select(Employee.id).where(Employee.employee_no == employee_no,
                                                              Employee.status == "active"))
    pending = _count_code_attempt(employee_id, now)
    given = _hash(f"{employee_id or 0}:{code.strip()}")
    matches = hmac.compare_digest(pending.code_hash if pending else _NO_CODE, given)
    if pending is None or not matches:
        raise _invalid()
    employee_id = pending.employee_id
    claim(update(BindCode).where(BindCode.id == pending.id, BindCode.used_at.is_(None), BindCode.expires_at > now)
          .values(used_at=now, failed_attempts=BindCode.failed_attempts - 1), _invalid())
    taken = db.session.scalar(select(WeChatIdentity).where(WeChatIdentity.channel == channel,
                                                           WeChatIdentity.external_id == external_id))
    if taken is not None and taken.employee_id != employee_id:
        raise ApiError("wechat_already_bound", "该微信账号已绑定其他员工，请先解绑", 409)
    db.session.execute(delete(WeChatIdentity).where(WeChatIdentity.employee_id == employee_id,
                                                    WeChatIdentity.channel == channel))
    identity = WeChatIdentity(employee_id=employee_id, channel=channel, external_id=external_id, unionid=unionid,
                              bound_at=now)
    db.session.add(identity)
    audit.record("wechat.bind", "employee", employee_id, actor_id=employee_id, after={"channel": channel})
    outbox.channel_bound(employee_id)
    db.session.commit()
    redis_store.client.delete(*lock_keys)
    return identity


def number_for_code(code: str, *, now: datetime | None = None) -> str:
    """The employee number whose live bind code `code` is ("" when none is): the chat's
    `绑定 <code>` names no number. `bind` then counts and judges the attempt as always."""
    now = now or clock_now()
    live = db.session.execute(select(BindCode.employee_id, BindCode.code_hash, Employee.employee_no)
                              .join(Employee, Employee.id == BindCode.employee_id)
                              .where(BindCode.used_at.is_(None), BindCode.expires_at > now,
                                     BindCode.failed_attempts < MAX_WRONG_PER_CODE)).all()
    for employee_id, code_hash, number in live:
        if hmac.compare_digest(code_hash, _hash(f"{employee_id}:{code.strip()}")):
            return str(number)
    return ""


def _invalid() -> ApiError:
    return ApiError("bind_code_invalid", f"{_WRONG}，或绑定码已过期、已使用。请联系人事重新获取", 400)


def _lock_keys(channel: str, external_id: str, unionid: str | None) -> list[str]:
    """The counters an attempt is held to: its account, and the WeChat user behind every channel
    (the unionid, where WeChat gives one), so one lockout holds across channels."""
    keys = [f"jixiao:bind:wrong:{channel}:{external_id}"]
    return keys + [f"jixiao:bind:wrong:user:{unionid}"] if unionid else keys


def _count_account_attempt(lock_keys: list[str]) -> None:
    """Count the attempt against the WeChat account and user first (INCR is atomic), then refuse
    past the cap: concurrent attempts cannot all read a count below it. A successful bind clears it."""
    pipe = redis_store.client.pipeline()
    for key in lock_keys:
        pipe.incr(key)
        pipe.expire(key, LOCKOUT_SECONDS)
    attempts = pipe.execute()[::2]
    if max(int(n) for n in attempts) > MAX_WRONG_PER_ACCOUNT:
        raise ApiError("bind_locked", "尝试次数过多，请1小时后再试", 429)


def _count_code_attempt(employee_id: int | None, now: datetime) -> BindCode | None:
    """Count the attempt against the employee's live code before judging it, by one conditional
    UPDATE committed at once, so the count stands whatever follows; a code with its five attempts
    used is void. Returns the code to judge, or None (no such code, or void) — the same queries
    run either way. A successful bind gives its attempt back when it takes the code."""
    live = (BindCode.employee_id == (employee_id or 0), BindCode.used_at.is_(None), BindCode.expires_at > now)
    counted = changed_rows(update(BindCode).where(*live, BindCode.failed_attempts < MAX_WRONG_PER_CODE)
                           .values(failed_attempts=BindCode.failed_attempts + 1))
    db.session.commit()
    pending = db.session.scalar(select(BindCode).where(*live))
    return pending if counted else None


@use_case
def unbind(employee_id: int, channel: str, who: Actor) -> bool:
    """Remove an employee's binding on one channel — the person themselves, HR or the admin;
    True if there was one."""
    require(who, Action.UNBIND_WECHAT, Subject(employee_id))
    removed = changed_rows(delete(WeChatIdentity).where(WeChatIdentity.employee_id == employee_id,
                                                        WeChatIdentity.channel == channel))
    if removed:
        audit.record("wechat.unbind", "employee", employee_id, actor_id=who.person_id, source=who.source,
                     before={"channel": channel})
    db.session.commit()
    return bool(removed)


@use_case
def expire_leaver_bindings(now: datetime) -> dict[str, int]:
    """What a leaver keeps to answer their last report (docs/product.md "People change"): their
    WeCom and official-account bindings go once they have left; the mini-program binding stays
    while an answer may still come — an assessment of days they worked in a month not yet
    published, a latest report version whose window is open, an appeal being decided — and goes
    after. The clock's daily purge calls it; one audit row per binding removed. Returns the counts."""
    leavers = db.session.execute(select(Employee.id, Employee.left_on).where(Employee.status == "left")).all()
    if not leavers:
        return {"wecom_oa": 0, "mp": 0}
    ids = [row.id for row in leavers]
    bound = db.session.execute(select(WeChatIdentity.employee_id, WeChatIdentity.channel)
                               .where(WeChatIdentity.employee_id.in_(ids))).all()
    waiting = _answer_may_come(ids, {row.id: row.left_on for row in leavers}, now)
    gone = [(person, channel) for person, channel in bound if channel != "mp" or person not in waiting]
    for person, channel in gone:
        db.session.execute(delete(WeChatIdentity).where(WeChatIdentity.employee_id == person,
                                                        WeChatIdentity.channel == channel))
        audit.record("wechat.unbind", "employee", person, source="clock", before={"channel": channel},
                     after={"reason": "left"})
    db.session.commit()
    return {"wecom_oa": sum(1 for _, c in gone if c != "mp"), "mp": sum(1 for _, c in gone if c == "mp")}


def _answer_may_come(ids: list[int], left_on: dict[int, date | None], now: datetime) -> set[int]:
    """The leavers who may still answer a report: a month with days they worked not yet published,
    a latest report version still answerable inside its window, or an appeal still open."""
    waiting: set[int] = set()
    for person, first_day in db.session.execute(
            select(Assessment.employee_id, Assessment.first_day).join(Cycle)
            .where(Assessment.employee_id.in_(ids), Cycle.status.in_(UNPUBLISHED))):
        last_day = left_on[person]
        if last_day is None or first_day <= last_day:
            waiting.add(person)
    latest = (select(Report.assessment_id, func.max(Report.version).label("version"))
              .group_by(Report.assessment_id).subquery())
    waiting |= set(db.session.scalars(
        select(Assessment.employee_id).join(Report, Report.assessment_id == Assessment.id)
        .join(latest, (latest.c.assessment_id == Report.assessment_id) & (latest.c.version == Report.version))
        .where(Assessment.employee_id.in_(ids), Report.response.in_(("pending", "appealed")),
               Report.window_closes_at > now)))
    waiting |= set(db.session.scalars(select(Appeal.employee_id).where(Appeal.employee_id.in_(ids),
                                                                       Appeal.status == "open")))
    return waiting


def employee_for(channel: str, external_id: str) -> Employee | None:
    """Who a WeChat account belongs to (None when unbound)."""
    return db.session.scalar(select(Employee).join(WeChatIdentity, WeChatIdentity.employee_id == Employee.id).where(
        WeChatIdentity.channel == channel, WeChatIdentity.external_id == external_id))
