"""Bind codes under concurrency: one code used at the same moment from two WeChat accounts binds
exactly one; a burst of wrong guesses is judged only up to the caps (5 per code, 10 per account) and
every guess is counted — on SQLite and on MariaDB."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.errors import ApiError
from app.models import AuditLog, BindCode, WeChatIdentity
from app.services.authz import system
from app.services.org import binding
from tests.support.race import at_once, refused

NOW = datetime(2026, 11, 27, 2, 0)
CLI = system("cli")
EMPLOYEE_READ = r"FROM employee\s+WHERE employee\.employee_no"


def wrong(code: str, n: int = 1) -> str:
    return f"{(int(code) + n) % 10**8:08d}"


@pytest.mark.parametrize("first,second", [(("mp", "o-phone"), ("oa", "o-official")),
                                          (("mp", "o-phone"), ("mp", "o-other-phone"))])
def test_one_code_used_from_two_accounts_at_once_binds_one(app, db_session, staff, first, second):
    code, _ = binding.issue_code("E001", CLI, now=NOW)

    outcomes = at_once(app, [lambda: binding.bind(*first, "E001", code, now=NOW),
                             lambda: binding.bind(*second, "E001", code, now=NOW)], meet_after=EMPLOYEE_READ)

    db_session.rollback()
    assert sorted(refused(o) or "bound" for o in outcomes) == ["bind_code_invalid", "bound"]
    winner = first if outcomes[0].error is None else second
    bound = db_session.execute(select(WeChatIdentity.channel, WeChatIdentity.external_id)).all()
    assert [tuple(b) for b in bound] == [winner]
    assert db_session.scalar(select(func.count()).where(AuditLog.action == "wechat.bind")) == 1


def test_a_burst_of_wrong_guesses_at_one_code_is_judged_five_times(app, db_session, staff):
    code, _ = binding.issue_code("E001", CLI, now=NOW)
    guesses = [lambda n=n: binding.bind("mp", f"guesser-{n}", "E001", wrong(code, n + 1), now=NOW)
               for n in range(12)]

    outcomes = at_once(app, guesses, meet_after=EMPLOYEE_READ)

    db_session.rollback()
    assert {refused(o) for o in outcomes} == {"bind_code_invalid"}
    assert db_session.scalar(select(BindCode.failed_attempts)) == binding.MAX_WRONG_PER_CODE
    with pytest.raises(ApiError) as voided:
        binding.bind("mp", "o-zhang", "E001", code, now=NOW)
    assert voided.value.code == "bind_code_invalid"


def test_a_burst_of_guesses_from_one_account_is_judged_ten_times(app, db_session, staff):
    guesses = [lambda n=n: binding.bind("oa", "guesser", "E002", f"{n:08d}", now=NOW) for n in range(12)]

    outcomes = at_once(app, guesses, meet_after=EMPLOYEE_READ)

    codes = sorted(refused(o) for o in outcomes)
    assert codes == ["bind_code_invalid"] * binding.MAX_WRONG_PER_ACCOUNT + ["bind_locked"] * 2
