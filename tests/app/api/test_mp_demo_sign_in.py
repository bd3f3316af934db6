"""The demo's sign-in shortcut (issue 19): with `make run`'s lenient WeChat stand-in, the code
`dev:<employee number>` signs in as that demo employee through the real sign-in (jscode2session,
the binding, our token). Nothing in the product knows the shortcut: the stand-in alone makes such
codes, and the demo company that is bound to them is never seeded under the production configuration."""

from datetime import date

from sqlalchemy import func, select

from app.models import Employee, WeChatIdentity
from app.standins.wechat_state import DEV_OPENID
from tests.support.demo import seeded_demo

TODAY = date(2026, 11, 27)


def someone_assessed(session) -> Employee:
    return session.scalar(select(Employee).where(Employee.status == "active", Employee.position_id.is_not(None))
                          .order_by(Employee.employee_no.desc()).limit(1))


def test_in_the_demo_anyone_signs_in_as_any_demo_employee_through_the_real_sign_in(client, clock, standin,
                                                                                    db_session):
    seeded_demo(today=TODAY)
    person = someone_assessed(db_session)
    standin.configure(dev_codes=True)  # as `make run` starts it
    signed = client.post("/api/mp/v1/auth/login", json={"code": f"dev:{person.employee_no}"})
    assert signed.status_code == 200, signed.get_json()
    assert signed.get_json()["me"]["employee_no"] == person.employee_no
    token = {"Authorization": f"Bearer {signed.get_json()['token']}"}
    mine = client.get("/api/mp/v1/assessments", headers=token)
    assert mine.status_code == 200 and mine.get_json()["assessments"], mine.get_json()
    unbound = client.post("/api/mp/v1/auth/login", json={"code": "dev:E99999"})  # nobody of that number
    assert unbound.status_code == 403 and unbound.get_json()["error"]["code"] == "not_bound"


def test_wechat_itself_has_no_such_code(client, clock, standin, db_session):
    """The stand-in as strict as WeChat (its default): a `dev:` code is just an invalid code."""
    seeded_demo(today=TODAY)
    refused = client.post("/api/mp/v1/auth/login", json={"code": f"dev:{someone_assessed(db_session).employee_no}"})
    assert refused.status_code in (400, 401) and refused.get_json()["error"]["code"] == "invalid_code"


def test_the_demo_company_is_never_seeded_under_the_production_configuration(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", "2026-11-27"])
    assert result.exit_code != 0 and "production" in result.output
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Employee)) == 0
    assert db_session.scalar(select(func.count()).select_from(WeChatIdentity).where(
        WeChatIdentity.external_id.like(DEV_OPENID.format("%")))) == 0
