"""Schemathesis over the mini-program API (issue 19): the OpenAPI document the app serves drives
generated requests against the app itself, signed in once as employee B and once as B's manager,
with a fixed seed and example count. Every answer must match its declared status codes, content
type and response schema, no request may get a 5xx, and data the schema forbids must be refused.

Generated ids are mostly the world's real ones (so requests reach the services, not only 404s),
and each operation first gets one known-good request — the examples phase — so the assertion that
every operation answered 2xx at least once shows the run got past sign-in and validation."""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from app.services.observations import privacy
from tests.support.images import png_bytes
from tests.support.mp_world import API, World

pytestmark = pytest.mark.embedded_only  # see tests/pytest.ini

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12  # generated requests per operation, per role and per mode

# The known-good request of each operation: (who, path ids, body), run before anything is generated.
Known = Callable[[World], tuple[str, dict[str, int], Any]]
KNOWN: dict[str, Known] = {
    "POST /auth/login": lambda w: ("none", {}, {"code": "schema-code-1"}),
    "GET /me": lambda w: ("b", {}, None),
    "GET /me/job-description": lambda w: ("b", {}, None),
    "GET /assessments": lambda w: ("b", {}, None),
    "GET /assessments/{assessment_id}": lambda w: ("b", {"assessment_id": w.ids["assessment"]}, None),
    "GET /assessments/{assessment_id}/rules": lambda w: ("b", {"assessment_id": w.ids["assessment"]}, None),
    "POST /assessments/{assessment_id}/acknowledge": lambda w: ("b", {"assessment_id": w.ids["assessment"]}, None),
    "GET /assessments/{assessment_id}/days": lambda w: ("b", {"assessment_id": w.ids["assessment"]}, None),
    "GET /assessments/{assessment_id}/comments": lambda w: ("b", {"assessment_id": w.ids["assessment"]}, None),
    "POST /assessments/{assessment_id}/comments": lambda w: ("lead", {"assessment_id": w.ids["assessment"]},
                                                             {"body": "本月节奏不错"}),
    "POST /progress": lambda w: ("b", {}, {"day": "2026-11-04", "figures": {"ops_sales": {"numerator": "950"}}}),
    "GET /progress/{progress_entry_id}/comments": lambda w: ("b", {"progress_entry_id": w.ids["entry"]}, None),
    "POST /progress/{progress_entry_id}/comments": lambda w: ("b", {"progress_entry_id": w.ids["entry"]},
                                                              {"body": "收到", "parent_id": w.ids["comment"]}),
    "POST /corrections": lambda w: ("b", {}, {"day": "2026-11-03", "indicator": "ops_sales", "numerator": "7",
                                              "reason": "3日漏报一单"}),
    "GET /reports": lambda w: ("b", {}, None),
    "GET /reports/{report_id}": lambda w: ("b", {"report_id": w.ids["report"]}, None),
    "POST /reports/{report_id}/confirm": lambda w: ("lead", {"report_id": w.ids["lead_report"]}, None),
    "POST /reports/{report_id}/appeals": lambda w: ("b", {"report_id": w.ids["report"]}, {
        "indicator": "ops_new_conversion", "claimed_value": "0.06", "reason": "新品转化率统计漏了一天"}),
    "GET /ratings": lambda w: ("lead", {}, None),
    "POST /ratings": lambda w: ("lead", {}, {"assessment_item_id": w.ids["item"], "value": "4"}),
    "GET /team": lambda w: ("lead", {}, None),
    "GET /team/appeals": lambda w: ("lead", {}, None),
    "GET /team/corrections": lambda w: ("lead", {}, None),
    "GET /appeals/{appeal_id}": lambda w: ("lead", {"appeal_id": w.appeal_id}, None),
    "POST /appeals/{appeal_id}/decision": lambda w: ("lead", {"appeal_id": w.appeal_id},
                                                     {"approve": False, "reason": "后台ROI核实为3"}),
    "GET /corrections/{correction_id}": lambda w: ("lead", {"correction_id": w.ids["correction"]}, None),
    "POST /corrections/{correction_id}/decision": lambda w: ("lead", {"correction_id": w.ids["correction"]},
                                                             {"approve": True}),
    "GET /subscriptions": lambda w: ("b", {}, None),
    "POST /subscriptions": lambda w: ("b", {}, {"accepted": ["dev-tpl-report"]}),
    "GET /privacy": lambda w: ("b", {}, None),
    "POST /privacy": lambda w: ("b", {}, {"version": privacy.VERSION}),
    "POST /screenshots": lambda w: ("b", {}, {"file": png_bytes(seed=11)}),
    "GET /screenshots/{screenshot_id}": lambda w: ("lead", {"screenshot_id": w.ids["screenshot"]}, None),
}
UPLOADS = {"POST /screenshots"}  # multipart/form-data, not JSON


def test_schemathesis_finds_no_5xx_and_no_answer_outside_the_document(app, world, standin):
    standin.add_code("schema-code-1", f"o-{world.ids['employee']}")
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    operations = {op.label: op for op in (result.ok() for result in schema.get_all_operations())}
    assert set(operations) == set(KNOWN), "every operation needs its known-good request"
    people = {"b": world.b, "lead": world.lead, "none": {}}
    seen: dict[str, list[int]] = defaultdict(list)

    def send(op, case, headers: dict[str, str], checks: list) -> None:
        case.headers = {**(case.headers or {}), **headers}
        response = case.call()
        seen[op.label].append(response.status_code)
        case.validate_response(response, checks=checks)

    for label, known in KNOWN.items():  # the examples phase, in a fixed order
        who, path, body = known(world)
        op = operations[label]
        media_type = "multipart/form-data" if label in UPLOADS else "application/json"
        given_body = {} if body is None else {"body": body, "media_type": media_type}
        case = op.Case(path_parameters=path, **given_body)
        send(op, case, {**people[who], "Idempotency-Key": f"schema-known-{len(seen):03d}"}, CHECKS)
        assert seen[label][-1] == 200, (label, seen[label])

    ids = [world.appeal_id, *world.ids.values()]
    for op in operations.values():
        for who in ("b", "lead"):
            for mode in GenerationMode:
                fuzz(op, mode, people[who], ids, send)
    assert not [label for label in operations if not any(200 <= s < 300 for s in seen[label])]
    assert not [s for statuses in seen.values() for s in statuses if s >= 500]


def fuzz(op, mode: GenerationMode, headers: dict[str, str], ids: list[int], send) -> None:
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    names = [p.name for p in op.path_parameters]

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data) -> None:
        path = {name: data.draw(st.sampled_from(ids) | st.integers(0, 2**31 - 1)) for name in names}
        case = data.draw(op.as_strategy(generation_mode=mode, path_parameters=path or None))
        key = data.draw(st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True))
        send(op, case, {**headers, "Idempotency-Key": key}, checks)

    run()
