"""The mini-program's sign-in (issue 19, first step): a wx.login code through the stand-in's
jscode2session, binding with an HR bind code on first use, our own signed token after; every route
refuses a request without a valid token; the OpenAPI document comes from the declared schemas."""

import time
from datetime import date
from decimal import Decimal

import pytest
from flask import url_for
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from rq import Queue
from sqlalchemy import func, select

from app import jobs
from app.api import mp
from app.models import AuditLog, Observation, ProgressEntry, WeChatIdentity
from app.services.authz import actor, system
from app.services.org import binding
from app.services.scoring.progress import recompute
from tests.support.company import assessment_of, on_target, open_month, small_company

PUBLIC = {"mp.login", "mp.openapi"}


def login(client, code: str, **extra):
    return client.post("/api/mp/v1/auth/login", json={"code": code, **extra})


def bound(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(WeChatIdentity).where(WeChatIdentity.channel == "mp"))


@pytest.fixture
def company(app, clock, db_session):
    return small_company()


def test_first_sign_in_binds_with_the_hr_code_and_later_ones_need_only_the_wx_login_code(client, standin, company,
                                                                                        db_session):
    standin.add_code("code-1", "o-star")
    refused = login(client, "code-1")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_bound"
    assert "绑定码" in refused.get_json()["error"]["message"] and bound(db_session) == 0

    code, _ = binding.issue_code(company.star.employee_no, system("cli"))
    standin.add_code("code-2", "o-star")
    signed = login(client, "code-2", employee_no=company.star.employee_no, bind_code=code)
    assert signed.status_code == 200, signed.get_json()
    answer = signed.get_json()
    assert answer["me"]["name"] == "赵明星" and answer["me"]["department"] == "运营部" and answer["me"]["manages"] == 0
    assert answer["expires_in"] == 7 * 24 * 3600 and "session_key" not in str(answer)
    me = client.get("/api/mp/v1/me", headers={"Authorization": f"Bearer {answer['token']}"})
    assert me.status_code == 200 and me.get_json()["manager"] == "张组长" and me.get_json()["channels"] == ["小程序"]

    standin.add_code("code-3", "o-star")
    again = login(client, "code-3")
    assert again.status_code == 200 and again.get_json()["me"]["employee_no"] == company.star.employee_no
    assert login(client, "code-3").get_json()["error"]["code"] == "invalid_code"  # a code works once


def test_a_missing_forged_expired_or_revoked_token_is_refused(app, client, standin, company, db_session):
    standin.add_code("code-1", "o-lead")
    code, _ = binding.issue_code(company.lead.employee_no, system("cli"))
    token = login(client, "code-1", employee_no=company.lead.employee_no, bind_code=code).get_json()["token"]
    with app.test_request_context():
        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=mp.TOKEN_SALT, signer=OldSigner).dumps(
            {"e": company.lead.id, "o": "o-lead"})
        other_key = URLSafeTimedSerializer("another-secret", salt=mp.TOKEN_SALT).dumps({"e": company.lead.id,
                                                                                       "o": "o-lead"})
    for header, code_expected in ((None, "token_missing"), ("Bearer ", "token_missing"),
                                  (f"Token {token}", "token_missing"), (f"Bearer {other_key}", "token_invalid"),
                                  (f"Bearer {token}x", "token_invalid"), (f"Bearer {old}", "token_expired")):
        answer = client.get("/api/mp/v1/me", headers={"Authorization": header} if header else {})
        assert answer.status_code == 401 and answer.get_json()["error"]["code"] == code_expected, header
    assert client.get("/api/mp/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert binding.unbind(company.lead.id, "mp", actor(company.hr.id))  # HR unbinds the account
    revoked = client.get("/api/mp/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "token_revoked"


class OldSigner(TimestampSigner):
    """Signs as if eight days ago: a token past its seven days."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 8 * 24 * 3600


@pytest.mark.parametrize("send, status, code", [
    (lambda c: c.post("/api/mp/v1/auth/login", data="code=1"), 415, "json_required"),
    (lambda c: c.post("/api/mp/v1/auth/login", data="{code", content_type="application/json"), 400, "malformed_json"),
    (lambda c: c.post("/api/mp/v1/auth/login", json=["code"]), 400, "malformed_json"),
    (lambda c: c.post("/api/mp/v1/auth/login", json={}), 422, "invalid_input"),
    (lambda c: c.post("/api/mp/v1/auth/login", json={"code": "x", "bind_code": "12ab"}), 422, "invalid_input"),
    (lambda c: c.post("/api/mp/v1/auth/login", json={"code": "x" * 129}), 422, "invalid_input"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_is_bound(client, company, db_session, send, status,
                                                                          code):
    answer = send(client)
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.get_json()["error"]["message"])
    assert bound(db_session) == 0


def test_every_route_but_sign_in_refuses_a_request_without_a_token(app, client, company):
    """Walked from app.url_map: a new route is covered without a case of its own."""
    routes = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("mp.")]
    assert {r.endpoint for r in routes} >= {"mp.login", "mp.me", "mp.openapi"}
    for rule in routes:
        if rule.endpoint in PUBLIC:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            answer = client.open(url, method=method, json={})
            assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "token_missing", rule


def test_the_openapi_document_is_generated_from_the_declared_schemas(client):
    document = client.get("/api/mp/v1/openapi.json").get_json()
    assert document["openapi"] == "3.0.3" and document["servers"] == [{"url": "/api/mp/v1"}]
    login_op = document["paths"]["/auth/login"]["post"]
    assert login_op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/LoginIn"}
    assert "security" not in login_op and document["paths"]["/me"]["get"]["security"] == [{"token": []}]
    schemas = document["components"]["schemas"]
    assert set(schemas["LoginIn"]["required"]) == {"code"} and "bind_code" in schemas["LoginIn"]["properties"]
    assert set(schemas["MeOut"]["required"]) >= {"name", "employee_no", "manages"}
    sheet = document["paths"]["/assessments/{assessment_id}"]["get"]
    assert sheet["parameters"] == [{"name": "assessment_id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}]
    assert "/assessments/{assessment_id}/acknowledge" in document["paths"]


def signed(db_session, person) -> dict[str, str]:
    """A bound mini-program account for `person` and the header its token goes in."""
    db_session.add(WeChatIdentity(employee_id=person.id, channel="mp", external_id=f"o-{person.id}"))
    db_session.commit()
    return {"Authorization": f"Bearer {mp.token_for(person.id, f'o-{person.id}')}"}


def test_a_person_reads_and_acknowledges_their_own_month_and_nobody_elses(client, company, db_session):
    november = open_month(2026, 11)
    star, lead = signed(db_session, company.star), signed(db_session, company.lead)
    mine = client.get("/api/mp/v1/assessments", headers=star).get_json()["assessments"]
    assert [(a["label"], a["position"]) for a in mine] == [("2026年11月", "运营")]
    sheet = client.get(f"/api/mp/v1/assessments/{mine[0]['id']}", headers=star).get_json()
    assert [i["name"] for i in sheet["items"]][:2] == ["月度销售额", "新品转化率"] and sheet["acknowledged"] is False
    assert sheet["items"][0]["target_display"] == "100,000 USD"

    trainee = assessment_of(company.trainee, november).id
    before = audit_rows(db_session)
    for url in (f"/api/mp/v1/assessments/{trainee}", f"/api/mp/v1/assessments/{trainee}/acknowledge"):
        method = client.post if url.endswith("acknowledge") else client.get
        refused = method(url, headers=star)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden", url
    assert client.get(f"/api/mp/v1/assessments/{mine[0]['id']}", headers=lead).status_code == 200  # their manager
    assert client.post(f"/api/mp/v1/assessments/{mine[0]['id']}/acknowledge", headers=lead).status_code == 403
    assert audit_rows(db_session) == before

    done = client.post(f"/api/mp/v1/assessments/{mine[0]['id']}/acknowledge", headers=star)
    assert done.status_code == 200 and done.get_json()["acknowledged"] is True
    assert audit_rows(db_session) == before + 1


def audit_rows(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(AuditLog))


def state(session, redis_client) -> tuple[int, int, int]:
    """Progress entries, audit rows and jobs waiting in the progress queue."""
    session.rollback()
    entries = session.scalar(select(func.count()).select_from(ProgressEntry))
    return entries, session.scalar(select(func.count()).select_from(AuditLog)), Queue(
        jobs.PROGRESS, connection=redis_client).count


def test_a_days_progress_is_saved_once_whatever_the_retries(client, company, db_session, redis_client):
    open_month(2026, 11)
    star = signed(db_session, company.star)
    body = {"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "1200.50"}}, "note": "双11返场"}
    first = client.post("/api/mp/v1/progress", json=body, headers={**star, "Idempotency-Key": "k-0000001"})
    assert first.status_code == 200, first.get_json()
    after_first = state(db_session, redis_client)
    again = client.post("/api/mp/v1/progress", json=body, headers={**star, "Idempotency-Key": "k-0000001"})
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert state(db_session, redis_client)[:2] == after_first[:2]  # one entry, one audit row
    other = client.post("/api/mp/v1/progress", json={**body, "note": "改了"},
                        headers={**star, "Idempotency-Key": "k-0000001"})
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    observed = db_session.scalar(select(Observation).where(Observation.employee_id == company.star.id))
    assert observed.numerator == Decimal("1200.50") and observed.provenance == "self_reported"


@pytest.mark.parametrize("change, status, code", [
    ({"day": "2026-11-13"}, 422, "day_in_future"),
    ({"day": "2026-11-10"}, 409, "edit_window_closed"),
    ({"figures": {"no_such_indicator": {"numerator": "1"}}}, 422, "figures_invalid"),
    ({"figures": {"wh_stock_accuracy": {"numerator": "99", "denominator": "100"}}}, 422, "figures_invalid"),
    ({"figures": {"ops_teamwork": {"numerator": "5"}}}, 422, "figures_invalid"),
    ({"figures": {"ops_sales": {"numerator": "-1"}}}, 422, "invalid_input"),
    ({"figures": {"ops_sales": {"numerator": "1e13"}}}, 422, "invalid_input"),
    ({"figures": {"ops_sales": {"numerator": "一千"}}}, 422, "invalid_input"),
    ({"figures": {"ops_sales": {"numerator": "NaN"}}}, 422, "invalid_input"),
    ({"figures": {"ops_sales": {"numerator": "1.1234567"}}}, 422, "invalid_input"),  # the database keeps 6 places
    ({"figures": {"ops_sales": {"numerator": 100.5}}}, 422, "invalid_input"),  # a binary float, not decimal text
    ({"figures": {}}, 422, "invalid_input"),
    ({"day": "11/12"}, 422, "invalid_input"),
    ({"key": ""}, 400, "idempotency_key_required"),
])
def test_bad_progress_is_refused_in_chinese_and_nothing_changes(client, company, db_session, redis_client, change,
                                                                 status, code):
    open_month(2026, 11)
    star = signed(db_session, company.star)
    before = state(db_session, redis_client)
    body = {"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "100"}}}
    body.update({k: v for k, v in change.items() if k != "key"})
    answer = client.post("/api/mp/v1/progress", json=body,
                         headers={**star, "Idempotency-Key": change.get("key", "k-bad-0001")})
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code, answer.get_json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.get_json()["error"]["message"])
    assert state(db_session, redis_client) == before
    assert redis_client.get(f"jixiao:mp:once:{company.star.id}:k-bad-0001") is None  # the key is free again


def test_my_rules_and_job_description_read_in_words(client, company, db_session):
    november = open_month(2026, 11)
    star = signed(db_session, company.star)
    sheet = assessment_of(company.star, november).id
    rules = {r["name"]: r for r in client.get(f"/api/mp/v1/assessments/{sheet}/rules", headers=star)
             .get_json()["rules"]}
    assert rules["月度销售额"]["by"] == "亚马逊销售数据（Amazon SP-API）" and rules["月度销售额"]["weight"] == "30"
    assert rules["月度销售额"]["rule"] == "比例计分：按完成率计分，最高按120%计"
    assert rules["月度销售额"]["target"] == "100,000 USD"
    assert rules["团队协作"]["by"] == "主管评分" and rules["团队协作"]["target"] == "5分"
    jd = client.get("/api/mp/v1/me/job-description", headers=star).get_json()
    assert jd["position"] == "运营" and jd["duties"][0]["text"] and jd["goals"][0]["period"] == "quarter"
    trainee = assessment_of(company.trainee, november).id
    assert client.get(f"/api/mp/v1/assessments/{trainee}/rules", headers=star).status_code == 403


def test_a_manager_sees_their_team_and_someone_without_one_is_refused(client, company, db_session, redis_client):
    november = open_month(2026, 11)
    on_target(company.star, november)
    for person in (company.star, company.trainee):  # what the progress worker computes
        assert recompute(assessment_of(person, november).id, as_of=date(2026, 11, 11)) is not None
    lead, star = signed(db_session, company.lead), signed(db_session, company.star)
    team = client.get("/api/mp/v1/team", headers=lead)
    assert team.status_code == 200, team.get_json()
    members = {m["name"]: m for m in team.get_json()["members"]}
    assert set(members) == {"赵明星", "钱新人"}  # the lead's reports, not the lead, not HR
    assert members["赵明星"]["grade"] and members["赵明星"]["as_of"] == "2026-11-11"
    assert members["钱新人"]["behind"] >= members["赵明星"]["behind"] and not members["钱新人"]["acknowledged"]
    assert team.get_json()["appeals_to_decide"] == 0
    refused = client.get("/api/mp/v1/team", headers=star)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_a_manager"
