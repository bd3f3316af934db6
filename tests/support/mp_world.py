"""The mini-program API's test company (issue 19): employee B with something of every kind — a day
with a comment, a correction past the window, an October report with an open appeal, an item to
rate, a screenshot — B's manager, A on B's team, and M who manages another team. The authorisation sweep calls
every route as A and M on B's objects; the Schemathesis run calls them as B and B's manager."""

import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import AssessmentItem
from app.services.observations import privacy
from tests.app.api.test_mp_auth import signed
from tests.support.clock import utc
from tests.support.company import assessment_of, department, hire, open_month, publish_history, small_company
from tests.support.images import png_bytes

API = "/api/mp/v1"


@dataclass
class World:
    """Employee B (赵明星) with something of every kind, and B's manager (张组长); A (钱新人) on
    B's team; M, who manages the warehouse team, not B's."""
    a: dict[str, str]
    m: dict[str, str]
    b: dict[str, str]
    lead: dict[str, str]
    b_markers: tuple[str, ...]
    ids: dict[str, int]
    appeal_id: int


def redis_state(redis_client) -> dict[bytes, tuple[bytes, int]]:
    """Every Redis key with its type and size: a queued job, a stored answer or a counter shows."""
    sizes = {b"list": redis_client.llen, b"zset": redis_client.zcard, b"set": redis_client.scard,
             b"hash": redis_client.hlen, b"string": redis_client.strlen, b"stream": redis_client.xlen}
    return {key: (kind, sizes[kind](key)) for key in redis_client.keys("*")
            if (kind := redis_client.type(key)) in sizes}


def build_world(client, clock, db_session) -> World:
    people = small_company()
    warehouse = department("warehouse", "仓储部")
    keeper = hire("周仓管", warehouse, position="warehouse", manager=people.boss)
    hire("吴打包", warehouse, position="warehouse", manager=keeper)
    db.session.commit()
    publish_history(people)
    november = open_month(2026, 11)
    clock.now = utc(4, 12)  # inside October's appeal window; 2 November is past its edit window
    b, lead = signed(db_session, people.star), signed(db_session, people.lead)

    def made(path: str, body: dict[str, Any], headers: dict[str, str], key: str) -> int:
        answer = client.post(f"{API}{path}", json=body, headers={**headers, "Idempotency-Key": f"world-key-{key}"})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["id"]

    assert client.post(f"{API}/privacy", json={"version": privacy.VERSION}, headers=b).status_code == 200
    shot = client.post(f"{API}/screenshots", headers=b, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(png_bytes(seed=4)), "day.png")}).get_json()["id"]
    entry = made("/progress", {"day": "2026-11-04", "figures": {"ops_sales": {"numerator": "900"}},
                               "screenshots": [shot]}, b, "day")
    report = client.get(f"{API}/reports", headers=b).get_json()["months"][0]["parts"][0]["report_id"]
    sheet = assessment_of(people.star, november).id
    item = db_session.scalar(select(AssessmentItem.id).where(AssessmentItem.assessment_id == sheet,
                                                              AssessmentItem.indicator_code == "ops_teamwork"))
    ids = {"employee": people.star.id, "assessment": sheet, "entry": entry, "report": report, "item": item,
           "screenshot": shot,
           "comment": made(f"/progress/{entry}/comments", {"body": "不错"}, lead, "c"),
           "correction": made("/corrections", {"day": "2026-11-02", "indicator": "ops_sales", "numerator": "5",
                                               "reason": "漏报"}, b, "fix")}
    ids["lead_report"] = client.get(f"{API}/reports", headers=lead).get_json()["months"][0]["parts"][0]["report_id"]
    appeal_id = made(f"/reports/{report}/appeals", {"indicator": "ops_ad_roi", "claimed_value": "4",
                                                    "reason": "归因延迟"}, b, "appeal")
    return World(a=signed(db_session, people.trainee), m=signed(db_session, keeper), b=b, lead=lead,
                 b_markers=(people.star.name, people.star.employee_no), ids=ids, appeal_id=appeal_id)


