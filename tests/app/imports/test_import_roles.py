"""HR and admins import files and keep presets; a manager or an employee is refused with 403 and
nothing written."""

import pytest

from app.errors import ApiError
from app.imports import presets, service
from tests.support.checksums import fingerprint

COLUMNS = {"who": "工号", "indicator": "指标代码", "day": "日期", "numerator": "分子", "denominator": "分母"}
CALLS = {
    "import_file": lambda path, who: service.import_file(path, format_code="generic", identity="employee",
                                                         columns=COLUMNS, uploader_id=who),
    "listing": lambda path, who: presets.listing(actor_id=who),
    "preset": lambda path, who: presets.preset("通用指标表（工号）", actor_id=who),
    "sample": lambda path, who: presets.sample(path, "generic", "employee", COLUMNS, actor_id=who),
    "save": lambda path, who: presets.save(f"模板{who}", "generic", "employee", COLUMNS, actor_id=who),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_hr_and_admins_may_and_nobody_else(company, write, db_session, call):
    path = write("f.csv", [list(COLUMNS.values()),
                           [company.agent.employee_no, "cs_reply_30s_share", "2026-11-10", "9", "10"]])
    for who in (company.operator, company.agent):
        before = fingerprint(db_session)
        with pytest.raises(ApiError) as refused:
            CALLS[call](path, who.id)
        assert refused.value.status == 403 and fingerprint(db_session) == before
    for who in (company.hr, company.admin):
        assert CALLS[call](path, who.id) is not None
