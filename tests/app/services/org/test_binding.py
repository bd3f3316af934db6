"""Bind codes: expiring, single-use, guess-limited, and only for the employee they were issued to."""

import hmac
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from app.errors import ApiError
from app.extensions import db
from app.models import AuditLog, BindCode, WeChatIdentity
from app.services import authz
from app.services.org import binding

NOW = datetime(2026, 11, 27, 2, 0)
CLI = authz.system("cli")  # an operator at the server's shell


def identities(session) -> int:
    return session.scalar(select(func.count()).select_from(WeChatIdentity))


def test_a_code_binds_its_employee_once(db_session, staff):
    code, expires = binding.issue_code("E001", CLI, now=NOW)
    assert len(code) == 8 and code.isdigit() and expires == NOW + timedelta(days=3)
    identity = binding.bind("mp", "openid-zhang", "E001", code, now=NOW + timedelta(hours=1))
    assert identity.employee_id == staff[0].id
    assert binding.employee_for("mp", "openid-zhang").name == "张三"
    with pytest.raises(ApiError) as again:
        binding.bind("wecom", "zhangsan", "E001", code, now=NOW + timedelta(hours=2))
    assert again.value.code == "bind_code_invalid"
    assert db_session.scalar(select(func.count()).where(AuditLog.action == "wechat.bind")) == 1


def test_an_expired_code_is_refused(db_session, staff):
    code, expires = binding.issue_code("E001", CLI, now=NOW)
    with pytest.raises(ApiError) as late:
        binding.bind("mp", "openid-zhang", "E001", code, now=expires + timedelta(seconds=1))
    assert late.value.code == "bind_code_invalid"
    assert identities(db_session) == 0


def test_a_code_for_one_employee_cannot_bind_another(db_session, staff):
    code, _ = binding.issue_code("E001", CLI, now=NOW)
    binding.issue_code("E002", CLI, now=NOW)
    with pytest.raises(ApiError) as wrong:
        binding.bind("mp", "openid-li", "E002", code, now=NOW)
    assert wrong.value.code == "bind_code_invalid"
    assert identities(db_session) == 0
    assert binding.bind("mp", "openid-zhang", "E001", code, now=NOW).employee_id == staff[0].id


def test_five_wrong_guesses_void_the_code(db_session, staff):
    code, _ = binding.issue_code("E001", CLI, now=NOW)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for attempt in range(5):
        with pytest.raises(ApiError):
            binding.bind("mp", f"guesser-{attempt}", "E001", wrong, now=NOW)
    with pytest.raises(ApiError) as voided:
        binding.bind("mp", "openid-zhang", "E001", code, now=NOW)
    assert voided.value.code == "bind_code_invalid"
    assert db_session.scalar(select(BindCode.failed_attempts)) == 5


def test_an_account_that_keeps_guessing_is_locked_out(db_session, staff):
    for attempt in range(binding.MAX_WRONG_PER_ACCOUNT):
        with pytest.raises(ApiError):
            binding.bind("oa", "guesser", "E00X", f"{attempt:08d}", now=NOW)
    code, _ = binding.issue_code("E002", CLI, now=NOW)
    with pytest.raises(ApiError) as locked:
        binding.bind("oa", "guesser", "E002", code, now=NOW)
    assert (locked.value.code, locked.value.status) == ("bind_locked", 429)


def test_a_new_code_replaces_the_old_one(db_session, staff):
    old, _ = binding.issue_code("E001", CLI, now=NOW)
    new, _ = binding.issue_code("E001", CLI, now=NOW + timedelta(minutes=1))
    with pytest.raises(ApiError):
        binding.bind("mp", "openid-zhang", "E001", old, now=NOW + timedelta(minutes=2))
    assert binding.bind("mp", "openid-zhang", "E001", new, now=NOW + timedelta(minutes=3))


def test_an_account_bound_to_someone_else_is_refused_and_unbind_frees_it(db_session, staff):
    code, _ = binding.issue_code("E001", CLI, now=NOW)
    binding.bind("wecom", "shared-phone", "E001", code, now=NOW)
    code2, _ = binding.issue_code("E002", CLI, now=NOW)
    with pytest.raises(ApiError) as taken:
        binding.bind("wecom", "shared-phone", "E002", code2, now=NOW)
    assert taken.value.code == "wechat_already_bound"
    assert binding.unbind(staff[0].id, "wecom", authz.actor(staff[0].id))
    assert binding.bind("wecom", "shared-phone", "E002", code2, now=NOW).employee_id == staff[1].id


def test_only_a_hash_of_the_code_is_stored(db_session, staff):
    code, _ = binding.issue_code("E001", CLI, now=NOW)
    stored = db_session.scalar(select(BindCode.code_hash))
    assert code not in stored and len(stored) == 64


def test_cli_prints_a_code(app, staff, runner):
    result = runner.invoke(args=["kpi", "bind-code", "E002"])
    assert result.exit_code == 0
    assert "E002 的绑定码" in result.output
    unknown = runner.invoke(args=["kpi", "bind-code", "NOPE"])
    assert unknown.exit_code == 2 and "找不到在职员工" in unknown.stderr


def test_one_lockout_across_channels(db_session, staff):
    for attempt in range(binding.MAX_WRONG_PER_ACCOUNT):
        with pytest.raises(ApiError):
            binding.bind("mp", "o-mp-guesser", "E00X", f"{attempt:08d}", unionid="u-guesser", now=NOW)
    with pytest.raises(ApiError) as locked:
        binding.bind("oa", "o-oa-guesser", "E00X", "00000099", unionid="u-guesser", now=NOW)
    assert (locked.value.code, locked.value.status) == ("bind_locked", 429)


def _steps(app, monkeypatch, employee_no: str) -> list[str]:
    """The statements sent and the hashing done by one refused bind attempt, in order."""
    steps: list[str] = []
    compare, new = hmac.compare_digest, hmac.new
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: steps.append("compare") or compare(a, b))
    monkeypatch.setattr(hmac, "new", lambda *args, **kwargs: steps.append("hash") or new(*args, **kwargs))

    def sent(conn, cursor, statement, *rest):
        steps.append(statement)

    event.listen(db.engine, "before_cursor_execute", sent)
    try:
        with pytest.raises(ApiError) as refused:
            binding.bind("mp", f"o-{employee_no}", employee_no, "12345678", now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", sent)
        monkeypatch.undo()
    assert refused.value.code == "bind_code_invalid"
    return steps


def test_no_code_and_a_wrong_code_take_the_same_steps(app, db_session, staff, monkeypatch):
    db_session.add(BindCode(employee_id=staff[0].id, code_hash="0" * 64, issued_at=NOW,
                            expires_at=NOW + timedelta(days=1)))
    db_session.commit()
    wrong_code = _steps(app, monkeypatch, "E001")
    assert "compare" in wrong_code and "hash" in wrong_code
    assert _steps(app, monkeypatch, "E002") == wrong_code  # an employee without a code
    assert _steps(app, monkeypatch, "E404") == wrong_code  # no such employee


def test_the_cli_issues_codes_as_the_system(app, staff, runner, db_session):
    assert runner.invoke(args=["kpi", "bind-code", "E001"]).exit_code == 0
    db_session.rollback()
    issued = db_session.scalar(select(AuditLog).where(AuditLog.action == "bind_code.issue"))
    assert (issued.actor_id, issued.source) == (None, "cli")
