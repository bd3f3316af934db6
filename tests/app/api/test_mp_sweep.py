"""The authorisation sweep of the mini-program API (issue 19), walked from app.url_map: every route
is called with no token, an expired token and a forged one, as employee A on employee B's objects,
and as the manager of another team on B's — all refused, and neither the database nor Redis changes.
A route added without a case here fails `test_every_route_has_a_case`."""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import url_for
from itsdangerous import URLSafeTimedSerializer

from app.api import mp
from app.services.notify import kinds
from app.services.observations import privacy
from tests.app.api.test_mp_auth import PUBLIC, OldSigner
from tests.support.checksums import fingerprint
from tests.support.images import png_bytes
from tests.support.mp_world import API, World, redis_state


@dataclass(frozen=True)
class Foreign:
    """A route that names one of B's objects: `args` builds the URL's ids, `body` a valid body."""
    args: Callable[[World], dict[str, int]] = lambda w: {}
    body: Callable[[World], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Own:
    """A route about the caller alone: a read must not show B's data; a write has no field that
    could name B (`body` smuggles B's id in and must be refused as invalid input)."""
    body: Callable[[World], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Upload:
    """A file upload (multipart): it always stores for the caller, who must have accepted the
    privacy notice first — the intruders have not, so nothing is stored."""


def _b(w: World) -> dict[str, Any]:
    return {"employee_id": w.ids["employee"]}


CASES: dict[tuple[str, str], Foreign | Own | Upload] = {
    ("mp.me", "GET"): Own(),
    ("mp.my_job_description", "GET"): Own(),
    ("mp.my_assessments", "GET"): Own(),
    ("mp.my_reports", "GET"): Own(),
    ("mp.rating_tasks", "GET"): Own(),
    ("mp.subscriptions", "GET"): Own(),
    ("mp.team", "GET"): Own(),
    ("mp.team_appeals", "GET"): Own(),
    ("mp.team_corrections", "GET"): Own(),
    ("mp.submit_progress", "POST"): Own(lambda w: {
        "day": "2026-11-04", "figures": {"ops_sales": {"numerator": "1"}}, **_b(w)}),
    ("mp.request_correction", "POST"): Own(lambda w: {
        "day": "2026-11-02", "indicator": "ops_sales", "numerator": "1", "reason": "漏报", **_b(w)}),
    ("mp.subscribe", "POST"): Own(lambda w: {"accepted": ["x"], **_b(w)}),
    ("mp.privacy_notice", "GET"): Own(),
    ("mp.accept_privacy", "POST"): Own(lambda w: {"version": privacy.VERSION, **_b(w)}),
    ("mp.upload_screenshot", "POST"): Upload(),
    ("mp.screenshot", "GET"): Foreign(lambda w: {"screenshot_id": w.ids["screenshot"]}),
    ("mp.rules", "GET"): Foreign(lambda w: {"assessment_id": w.ids["assessment"]}),
    ("mp.assessment", "GET"): Foreign(lambda w: {"assessment_id": w.ids["assessment"]}),
    ("mp.acknowledge", "POST"): Foreign(lambda w: {"assessment_id": w.ids["assessment"]}),
    ("mp.days", "GET"): Foreign(lambda w: {"assessment_id": w.ids["assessment"]}),
    ("mp.assessment_comments", "GET"): Foreign(lambda w: {"assessment_id": w.ids["assessment"]}),
    ("mp.comment_on_assessment", "POST"): Foreign(lambda w: {"assessment_id": w.ids["assessment"]},
                                                  lambda w: {"body": "看看"}),
    ("mp.entry_comments", "GET"): Foreign(lambda w: {"progress_entry_id": w.ids["entry"]}),
    ("mp.comment_on_entry", "POST"): Foreign(lambda w: {"progress_entry_id": w.ids["entry"]},
                                             lambda w: {"body": "回复", "parent_id": w.ids["comment"]}),
    ("mp.report", "GET"): Foreign(lambda w: {"report_id": w.ids["report"]}),
    ("mp.confirm", "POST"): Foreign(lambda w: {"report_id": w.ids["report"]}),
    ("mp.appeal", "POST"): Foreign(lambda w: {"report_id": w.ids["report"]}, lambda w: {
        "indicator": "ops_ad_roi", "claimed_value": "4", "reason": "替他申诉"}),
    ("mp.rate", "POST"): Foreign(body=lambda w: {"assessment_item_id": w.ids["item"], "value": "1"}),
    ("mp.appeal_view", "GET"): Foreign(lambda w: {"appeal_id": w.appeal_id}),
    ("mp.correction_view", "GET"): Foreign(lambda w: {"correction_id": w.ids["correction"]}),
    ("mp.decide_appeal", "POST"): Foreign(lambda w: {"appeal_id": w.appeal_id},
                                          lambda w: {"approve": False, "reason": "不同意"}),
    ("mp.decide_correction", "POST"): Foreign(lambda w: {"correction_id": w.ids["correction"]},
                                              lambda w: {"approve": False, "reason": "不同意"}),
}


def routes(app) -> list[tuple[str, str, Any]]:
    """(endpoint, method, rule) of every signed-in route of the mini-program API."""
    return sorted((rule.endpoint, method, rule) for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("mp.") and rule.endpoint not in PUBLIC
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_has_a_case(app):
    declared = {(endpoint, method) for endpoint, method, _ in routes(app)}
    assert declared - set(CASES) == set(), "a new mini-program route needs a case in the authorisation sweep"
    assert set(CASES) - declared == set(), "a case for a route that no longer exists"


def call(client, app, rule, method: str, case: Foreign | Own | Upload, w: World, headers: dict[str, str]):
    args = case.args(w) if isinstance(case, Foreign) else {}
    with app.test_request_context():
        url = url_for(rule.endpoint, **args)
    headers = {**headers, "Idempotency-Key": "sweep-0001"}
    if isinstance(case, Upload):
        form = {"file": (io.BytesIO(png_bytes(seed=99)), "x.png"), **_b(w)}
        return client.open(url, method=method, data=form, content_type="multipart/form-data", headers=headers)
    body = case.body(w) if case.body else None
    return client.open(url, method=method, json=body, headers=headers)


def tokens(app, w: World) -> dict[str, dict[str, str]]:
    """No token, one signed with another key, and a real one that expired."""
    claims = {"e": w.ids["employee"], "o": f"o-{w.ids['employee']}"}
    forged = URLSafeTimedSerializer("not-our-secret", salt=mp.TOKEN_SALT).dumps(claims)
    with app.app_context():
        expired = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=mp.TOKEN_SALT,
                                         signer=OldSigner).dumps(claims)
    return {"token_missing": {}, "token_invalid": {"Authorization": f"Bearer {forged}"},
            "token_expired": {"Authorization": f"Bearer {expired}"}}


def test_no_expired_or_forged_token_gets_anywhere_and_writes_nothing(app, client, world, db_session, redis_client):
    before = fingerprint(db_session), redis_state(redis_client)
    for endpoint, method, rule in routes(app):
        for code, headers in tokens(app, world).items():
            answer = call(client, app, rule, method, CASES[(endpoint, method)], world, headers)
            assert answer.status_code == 401 and answer.get_json()["error"]["code"] == code, (endpoint, code)
    assert (fingerprint(db_session), redis_state(redis_client)) == before


@pytest.mark.parametrize("intruder", ["a", "m"])
def test_nobody_reaches_bs_objects_and_nothing_is_written(app, client, world, db_session, redis_client, intruder):
    headers = getattr(world, intruder)
    before = fingerprint(db_session), redis_state(redis_client)
    for endpoint, method, rule in routes(app):
        case = CASES[(endpoint, method)]
        answer = call(client, app, rule, method, case, world, headers)
        refusal = answer.get_json().get("error") or {}
        if isinstance(case, Upload):
            assert answer.status_code == 403 and refusal["code"] == "privacy_not_accepted", (endpoint, refusal)
        elif isinstance(case, Foreign):
            assert answer.status_code in (403, 404) and refusal.get("code"), (endpoint, answer.get_json())
            assert any("\u4e00" <= ch <= "\u9fff" for ch in refusal["message"]), endpoint
        elif case.body:
            assert answer.status_code == 422 and refusal["code"] == "invalid_input", (endpoint, refusal)
            assert "employee_id" in refusal["fields"], (endpoint, refusal)
        else:
            seen = answer.get_data(as_text=True)
            assert answer.status_code in (200, 403), (endpoint, seen)
            assert not any(marker in seen for marker in world.b_markers), (endpoint, seen)
        assert (fingerprint(db_session), redis_state(redis_client)) == before, endpoint


def test_every_body_refuses_malformed_json_and_a_wrong_content_type(app, client, world, db_session, redis_client):
    """As B, on B's own objects, so only the body can be what is wrong."""
    b = {**world.b, "Idempotency-Key": "sweep-body-01"}
    before = fingerprint(db_session), redis_state(redis_client)
    bodies = [endpoint for endpoint, _, _ in routes(app) if app.view_functions[endpoint].mp_operation["body"]]
    assert len(bodies) >= 9
    for endpoint in bodies:
        case = CASES[(endpoint, "POST")]
        with app.test_request_context():
            url = url_for(endpoint, **(case.args(world) if isinstance(case, Foreign) else {}))
        for data, kind, status, code in (('{"day": "2026-11-04",', "application/json", 400, "malformed_json"),
                                         ('["a list"]', "application/json", 400, "malformed_json"),
                                         ("day=2026-11-04", "application/x-www-form-urlencoded", 415, "json_required")):
            answer = client.post(url, data=data, content_type=kind, headers=b)
            assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code), endpoint
    assert (fingerprint(db_session), redis_state(redis_client)) == before


# What each placeholder of a message link names in the world above.
LINKED = {"assessment_id": "assessment", "report_id": "report", "progress_entry_id": "entry",
          "correction_request_id": "correction", "assessment_item_id": "item"}


def names(answer: Any, key: str, value: int) -> bool:
    """Whether an answer holds `key: value` anywhere: the list a page opens shows the linked object."""
    if isinstance(answer, dict):
        return answer.get(key) == value or any(names(v, key, value) for v in answer.values())
    return isinstance(answer, list) and any(names(v, key, value) for v in answer)


def test_every_message_link_opens_its_object_for_the_recipient_and_is_refused_to_others(client, world):
    """Each link a message kind can carry, filled with B's objects: the page's first request (from
    the published `x-pages`) answers B, or B's manager for a manager's message, and refuses A."""
    pages = client.get(f"{API}/openapi.json").get_json()["x-pages"]
    ids = {**{name: world.ids[key] for name, key in LINKED.items()}, "appeal_id": world.appeal_id}
    checked = 0
    for spec in kinds.KINDS.values():
        for template in spec.pages or ():
            path, _, query = template.format_map(ids).partition("?")
            ((param, value),) = parse_qsl(query) or [("", "")]
            method, api_path = pages[path][param].split(" ")
            placeholders = re.findall(r"{(\w+)}", api_path)
            url = API + re.sub(r"{\w+}", value, api_path)
            recipient = world.b if spec.audience == kinds.EMPLOYEE else world.lead
            opened = client.open(url, method=method, headers=recipient)
            assert opened.status_code == 200, (spec.code, template, opened.get_json())
            if value and not placeholders:  # a list: the linked object is in it
                key = re.search(r"{(\w+)}", template)[1]
                assert names(opened.get_json(), key, int(value)), (spec.code, opened.get_json())
            refused = client.open(url, method=method, headers=world.a)
            if placeholders:
                assert refused.status_code == 403, (spec.code, template)
            elif value:
                assert not names(refused.get_json(), key, int(value)), spec.code
            checked += 1
    assert checked >= 15
