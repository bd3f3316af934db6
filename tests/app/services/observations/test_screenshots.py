"""Screenshots behind the API (issue 20): WeChat's content check over real HTTP (the stand-in fetches
the image through its 30-minute link and pushes a signed verdict to our callback), OCR in a real RQ
worker checking the figures on the screen, and retention that leaves no file behind on either
storage backend."""

import io
from datetime import datetime

import boto3
import pytest
from moto.server import ThreadedMotoServer
from rq import Queue
from sqlalchemy import select

from app import jobs
from app.demo.screens import seller_screen
from app.models import AuditLog, OutboxMessage, ProgressEntry, Screenshot
from app.services.blobs import LocalStore, blob_store, store_from
from app.services.news import team_news
from app.services.observations import images
from app.services.org import retention
from app.standins.harness import ServedApp
from tests.app.api.test_mp_auth import signed
from tests.support.clock import utc
from tests.support.company import open_month, small_company
from tests.support.images import png_bytes
from tests.support.queues import run_queue

API = "/api/mp/v1"


@pytest.fixture
def company(app, clock, db_session):
    return small_company()


def upload(client, headers, data: bytes) -> dict:
    answer = client.post(f"{API}/screenshots", headers=headers, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(data), "shot.png")})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def submit(client, headers, day: str, sales: str, shots: list[int], key: str) -> int:
    body = {"day": day, "figures": {"ops_sales": {"numerator": sales}}, "screenshots": shots}
    answer = client.post(f"{API}/progress", json=body, headers={**headers, "Idempotency-Key": f"shots-key-{key}"})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["id"]


def signed_up(client, db_session, person) -> dict[str, str]:
    headers = signed(db_session, person)
    assert client.post(f"{API}/privacy", json={"version": "2026-12"}, headers=headers).status_code == 200
    return headers


def test_a_risky_verdict_hides_the_screenshot_and_tells_the_employee(
        app, client, company, db_session, standin, redis_client, monkeypatch):
    star = signed_up(client, db_session, company.star)
    risky, fine = png_bytes(seed=21), png_bytes(seed=22)
    served = ServedApp(app)
    try:
        monkeypatch.setitem(app.config, "PUBLIC_URL", served.url)
        standin.configure(callback_urls={"mp": f"{served.url}/wechat/callback/mp"},
                          media_verdicts={f"sha256:{images.clean(risky).sha256}": "risky"})
        bad, good = upload(client, star, risky), upload(client, star, fine)
        assert (bad["check_status"], good["check_status"]) == ("pending", "pending")
        assert len(run_queue(redis_client, jobs.DEFAULT)) == 2
        fetched = [r["fetched"] for r in standin.requests("/wxa/media_check_async")]
        assert fetched == [{"status": 200, "content_type": "image/png"}] * 2  # WeChat fetched both by link
        db_session.rollback()
        deliveries = standin.deliver()
    finally:
        served.stop()
    assert [d["status"] for d in deliveries] == [200, 200]

    db_session.rollback()
    assert db_session.get(Screenshot, bad["id"]).check_status == "risky"
    assert db_session.get(Screenshot, good["id"]).check_status == "pass"
    hidden = client.get(f"{API}/screenshots/{bad['id']}", headers=star).get_json()
    assert hidden["hidden"] is True and hidden["url"] is None
    (told,) = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "screenshot_hidden")).all()
    assert told.recipient_id == company.star.id and "未通过微信内容安全检测" in told.body
    checks = db_session.scalars(select(AuditLog.after).where(AuditLog.action == "screenshot.check")).all()
    assert sorted(a["status"] for a in checks) == ["pass", "risky"]
    wechat_views = db_session.scalars(select(AuditLog.source).where(AuditLog.action == "screenshot.view")).all()
    assert wechat_views == ["wechat_check", "wechat_check"]


def test_a_verdict_that_comes_before_its_trace_id_is_kept_and_applied(app, client, company, db_session,
                                                                      standin, redis_client):
    """With auto-delivery WeChat's push can beat our write of the trace id; it waits in Redis."""
    from app.services.observations import screenshots

    star = signed_up(client, db_session, company.star)
    shot = upload(client, star, png_bytes(seed=23))
    assert screenshots.record_verdict("trace-early", "risky") is None
    row = db_session.get(Screenshot, shot["id"])
    row.check_trace_id = "trace-early"
    db_session.commit()
    assert redis_client.get(screenshots.EARLY_VERDICT.format("trace-early")) == b"risky"
    assert screenshots.record_verdict("trace-early", "risky").check_status == "risky"


def test_ocr_reads_the_screen_and_marks_a_day_whose_figure_is_not_on_it(client, company, db_session, redis_client,
                                                                        clock):
    open_month(2026, 11)
    clock.now = utc(12, 1)  # 09:00 in Shanghai: the 11th can still be edited
    star = signed_up(client, db_session, company.star)
    screen = seller_screen("amazon", "2026-11-11", [("订购商品销售额", "$1,200.00"), ("买家访问次数", "3,456")], seed=1)
    shot = upload(client, star, screen)
    shown = submit(client, star, "2026-11-11", "1200", [shot["id"]], "ocr-1")
    other = upload(client, star, seller_screen("amazon", "2026-11-12", [("订购商品销售额", "$980.50")], seed=2))
    claimed_more = submit(client, star, "2026-11-12", "1500", [other["id"]], "ocr-2")
    db_session.rollback()
    assert db_session.get(Screenshot, shot["id"]).read_at is None  # the answer never waited for OCR
    assert db_session.get(ProgressEntry, shown).figure_check is None

    assert len(run_queue(redis_client, jobs.EVIDENCE)) == 2
    db_session.rollback()
    assert "1,200.00" in db_session.get(Screenshot, shot["id"]).text
    assert db_session.get(ProgressEntry, shown).figure_check == "seen"
    assert db_session.get(ProgressEntry, claimed_more).figure_check == "not_seen"
    news = team_news.progress_news(team_news.team_of(company.lead.id), datetime(2000, 1, 1), datetime(2100, 1, 1))
    assert [n.text().split("：")[1] for n in news if n.member.name == company.star.name] == [
        "已提交进展，截图1张", "已提交进展，截图1张（截图未见填报数字）"]

    fixed = submit(client, star, "2026-11-12", "980.5", [other["id"]], "ocr-3")  # the figure corrected: no OCR again
    db_session.rollback()
    assert fixed == claimed_more and db_session.get(ProgressEntry, fixed).figure_check == "seen"
    assert Queue(jobs.EVIDENCE, connection=redis_client).count == 0


@pytest.fixture(params=["local", "s3"])
def store(request, app, db_session, monkeypatch, tmp_path):
    """Each backend in turn as the app's blob store: a folder, and a bucket on moto's S3 server."""
    if request.param == "local":
        chosen = LocalStore(tmp_path / "uploads")
        monkeypatch.setitem(app.extensions, "blob_store", chosen)
        yield chosen
        return
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                            ("AWS_DEFAULT_REGION", "us-east-1")):
            monkeypatch.setenv(name, value)
        endpoint = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="jixiao-test")
        chosen = store_from("s3://jixiao-test/shots", endpoint)
        monkeypatch.setitem(app.extensions, "blob_store", chosen)
        yield chosen
    finally:
        server.stop()


def test_retention_leaves_no_file_behind(client, company, db_session, clock, store):
    open_month(2026, 11)
    trainee, star = signed_up(client, db_session, company.trainee), signed_up(client, db_session, company.star)
    shared = png_bytes(seed=31)
    theirs = upload(client, trainee, shared)
    own = upload(client, trainee, png_bytes(seed=32))
    entry = submit(client, trainee, "2026-11-12", "800", [theirs["id"], own["id"]], "ret-1")
    upload(client, star, shared)  # the star's copy of the same image shares its blob
    upload(client, star, png_bytes(seed=33))  # uploaded, never submitted
    clean = images.clean(shared)
    assert len(list(store.keys())) == 3 and store.get(clean.key) == clean.data

    retention.purge(company.trainee.id)
    db_session.rollback()
    assert db_session.scalars(select(Screenshot.owner_id)).all() == [company.star.id] * 2
    assert len(list(store.keys())) == 2  # the trainee's own file went; the shared one stays for the star
    scrubbed = db_session.scalars(select(AuditLog.after).where(AuditLog.entity == "progress_entry",
                                                               AuditLog.entity_id == entry)).all()
    assert scrubbed == [{"purged": True}]  # the note and figures left the audit log with the rows

    clock.advance(days=2)
    assert retention.expire_uploads(clock.now) == 2  # never attached to a day
    assert list(store.keys()) == [] and blob_store() is store
