"""Recording the API answers the mini-program's page tests render (issue 22).

Each page's jest test renders the page twice, from two recorded states: the answers the real
Flask API gave, in the test company, to the requests the page makes. `make record-miniprogram`
writes them (record_responses.py); test_recorded_responses.py checks every one against the
OpenAPI document, so a page is never tested against an answer the API cannot give.

A recording is one JSON file, `miniprogram/tests/recorded/<page>/<state>.json`:
    {"page": "home", "state": "…", "about": "…", "query": {…}, "shows": ["…"],
     "requests": [{"method": "GET", "path": "/assessments/17", "status": 200, "body": {…}}]}
"""

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2] / "miniprogram" / "tests" / "recorded"
API = "/api/mp/v1"


class Recorder:
    """Calls the API through the Flask test client and keeps each answer for one page state."""

    def __init__(self, client, page: str, state: str, about: str, headers: dict[str, str] | None = None,
                 query: dict[str, Any] | None = None):
        self.client, self.headers = client, headers or {}
        self.recording: dict[str, Any] = {"page": page, "state": state, "about": about, "query": query or {},
                                          "requests": [], "shows": []}

    def shows(self, *texts: str) -> None:
        """Strings of the recorded answers the page must show (checked by miniprogram/tests/renders.test.js)."""
        self.recording["shows"].extend(texts)

    def call(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        answer = self.client.open(API + path, method=method, json=body, headers=headers)
        self.recording["requests"].append({"method": method, "path": path, "status": answer.status_code,
                                           **({"body_sent": body} if body is not None else {}),
                                           "body": answer.get_json()})
        return answer.get_json()

    def save(self) -> Path:
        target = ROOT / self.recording["page"] / f"{self.recording['state']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.recording, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        return target


def recordings() -> list[Path]:
    return sorted(ROOT.glob("*/*.json"))
