"""Zendesk Support end to end: the real connector against the stand-in, which serves Zendesk's own
example export (tests/fixtures/vendors/zendesk/) plus generated pages.

Worked by hand from the vendor's example ticket 35436: created 2009-07-20T22:55:29Z, which is
2009-07-21 06:55 in Shanghai; assignee 235323; status "open"; tags enterprise and other_tag. The
company here marks complaints with the tag "enterprise", so it is a complaint of agent 235323 on
2009-07-21 that is not closed yet: 0 of 1. The vendor's ticket-metrics example gives ticket 1517 a
full resolution of 0 calendar minutes: a complaint 1517 that is solved was closed within 24 hours,
1 of 1. Tickets 1518 and 1519 are built from the documented ticket schema by the test.
"""

import base64
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.connectors import admin, runs
from app.connectors.http import LONGEST_BACKOFF
from app.errors import ApiError
from app.models import AuditLog, Connector, Observation, OutboxMessage, SourceSetting, SyncRun, UnmappedRecord

NOW = datetime(2011, 5, 10, 1, 0)  # naive UTC: 2011-05-10 09:00 in Shanghai, so the first run starts at 1 May
LOGIN = {"subdomain": "acme", "email": "admin@example.com", "api_token": "zendesk-token",
         "complaint_tags": "enterprise"}
AGENT = "235323"


def ticket(ticket_id, created, changed, *, status="open", tags=("enterprise",), assignee=235323):
    """A ticket in the export's documented shape (the fields the connector reads, and a few more)."""
    return {"id": ticket_id, "assignee_id": assignee, "created_at": created, "updated_at": created,
            "generated_timestamp": changed, "status": status, "tags": list(tags), "type": "problem",
            "subject": f"工单 {ticket_id}", "via": {"channel": "email"}, "satisfaction_rating": None}


def metric(ticket_id, full_resolution_minutes):
    return {"id": 9000 + ticket_id, "ticket_id": ticket_id, "reopens": 0, "replies": 1,
            "full_resolution_time_in_minutes": {"business": full_resolution_minutes,
                                                "calendar": full_resolution_minutes},
            "reply_time_in_minutes": {"business": 5, "calendar": 5}}


def generated_volume(vendors):
    """Three complaints and 240 other tickets after the vendor's example: four pages of 70."""
    start = 1304553600 + 60
    tickets = [ticket(1517, "2011-05-06T03:00:00Z", start, status="solved"),
               ticket(1518, "2011-05-06T05:00:00Z", start + 1, status="solved"),
               ticket(1519, "2011-05-07T01:00:00Z", start + 2, assignee=None)]
    tickets += [ticket(2000 + n, "2011-05-08T02:00:00Z", start + 3 + n, tags=("other_tag",)) for n in range(240)]
    vendors.zendesk(tickets=tickets, metrics=[metric(1518, 1500)], page_size=70)


def connected(company, sleeps):
    admin.save_credentials("zendesk", LOGIN, admin_id=company.admin.id, sleep=sleeps)
    admin.map_identity("zendesk", AGENT, company.agent.id, date(2009, 1, 1), admin_id=company.admin.id, now=NOW)


def figures(db_session):
    return {(o.external_ref, o.employee_id, o.day, o.numerator, o.denominator, o.provenance, o.source)
            for o in db_session.scalars(select(Observation))}


def test_credentials_are_checked_with_zendesk_sealed_and_configure_the_source(vendors, company, sleeps, db_session):
    with pytest.raises(ApiError) as refused:
        admin.save_credentials("zendesk", LOGIN | {"api_token": "wrong"}, admin_id=company.admin.id, sleep=sleeps)
    assert refused.value.code == "credentials_refused" and "401" in refused.value.message
    assert db_session.scalar(select(func.count()).select_from(Connector)) == 0
    with pytest.raises(ApiError) as missing:
        admin.save_credentials("zendesk", {"subdomain": "acme"}, admin_id=company.admin.id, sleep=sleeps)
    assert missing.value.code == "credentials_missing" and "API 令牌" in missing.value.message
    with pytest.raises(ApiError) as not_admin:
        admin.save_credentials("zendesk", LOGIN, admin_id=company.hr.id, sleep=sleeps)
    assert not_admin.value.code == "forbidden"

    admin.save_credentials("zendesk", LOGIN, admin_id=company.admin.id, sleep=sleeps)
    stored = db_session.scalar(select(Connector))
    assert stored.status == "valid"
    assert "zendesk-token" not in stored.secret and "admin@example.com" not in stored.secret
    assert db_session.scalar(select(SourceSetting.configured).where(SourceSetting.source == "zendesk")) is True
    row = next(r for r in admin.status(admin_id=company.admin.id) if r["source"] == "zendesk")
    shown = {f["name"]: f["value"] for f in row["fields"]}
    assert shown == {"subdomain": "acme", "email": "admin@example.com", "api_token": "••••oken",
                     "complaint_tags": "enterprise", "customer_ratings": "是"}
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "connector.credentials"))
    assert audit.actor_id == company.admin.id and "zendesk-token" not in str(audit.after)
    me = vendors.requests("/api/v2/users/me.json")[-1]
    assert me["headers"]["Authorization"] == "Basic " + base64.b64encode(
        b"admin@example.com/token:zendesk-token").decode()


def test_a_sync_reads_every_page_from_the_month_start_and_resumes_at_the_saved_cursor(vendors, company, sleeps,
                                                                                       db_session):
    generated_volume(vendors)
    connected(company, sleeps)
    run = runs.sync_now("zendesk", now=NOW, sleep=sleeps)
    assert run.status == "done" and run.error is None
    agent = company.agent.id
    assert figures(db_session) == {
        ("ticket/35436", agent, date(2009, 7, 21), Decimal(0), Decimal(1), "verified", "zendesk"),
        ("ticket/1517", agent, date(2011, 5, 6), Decimal(1), Decimal(1), "verified", "zendesk"),
        ("ticket/1518", agent, date(2011, 5, 6), Decimal(0), Decimal(1), "verified", "zendesk"),
    }
    assert {o.run_id for o in db_session.scalars(select(Observation))} == {run.id}
    kept = db_session.scalars(select(UnmappedRecord)).all()
    assert [(u.external_id, u.external_ref, u.day) for u in kept] == [("unassigned", "ticket/1519", date(2011, 5, 7))]
    assert (run.counts["fetched"], run.counts["unmapped"], run.counts["inserted"]) == (4, 1, 3)

    pages = vendors.requests("/api/v2/incremental/tickets/cursor")
    assert len(pages) == 4  # 244 tickets, 70 a page
    assert pages[0]["args"] == {"start_time": "1304179200"}  # 2011-05-01 00:00 Shanghai
    assert all("cursor" in page["args"] for page in pages[1:])
    saved = db_session.scalar(select(Connector)).checkpoint["cursor"]
    assert saved and saved != pages[-1]["args"]["cursor"]
    assert [r["path"] for r in vendors.requests("/api/v2/tickets/")] == [
        "/api/v2/tickets/1517/metrics", "/api/v2/tickets/1518/metrics"]  # solved complaints only

    before = figures(db_session)
    again = runs.sync_now("zendesk", now=NOW, sleep=sleeps)  # nothing changed since the cursor
    assert vendors.requests("/api/v2/incremental/tickets/cursor")[-1]["args"] == {"cursor": saved}
    assert again.counts == {"fetched": 0, "refused": 0, "unmapped": 0, "requests": 1}
    assert figures(db_session) == before and sleeps == []
    db_session.scalar(select(Connector)).checkpoint = {}  # the whole month again: every record is known
    db_session.commit()
    assert runs.sync_now("zendesk", now=NOW, sleep=sleeps).counts["unchanged"] == 3
    assert figures(db_session) == before


def test_a_complaint_solved_later_updates_its_figure_with_an_audited_run(vendors, company, sleeps, db_session):
    connected(company, sleeps)
    runs.sync_now("zendesk", now=NOW, sleep=sleeps)
    vendors.zendesk(tickets=[ticket(35436, "2009-07-20T22:55:29Z", 1304553600 + 500, status="solved")],
                    metrics=[metric(35436, 600)])
    later = runs.sync_now("zendesk", now=NOW, sleep=sleeps)
    assert later.counts["updated"] == 1
    assert db_session.scalar(select(Observation.numerator).where(Observation.external_ref == "ticket/35436")) == 1
    audit = db_session.scalar(select(AuditLog).where(AuditLog.action == "sync.run", AuditLog.entity_id == later.id))
    assert audit.after["updated"] == 1


def test_zendesk_is_waited_for_at_least_its_retry_after_and_a_5xx_is_retried(vendors, company, sleeps, db_session):
    connected(company, sleeps)
    vendors.script("/api/v2/incremental/tickets/cursor", 429, retry_after=7)
    vendors.script("/api/v2/incremental/tickets/cursor", 503)
    run = runs.sync_now("zendesk", now=NOW, sleep=sleeps)
    assert run.status == "done"
    assert sleeps[0] == 7  # Zendesk's Retry-After, to the second
    assert 0.5 * 2 ** 1 <= sleeps[1] <= min(LONGEST_BACKOFF, 2 ** 1)  # no Retry-After: exponential, jittered
    assert len(vendors.requests("/api/v2/incremental/tickets/cursor")) == 3


def test_a_malformed_export_fails_the_run_writes_nothing_and_the_second_failure_tells_the_admin(
        vendors, company, sleeps, db_session):
    connected(company, sleeps)
    vendors.script("/api/v2/incremental/tickets/cursor", 200, times=2, body={"tickets": "not a list"})
    first = runs.sync_now("zendesk", now=NOW, sleep=sleeps)
    assert first.status == "failed" and "缺少 tickets" in first.error
    assert db_session.scalar(select(func.count()).select_from(Observation)) == 0
    assert db_session.scalar(select(Connector)).checkpoint == {}
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    second = runs.sync_now("zendesk", now=NOW, sleep=sleeps)
    assert second.status == "failed" and db_session.scalar(select(Connector)).failures == 2
    told = db_session.scalars(select(OutboxMessage)).all()
    assert [(m.recipient_id, m.kind) for m in told] == [(company.admin.id, "job_failed")]
    assert "Zendesk 客服系统" in told[0].body and "连续2次" in told[0].body
    assert runs.sync_now("zendesk", now=NOW, sleep=sleeps).status == "done"
    assert db_session.scalar(select(Connector)).failures == 0
    assert db_session.scalar(select(func.count()).select_from(SyncRun).where(SyncRun.status == "failed")) == 2


def test_records_kept_unmapped_become_the_persons_once_an_admin_maps_the_agent(vendors, company, sleeps,
                                                                                db_session):
    admin.save_credentials("zendesk", LOGIN, admin_id=company.admin.id, sleep=sleeps)
    runs.sync_now("zendesk", now=NOW, sleep=sleeps)
    assert db_session.scalar(select(func.count()).select_from(Observation)) == 0
    assert admin.unmapped(admin_id=company.admin.id) == [
        {"source": "zendesk", "identity": "zendesk", "external_id": AGENT, "records": 1,
         "first_day": date(2009, 7, 21), "last_day": date(2009, 7, 21)}]
    moved = admin.map_identity("zendesk", AGENT, company.agent.id, date(2009, 7, 1), admin_id=company.admin.id,
                               now=NOW)
    assert moved == 1 and admin.unmapped(admin_id=company.admin.id) == []
    figure = db_session.scalar(select(Observation))
    assert (figure.employee_id, figure.external_ref) == (company.agent.id, "ticket/35436")
    assert figure.provenance == "verified"
    assert db_session.get(SyncRun, figure.run_id).kind == "remap"


def test_a_sync_without_valid_credentials_is_refused(vendors, company, sleeps, db_session):
    with pytest.raises(ApiError) as refused:
        runs.sync_now("zendesk", now=NOW, sleep=sleeps)
    assert refused.value.code == "connector_not_ready"
    assert db_session.scalar(select(func.count()).select_from(SyncRun)) == 0


def test_satisfaction_ratings_become_the_agents_customer_ratings_of_service_attitude(vendors, company, sleeps,
                                                                                     db_session):
    from app.models import Rating
    from tests.support.company import open_month

    open_month(2026, 11)
    now = datetime(2026, 11, 12, 6, 0)  # 14:00 in Shanghai
    stamp = int(datetime(2026, 11, 11, 6, 0, tzinfo=UTC).timestamp())
    rated = [ticket(5001, "2026-11-10T02:00:00Z", stamp, status="solved", tags=("other_tag",)),
             ticket(5002, "2026-11-11T02:00:00Z", stamp + 1, status="solved", tags=("other_tag",))]
    rated[0] |= {"updated_at": "2026-11-10T05:00:00Z", "satisfaction_rating": {"id": 71, "score": "good"}}
    rated[1] |= {"updated_at": "2026-11-11T05:00:00Z", "satisfaction_rating": {"id": 72, "score": "bad"}}
    offered = ticket(5003, "2026-11-11T03:00:00Z", stamp + 2, tags=("other_tag",))
    offered["satisfaction_rating"] = {"id": 73, "score": "offered"}  # asked, not answered: no rating
    vendors.zendesk(tickets=[*rated, offered])
    admin.save_credentials("zendesk", LOGIN, admin_id=company.admin.id, sleep=sleeps)
    admin.map_identity("zendesk", AGENT, company.agent.id, date(2026, 1, 1), admin_id=company.admin.id, now=now)

    run = runs.sync_now("zendesk", now=now, sleep=sleeps)
    assert (run.counts["ratings"], run.counts["ratings_unplaced"]) == (2, 0)
    given = {(r.rater_kind, r.rater_ref, r.value) for r in db_session.scalars(select(Rating))}
    assert given == {("customer", "zendesk:71", Decimal(5)), ("customer", "zendesk:72", Decimal(1))}

    rated[1] |= {"generated_timestamp": stamp + 60, "satisfaction_rating": {"id": 72, "score": "good"}}
    vendors.zendesk(tickets=[rated[1]])  # the customer changed their mind
    runs.sync_now("zendesk", now=now, sleep=sleeps)
    assert {(r.rater_ref, r.value) for r in db_session.scalars(select(Rating))} == {
        ("zendesk:71", Decimal(5)), ("zendesk:72", Decimal(5))}
    assert db_session.scalar(select(AuditLog.action).where(AuditLog.entity == "rating")) == "rating.restated"
