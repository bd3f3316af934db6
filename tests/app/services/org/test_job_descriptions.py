"""HR edits a position's job description: saved whole and audited with the text before and after, or
refused whole with every wrong entry named in Chinese."""

import pytest
from sqlalchemy import func, select

from app.errors import ApiError
from app.models import AuditLog, JobDescription, Position
from app.services.org import job_descriptions
from tests.support.company import small_company
from tests.support.people import actor

WAREHOUSE = {"duties": [{"text": "按单拣货、复核、打包", "frequency": "每日", "standard": "错发率≤0.1%"}],
             "authorities": [{"text": "拒收破损来货", "limit": ""}],
             "goals": [{"text": "季度错发率≤0.1%", "period": "quarter"}]}


def stored(session) -> JobDescription:
    return session.scalar(select(JobDescription).join(Position).where(Position.code == "warehouse"))


def test_a_job_description_is_replaced_whole_and_audited(db_session):
    people = small_company()
    before = job_descriptions.view(actor(people.hr.id), "warehouse")
    assert before["duties"] and before["goals"][0]["period"] == "quarter"  # the built-in one

    job_descriptions.save("warehouse", WAREHOUSE, hr_id=people.hr.id)

    db_session.expire_all()
    assert job_descriptions.view(actor(people.hr.id), "warehouse") | {"code": "warehouse"} == {
        "code": "warehouse", "name": "仓储", **WAREHOUSE}
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "job_description.save"))
    assert audit.actor_id == people.hr.id and audit.before["duties"][0]["text"] == before["duties"][0]["text"]
    assert audit.after["duties"] == WAREHOUSE["duties"] and audit.after["position"] == "warehouse"


@pytest.mark.parametrize("document, problem", [
    ({"duties": []}, "至少写一条职责"),
    ({"duties": [{"text": "拣货", "frequency": "每日", "standard": ""}]}, "第1条职责：标准应为1到200个字"),
    ({**WAREHOUSE, "goals": [{"text": "降本", "period": "decade"}]}, "第1条目标：周期应为月度、季度或年度"),
    ({"duties": [{"text": "拣" * 201, "frequency": "每日", "standard": "准"}]}, "第1条职责：职责应为1到200个字"),
])
def test_a_wrong_entry_is_named_and_nothing_changes(db_session, document, problem):
    people = small_company()
    duties, audits = stored(db_session).duties, db_session.scalar(select(func.count()).select_from(AuditLog))
    with pytest.raises(ApiError) as refused:
        job_descriptions.save("warehouse", document, hr_id=people.hr.id)
    assert problem in refused.value.message and refused.value.code == "job_description_invalid"
    db_session.rollback()
    assert stored(db_session).duties == duties
    assert db_session.scalar(select(func.count()).select_from(AuditLog)) == audits
