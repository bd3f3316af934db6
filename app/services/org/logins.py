"""Console sign-in for HR members and admins: passwords, lock-out, and resets by another admin.

Passwords are stored as scrypt hashes (werkzeug's, a memory-hard KDF with a random salt per hash).
After MAX_FAILURES wrong passwords in a row an account is locked for LOCK_MINUTES; an admin can
unlock it at once. A refused sign-in does the same hashing work whether the employee number, their
account or only the password was wrong, and says the same thing, so neither the answer nor its
timing tells whether someone has an account. Only people who are HR or admin today may sign in:
an account whose owner lost the role (or left) stops working without anyone deleting it.

A password another person set (the first one, or a reset) must be changed at the next sign-in.
Every change bumps `session_version`, which every signed session carries: the console ends the
sessions that carry an older one.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import ApiError
from app.extensions import db
from app.models import ConsoleLogin, Employee
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.usecase import now_or_clock, use_case

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_LENGTH = 10
_WRONG = "工号或密码不正确"
# hashed against when there is no account, so that refusal costs what a wrong password costs
_NOBODY = generate_password_hash(secrets.token_hex(16))


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, and what the session must carry and do next."""

    employee_id: int
    session_version: int
    must_change: bool


def password_problem(password: str) -> str | None:
    """Why a new password is refused (zh-CN), or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少需要{MIN_LENGTH}个字符"
    if password.isdigit() or password.isalpha():
        return "密码需同时包含字母和数字（或符号）"
    return None


@use_case
def sign_in(employee_no: str, password: str, *, now: datetime | None = None) -> SignedIn:
    """Check a password; count a wrong one and lock the account after MAX_FAILURES."""
    now = now_or_clock(now)
    row = db.session.execute(
        select(ConsoleLogin, Employee).join(Employee, Employee.id == ConsoleLogin.employee_id)
        .where(Employee.employee_no == employee_no.strip()).with_for_update(of=ConsoleLogin)).first()
    login, person = (row.ConsoleLogin, row.Employee) if row else (None, None)
    if login is None or person is None:
        check_password_hash(_NOBODY, password)
        raise ApiError("wrong_credentials", _WRONG, 401)
    if login.locked_until is not None and login.locked_until > now:
        minutes = max(1, int((login.locked_until - now).total_seconds() + 59) // 60)
        raise ApiError("account_locked",
                       f"密码连续输错{MAX_FAILURES}次，账号已锁定，请{minutes}分钟后再试或请管理员解锁", 423)
    if not check_password_hash(login.password_hash, password):
        _count_failure(login, person, now)
        raise ApiError("wrong_credentials", _WRONG, 401)
    if person.status != "active" or not (person.is_hr or person.is_admin):
        raise ApiError("console_not_allowed", "后台仅供在职的人事和管理员使用", 403)
    login.failed_attempts, login.locked_until, login.last_sign_in_at = 0, None, now
    db.session.commit()
    return SignedIn(person.id, login.session_version, login.must_change)


def _count_failure(login: ConsoleLogin, person: Employee, now: datetime) -> None:
    """One more wrong password, committed even though the sign-in is refused."""
    login.failed_attempts += 1
    if login.failed_attempts >= MAX_FAILURES:
        login.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        login.failed_attempts = 0
        audit.record("console.locked", "employee", person.id, after={"minutes": LOCK_MINUTES}, source="web")
    db.session.commit()


def session_version(employee_id: int) -> int | None:
    """The version a session of this person must carry to stay valid (None: they cannot sign in)."""
    row = db.session.execute(
        select(ConsoleLogin.session_version, Employee.status, Employee.is_hr, Employee.is_admin)
        .join(Employee, Employee.id == ConsoleLogin.employee_id).where(ConsoleLogin.employee_id == employee_id)).first()
    if row is None or row.status != "active" or not (row.is_hr or row.is_admin):
        return None
    return int(row.session_version)


@use_case
def change_password(employee_id: int, current: str, new: str, *, now: datetime | None = None) -> int:
    """The person's own change (knowing the current password); returns the new session version."""
    login = _login_of(employee_id)
    if not check_password_hash(login.password_hash, current):
        raise ApiError("wrong_password", "当前密码不正确", 422, {"current": "当前密码不正确"})
    if current == new:
        raise ApiError("password_unchanged", "新密码不能与当前密码相同", 422, {"new": "新密码不能与当前密码相同"})
    _set(login, new, must_change=False, now=now_or_clock(now))
    audit.record("console.password_changed", "employee", employee_id, actor_id=employee_id, source="web")
    db.session.commit()
    return login.session_version


@use_case
def reset_password(employee_no: str, who: Actor, *, password: str | None = None, must_change: bool = True,
                   now: datetime | None = None) -> str:
    """A password for an HR member or admin, set by another admin (or the CLI, for the first one):
    generated unless given, and to be changed at the next sign-in unless `must_change` is False (the
    demo's). Unlocks the account and ends its sessions. Returns the password, shown once to whoever
    reset it."""
    person = db.session.scalar(select(Employee).where(Employee.employee_no == employee_no.strip()))
    if person is None or person.status != "active":
        raise ApiError("employee_not_found", f"找不到在职员工「{employee_no}」", 404)
    require(who, Action.RESET_PASSWORD, Subject(person.id))
    if not (person.is_hr or person.is_admin):
        raise ApiError("console_not_allowed", f"{person.name}不是人事或管理员，不能登录后台", 422)
    login = db.session.scalar(select(ConsoleLogin).where(ConsoleLogin.employee_id == person.id).with_for_update())
    if login is None:
        login = ConsoleLogin(employee_id=person.id, session_version=0)
        db.session.add(login)
    password = password or _one_time_password()
    _set(login, password, must_change=must_change, now=now_or_clock(now))
    audit.record("console.password_reset", "employee", person.id, actor_id=who.person_id, source=who.source)
    db.session.commit()
    return password


@use_case
def unlock(employee_id: int, who: Actor) -> None:
    """An admin lets a locked-out person try again now."""
    require(who, Action.RESET_PASSWORD, Subject(employee_id))
    login = _login_of(employee_id)
    login.locked_until, login.failed_attempts = None, 0
    audit.record("console.unlocked", "employee", employee_id, actor_id=who.person_id, source=who.source)
    db.session.commit()


@use_case
def sign_out_everywhere(employee_id: int) -> None:
    """End every session of this person (the console's 退出登录 does this)."""
    _login_of(employee_id).session_version += 1
    db.session.commit()


def _login_of(employee_id: int) -> ConsoleLogin:
    login = db.session.scalar(select(ConsoleLogin).where(ConsoleLogin.employee_id == employee_id).with_for_update())
    if login is None:
        raise ApiError("no_console_login", "该员工没有后台账号", 404)
    return login


def _set(login: ConsoleLogin, password: str, *, must_change: bool, now: datetime) -> None:
    problem = password_problem(password)
    if problem:
        raise ApiError("weak_password", problem, 422, {"new": problem})
    login.password_hash = generate_password_hash(password)
    login.must_change, login.changed_at = must_change, now
    login.failed_attempts, login.locked_until = 0, None
    login.session_version = (login.session_version or 0) + 1


def _one_time_password() -> str:
    """12 characters from an alphabet without look-alikes (0/O, 1/l/I), with a digit and a letter."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(12))
        if password_problem(password) is None:
            return password
