"""A source the company never configured is not expected by the close (issue 16.1): HR lists the
sources, configures and unconfigures one (audited, HR only), and the completeness check expects
the working days of configured sources alone."""

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.models import AuditLog
from app.services.cycle import completeness
from tests.support.company import open_month, small_company

OPS_SOURCES = ["amazon_ads", "amazon_sp_api"]  # the operations template's synced items
ALL_SOURCES = ["amazon_ads", "amazon_sp_api", "chat_import", "erp", "erp_import", "zendesk"]


def test_the_close_expects_only_the_sources_hr_configured(db_session, redis_client):
    from app.services.observations import sources

    people = small_company()
    cycle = open_month(2026, 11)
    assert completeness.gaps(cycle)["sources"] == {}  # nobody configured anything: nothing expected
    assert [(row["source"], row["configured"]) for row in sources.listing()] == [(s, False) for s in ALL_SOURCES]

    sources.set_configured("amazon_ads", True, hr_id=people.hr.id)
    missing = completeness.gaps(cycle)["sources"]
    assert list(missing) == ["amazon_ads"]
    assert (len(missing["amazon_ads"]), missing["amazon_ads"][0]) == (21, "2026-11-02")
    assert [(row["source"], row["configured"]) for row in sources.listing() if row["source"] in OPS_SOURCES] == [
        ("amazon_ads", True), ("amazon_sp_api", False)]

    sources.set_configured("amazon_ads", False, hr_id=people.hr.id)
    assert completeness.gaps(cycle)["sources"] == {}
    audits = [(row.action, row.actor_id, row.after) for row in db_session.scalars(
        select(AuditLog).where(AuditLog.entity == "source_setting").order_by(AuditLog.id))]
    assert audits == [("source.configure", people.hr.id, {"source": "amazon_ads", "configured": True}),
                      ("source.unconfigure", people.hr.id, {"source": "amazon_ads", "configured": False})]


def test_an_unknown_source_or_no_change_is_refused_and_nothing_is_written(db_session, redis_client):
    from app.services.observations import sources

    people = small_company()
    for source, configured, code in (("self_report", True, "unknown_source"), ("rating", True, "unknown_source"),
                                     ("shopify", True, "unknown_source"), ("erp", False, "source_unchanged")):
        with pytest.raises(ApiError) as refused:
            sources.set_configured(source, configured, hr_id=people.hr.id)
        assert refused.value.code == code
        db_session.rollback()
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.entity == "source_setting")) is None
