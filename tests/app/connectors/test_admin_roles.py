"""Only an admin manages connectors, syncs them by hand and maps identities: HR, a manager and an
employee are refused with 403 and nothing written; the admin is allowed."""

from datetime import date

import pytest

from app.connectors import admin
from app.errors import ApiError
from tests.support.checksums import fingerprint

LOGIN = {"subdomain": "acme", "email": "admin@example.com", "api_token": "zendesk-token"}
CALLS = {
    "save_credentials": lambda c, who, sleeps: admin.save_credentials("zendesk", LOGIN, admin_id=who, sleep=sleeps),
    "status": lambda c, who, sleeps: admin.status(admin_id=who),
    "map_identity": lambda c, who, sleeps: admin.map_identity("zendesk", "235323", c.agent.id, date(2026, 11, 1),
                                                              admin_id=who),
    "unmapped": lambda c, who, sleeps: admin.unmapped(admin_id=who),
    "mappings": lambda c, who, sleeps: admin.mappings(admin_id=who),
    "sync_now": lambda c, who, sleeps: admin.sync_now("zendesk", admin_id=who, sleep=sleeps),
    "request_sync": lambda c, who, sleeps: admin.request_sync("zendesk", admin_id=who),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_only_the_admin_may(vendors, company, sleeps, db_session, call):
    admin.save_credentials("zendesk", LOGIN, admin_id=company.admin.id, sleep=sleeps)
    for who in (company.hr, company.agent, company.operator):
        before = fingerprint(db_session)
        with pytest.raises(ApiError) as refused:
            CALLS[call](company, who.id, sleeps)
        assert refused.value.status == 403 and fingerprint(db_session) == before, who.name
    assert CALLS[call](company, company.admin.id, sleeps) is not None
