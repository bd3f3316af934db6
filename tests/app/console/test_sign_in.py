"""Console sign-in: wrong passwords, lock-out and unlock, a password someone else set, sessions that
end when the password changes, and where the browser is sent afterwards."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, ConsoleLogin
from app.services.authz import system
from app.services.org import logins
from tests.support.console import PASSWORD, console_company, csrf, sign_in


@pytest.fixture
def company(app, db_session):
    return console_company()


def test_the_session_cookie_is_secure_httponly_samesite_and_scoped_to_the_console(client, company):
    people, _ = company
    response = sign_in(client, people.hr.employee_no)
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("jixiao_console="))
    flags = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite", "path"} <= set(flags)
    assert flags["samesite"].strip() == "SameSite=Lax" and flags["path"].strip() == "Path=/console"
    assert password_hash(people.hr.id).startswith("scrypt:")


def password_hash(employee_id: int) -> str:
    return db.session.scalar(select(ConsoleLogin.password_hash).where(ConsoleLogin.employee_id == employee_id))


def test_a_wrong_password_and_an_unknown_number_get_the_same_answer(client, company):
    people, _ = company
    wrong = sign_in(client, people.hr.employee_no, "not-the-password-1")
    unknown = sign_in(client, "NOBODY", "not-the-password-1")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "工号或密码不正确" in response.get_data(as_text=True)


def test_five_wrong_passwords_lock_the_account_until_another_admin_unlocks_it(client, company):
    people, admin = company
    for _ in range(logins.MAX_FAILURES):
        assert sign_in(client, people.hr.employee_no, "wrong-password-1").status_code == 401
    locked = sign_in(client, people.hr.employee_no)  # even the right password now
    assert locked.status_code == 401
    assert "账号已锁定" in locked.get_data(as_text=True) and "15分钟" in locked.get_data(as_text=True)
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.entity_id == people.hr.id,
                                                           AuditLog.action == "console.locked")) is not None

    admin_client = client.application.test_client()
    assert sign_in(admin_client, admin.employee_no).status_code == 302
    page = admin_client.get("/console/admin/logins").get_data(as_text=True)
    assert "已锁定至" in page
    unlocked = admin_client.post(f"/console/admin/logins/{people.hr.id}/unlock",
                                 data={"csrf_token": csrf(admin_client, "/console/admin/logins")})
    assert unlocked.status_code == 302
    assert sign_in(client, people.hr.employee_no).status_code == 302


def test_a_password_an_admin_set_must_be_changed_first_and_the_change_ends_other_sessions(client, company):
    people, admin = company
    admin_client = client.application.test_client()
    assert sign_in(admin_client, admin.employee_no).status_code == 302
    reset = admin_client.post("/console/admin/logins/reset", data={
        "employee_no": people.hr.employee_no, "csrf_token": csrf(admin_client, "/console/admin/logins")})
    page = reset.get_data(as_text=True)
    assert reset.status_code == 200 and "已为" in page
    temporary = page.split('class="secret">')[1].split("<")[0]
    assert logins.password_problem(temporary) is None

    other_browser = client.application.test_client()
    assert sign_in(client, people.hr.employee_no, temporary).headers["Location"] == "/console/password"
    assert client.get("/console/people").headers["Location"] == "/console/password"  # nothing else first
    assert sign_in(other_browser, people.hr.employee_no, temporary).status_code == 302

    token = csrf(client, "/console/password")
    mismatch = client.post("/console/password", data={"current": temporary, "new": "brand-new-pass-7",
                                                      "again": "brand-new-pass-8", "csrf_token": token})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    weak = client.post("/console/password", data={"current": temporary, "new": "12345678901",
                                                  "again": "12345678901", "csrf_token": token})
    assert weak.status_code == 422 and "字母和数字" in weak.get_data(as_text=True)
    changed = client.post("/console/password", data={"current": temporary, "new": "brand-new-pass-7",
                                                     "again": "brand-new-pass-7", "csrf_token": token})
    assert changed.status_code == 302 and changed.headers["Location"] == "/console/"
    assert client.get("/console/people").status_code == 200
    ended = other_browser.get("/console/people")  # the other browser's session carried the old version
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/console/login")
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity_id == people.hr.id)).all()
    assert {"console.password_reset", "console.password_changed"} <= set(actions)


def test_nobody_resets_their_own_password_and_the_cli_gives_the_first_one(client, company):
    people, admin = company
    from app.errors import ApiError
    from app.services.authz import actor

    with pytest.raises(ApiError) as refused:
        logins.reset_password(admin.employee_no, actor(admin.id))
    assert "只有管理员可以重置他人的登录密码" in refused.value.message
    with pytest.raises(ApiError):
        logins.reset_password(people.hr.employee_no, actor(people.hr.id))  # HR is no admin
    with pytest.raises(ApiError) as not_staff:
        logins.reset_password(people.star.employee_no, system("cli"))
    assert not_staff.value.code == "console_not_allowed"


def test_sign_out_ends_the_session_and_the_next_page_stays_on_this_site(client, company):
    people, _ = company
    def form():
        return {"employee_no": people.hr.employee_no, "password": PASSWORD, "csrf_token": csrf(client)}
    response = client.post("/console/login?next=https://evil.example/console/", data=form())
    assert response.headers["Location"] == "/console/"
    response = client.post("/console/login?next=//evil.example/console/", data=form())
    assert response.headers["Location"] == "/console/"
    response = client.post("/console/login?next=/console/people", data=form())
    assert response.headers["Location"] == "/console/people"
    token = csrf(client, "/console/")
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/").status_code == 302
