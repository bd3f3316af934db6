"""Who may open which console route, walked from `app.url_map`: a new route without a case here
fails the first test, so no page ships without its access checked."""

import pytest
from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.models import Cycle
from tests.support.company import open_month
from tests.support.console import console_company, csrf, sign_in

# endpoint → the URL's arguments (ids of rows the fixture makes are filled in by `urls`)
CASES: dict[str, dict] = {
    "console.sign_in": {},
    "console.sign_out": {},
    "console.password": {},
    "console.home": {},
    "console.people": {},
    "console.admin_logins": {},
    "console.admin_reset_password": {},
    "console.admin_unlock": {"employee_id": "hr"},
    "console.month": {"cycle_id": "cycle"},
    "console.acknowledge_gaps": {"cycle_id": "cycle"},
    "console.publish": {"cycle_id": "cycle"},
    "console.return_rating": {"item_id": 999999},
    "console.resolve_restatements": {"cycle_id": "cycle"},
    "console.decide_outcome": {"outcome_id": 999999},
    "console.person": {"employee_id": "hr"},
    "console.join": {},
    "console.amend_target": {"item_id": 999999},
    "console.person_transfer": {"employee_id": "hr"},
    "console.choose_peers": {"assessment_id": 999999},
    "console.person_leave_days": {"employee_id": "hr"},
    "console.person_depart": {"employee_id": "hr"},
    "console.person_bind_code": {"employee_id": "hr"},
    "console.templates": {},
    "console.indicators": {},
    "console.add_department": {},
    "console.add_position": {},
    "console.add_indicator": {},
    "console.calendar_years_page": {},
    "console.settings_page": {},
    "console.admin_wechat": {},
    "console.admin_jobs": {},
    "console.admin_job_action": {"queue_name": "default", "job_id": "no-such-job"},
    "console.fx_rates_page": {},
    "console.calendar_year": {"year": 2027},
    "console.calendar_import": {},
    "console.calendar_confirm": {"year": 2027},
    "console.template": {"code": "warehouse"},
    "console.template_preview": {"code": "warehouse"},
    "console.job_description": {"code": "warehouse"},
    "console.admin_connectors": {},
    "console.admin_connector_save": {"source": "zendesk"},
    "console.admin_connector_sync": {"source": "zendesk"},
    "console.admin_mappings": {},
    "console.imports_page": {},
    "console.imports_upload": {},
    "console.imports_file": {"token": "0" * 32},
    "console.month_reports": {"cycle_id": "cycle"},
    "console.build_month_report": {"cycle_id": "cycle"},
    "console.month_report_progress": {"cycle_id": "cycle"},
    "console.download_month_report": {"monthly_report_id": 999999},
    "console.export_payroll": {"cycle_id": "cycle"},
    "console.person_report_pdf": {"cycle_id": "cycle", "employee_id": "hr"},
    "console.dashboard_page": {},
    "console.audit_page": {},
}
PUBLIC = {"console.sign_in"}


def console_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("console.") and rule.endpoint != "console.static"]


def urls(app, people, admin):
    ids = {"hr": people.hr.id, "admin": admin.id, "cycle": db.session.scalar(select(Cycle.id))}
    with app.test_request_context():
        for rule in console_rules(app):
            args = {k: ids.get(v, v) for k, v in CASES[rule.endpoint].items()}
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url_for(rule.endpoint, **args)


def access_of(app, endpoint: str) -> str:
    return app.view_functions[endpoint].console_access


def test_every_console_route_has_a_case_and_declares_who_may_open_it(app):
    endpoints = {rule.endpoint for rule in console_rules(app)}
    assert endpoints, "the console is registered"
    assert endpoints - set(CASES) == set(), "give each new console route a case in CASES"
    assert set(CASES) - endpoints == set(), "a case for a route that no longer exists"
    assert {access_of(app, e) for e in endpoints} <= {"public", "staff", "hr", "admin"}


@pytest.fixture
def company(app, db_session):
    people, admin = console_company()
    open_month(2026, 11)
    return people, admin


def call(client, method: str, url: str, token: str | None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token} if token else {})


def test_anonymous_users_are_sent_to_sign_in(app, client, company):
    token = csrf(client)
    for endpoint, method, url in urls(app, *company):
        response = call(client, method, url, token)
        if endpoint in PUBLIC:
            assert response.status_code in (200, 401), (endpoint, method)
        else:
            assert response.status_code == 302, (endpoint, method)
            assert response.headers["Location"].startswith("/console/login"), (endpoint, method)


def test_an_employee_who_is_neither_hr_nor_admin_gets_nothing(app, client, company):
    """A console account whose owner is no longer HR stops working: the session ends at once."""
    people, _ = company
    assert sign_in(client, people.hr.employee_no).status_code == 302
    people.hr.is_hr = False
    db.session.commit()
    token = csrf(client)
    for endpoint, method, url in urls(app, *company):
        if endpoint in PUBLIC:
            continue
        response = call(client, method, url, token)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"], (endpoint, method)
    refused = sign_in(client, people.hr.employee_no)
    assert refused.status_code == 401 and "后台仅供在职的人事和管理员使用" in refused.get_data(as_text=True)


@pytest.mark.parametrize("role, refused_access", [("hr", "admin"), ("admin", "hr")])
def test_admin_pages_refuse_hr_and_score_pages_refuse_the_admin(app, client, company, role, refused_access):
    people, admin = company
    person = people.hr if role == "hr" else admin
    assert sign_in(client, person.employee_no).status_code == 302
    token = csrf(client, "/console/")
    checked = 0
    for endpoint, method, url in urls(app, *company):
        access = access_of(app, endpoint)
        if access in ("public", "staff") or endpoint == "console.sign_out":
            continue
        response = call(client, method, url, token)
        if access == refused_access:
            assert response.status_code == 403, (endpoint, method)
            checked += 1
        else:
            assert response.status_code in (200, 302, 404, 409, 422), (endpoint, method, response.status_code)
    assert checked, f"some pages are {refused_access}-only"


def test_every_form_refuses_a_missing_or_wrong_csrf_token(app, client, company):
    people, admin = company
    assert sign_in(client, admin.employee_no).status_code == 302
    posts = [(endpoint, url) for endpoint, method, url in urls(app, *company) if method == "POST"]
    assert posts
    for endpoint, url in posts:
        for token in (None, "forged-token", csrf(client.application.test_client())):
            response = client.post(url, data={"csrf_token": token} if token else {})
            assert response.status_code == 400, (endpoint, token)
            assert "页面已过期或请求来源不明" in response.get_data(as_text=True)
