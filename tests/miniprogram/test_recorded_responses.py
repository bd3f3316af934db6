"""The mini-program's page tests render recorded API answers (tests/miniprogram/recording.py):
each must be an answer the API can give — its body valid against the OpenAPI document's schema
for that operation and status — so a page is never tested against a shape the API does not have."""

import copy
import json
import re
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from tests.miniprogram.recording import API, recordings

DOC = "urn:jixiao:mp-openapi"


def json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as JSON Schema's null type, everywhere in the document."""
    if isinstance(node, list):
        return [json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def document(app):
    with app.test_client() as client:
        return client.get(f"{API}/openapi.json").get_json()


def operation(document: dict, method: str, path: str) -> dict:
    for template, operations in document["paths"].items():
        if re.fullmatch(re.sub(r"\{\w+\}", r"[0-9]+", template), path) and method.lower() in operations:
            return operations[method.lower()]
    raise AssertionError(f"{method} {path} is no operation of the API")


def schema_of(described: dict, status: int) -> Any:
    answer = described["responses"]["200" if status == 200 else "4XX"]
    schema = answer["content"]["application/json"]["schema"]
    return schema if isinstance(schema, dict) else {"$ref": f"#/components/schemas/{schema}"}


def registry_of(document: dict) -> Registry:
    return Registry().with_resource(DOC, Resource.opaque(json_schema(copy.deepcopy(document))))


def test_there_are_recordings_for_the_pages():
    pages = {path.parent.name for path in recordings()}
    assert {"home", "login"} <= pages


@pytest.mark.parametrize("path", recordings(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_recorded_answer_is_valid_against_the_openapi_document(document, path):
    recording = json.loads(path.read_text())
    registry = registry_of(document)
    assert recording["requests"], path
    for request in recording["requests"]:
        assert request["status"] == 200 or 400 <= request["status"] < 500, request["path"]
        schema = schema_of(operation(document, request["method"], request["path"]), request["status"])
        ref = {"$ref": DOC + schema["$ref"]} if "$ref" in schema else schema
        errors = sorted(Draft7Validator(ref, registry=registry).iter_errors(request["body"]), key=str)
        assert not errors, f"{path.name} {request['method']} {request['path']}: {errors[0].message} at " \
                           f"{list(errors[0].absolute_path)}"


def test_a_body_the_api_cannot_give_is_caught(document):
    registry = registry_of(document)
    schema = schema_of(operation(document, "GET", "/assessments/17"), 200)
    validator = Draft7Validator({"$ref": DOC + schema["$ref"]}, registry=registry)
    assert list(validator.iter_errors({"assessment_id": "17", "items": []}))
