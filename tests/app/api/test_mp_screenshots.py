"""Screenshots through the mini-program API (issue 20): the privacy notice first, uploads that are
refused without leaving anything behind, one blob per image, EXIF gone, the day's screenshots shown
through short-lived signed links to those allowed, every view and refusal in the audit log."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.models import AuditLog, ProgressEntry, Screenshot
from app.services.blobs import blob_store
from app.services.observations import images, privacy
from app.services.org import retention
from tests.app.api.test_mp_auth import signed
from tests.support.checksums import table_checksums
from tests.support.company import assessment_of, open_month, small_company
from tests.support.images import bomb_png, gif_bytes, image_bytes, png_bytes, truncated_png, zip_named_png

API = "/api/mp/v1"


@pytest.fixture
def company(app, clock, db_session):
    return small_company()


def upload(client, headers, data: bytes, name: str = "shot.png"):
    return client.post(f"{API}/screenshots", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def accept(client, headers) -> None:
    answer = client.post(f"{API}/privacy", json={"version": privacy.VERSION}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["accepted_at"], answer.get_json()


def blobs() -> list[str]:
    return list(blob_store().keys("screenshots/"))


def audit_actions(session, action: str) -> list[tuple[int | None, int | None]]:
    session.rollback()
    return [(row.actor_id, row.entity_id)
            for row in session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))]


def test_the_privacy_notice_comes_before_the_first_upload(client, company, db_session):
    star = signed(db_session, company.star)
    notice = client.get(f"{API}/privacy", headers=star).get_json()
    assert notice["accepted_at"] is None and notice["version"] == privacy.VERSION
    text = "".join(notice["paragraphs"])
    for point in ("买家姓名", "本人、你的上级主管和人力资源部", "微信进行内容安全检测", "离职后保存24个月"):
        assert point in text

    refused = upload(client, star, png_bytes())
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "privacy_not_accepted"
    assert "隐私说明" in refused.get_json()["error"]["message"]
    outdated = client.post(f"{API}/privacy", json={"version": "2020-01"}, headers=star)
    assert outdated.status_code == 409 and outdated.get_json()["error"]["code"] == "privacy_version_outdated"

    accept(client, star)
    assert upload(client, star, png_bytes()).status_code == 200
    assert audit_actions(db_session, "privacy.accept") == [(company.star.id, company.star.id)]


BAD_FILES = {
    "oversize": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(images.MAX_BYTES), 413, "file_too_large"),
    "zip_named_png": (zip_named_png, 415, "image_unsupported"),
    "gif": (gif_bytes, 415, "image_unsupported"),
    "truncated": (truncated_png, 422, "image_invalid"),
    "decompression_bomb": (bomb_png, 422, "image_too_large"),
    "empty": (lambda: b"", 422, "image_invalid"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_is_refused_in_chinese_and_leaves_nothing_behind(client, company, db_session, kind):
    star = signed(db_session, company.star)
    accept(client, star)
    make, status, code = BAD_FILES[kind]
    before, stored = table_checksums(db_session), blobs()
    answer = upload(client, star, make())
    error = answer.get_json()["error"]
    assert (answer.status_code, error["code"]) == (status, code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error
    db_session.rollback()
    assert table_checksums(db_session) == before and blobs() == stored


def test_a_form_without_a_file_and_a_json_body_are_refused(client, company, db_session):
    star = signed(db_session, company.star)
    accept(client, star)
    missing = client.post(f"{API}/screenshots", headers=star, content_type="multipart/form-data", data={"x": "1"})
    assert missing.status_code == 400 and missing.get_json()["error"]["code"] == "file_required"
    as_json = client.post(f"{API}/screenshots", headers=star, json={"file": "aGVsbG8="})
    assert as_json.status_code == 415 and as_json.get_json()["error"]["code"] == "upload_required"


def test_the_same_image_is_stored_once_and_exif_is_gone(client, company, db_session):
    open_month(2026, 11)
    star, lead = signed(db_session, company.star), signed(db_session, company.lead)
    accept(client, star)
    accept(client, lead)
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel-X"  # Model
    exif[0x8825] = {2: (31.0, 14.0, 0.0), 4: (121.0, 28.0, 0.0)}  # GPS latitude / longitude
    photo = image_bytes("JPEG", (120, 80), seed=7, exif=exif.tobytes())
    assert Image.open(io.BytesIO(photo)).getexif()

    first = upload(client, star, photo, "a.jpg").get_json()
    again = upload(client, star, photo, "a.jpg").get_json()
    assert again["id"] == first["id"]  # a retry before the day is submitted is the same upload
    (key,) = [k for k in blobs() if k.endswith(".jpg")]
    kept = Image.open(io.BytesIO(blob_store().get(key)))
    assert not kept.getexif() and "exif" not in kept.info and (kept.width, kept.height) == (120, 80)
    assert first["content_type"] == "image/jpeg" and first["check_status"] in ("pending", "unchecked")

    day = {"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "1200"}}, "screenshots": [first["id"]]}
    saved = client.post(f"{API}/progress", json=day, headers={**star, "Idempotency-Key": "shots-key-1"})
    assert saved.status_code == 200, saved.get_json()
    later = upload(client, star, photo, "a.jpg").get_json()  # the same picture for another day: a new row
    theirs = upload(client, lead, photo, "b.jpg").get_json()  # and someone else's copy
    assert len({first["id"], later["id"], theirs["id"]}) == 3
    assert [k for k in blobs() if k.endswith(".jpg")] == [key]  # one blob for all three


def test_the_days_screenshots_are_shown_by_signed_link_only_to_those_allowed(client, company, db_session, clock):
    november = open_month(2026, 11)
    star, lead, trainee = (signed(db_session, p) for p in (company.star, company.lead, company.trainee))
    hr = signed(db_session, company.hr)
    accept(client, star)
    shots = [upload(client, star, png_bytes(seed=s)).get_json()["id"] for s in (1, 2)]
    day = {"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "1200"}}, "screenshots": shots}
    saved = client.post(f"{API}/progress", json=day, headers={**star, "Idempotency-Key": "shots-key-2"})
    entry = saved.get_json()["id"]
    assert db_session.scalar(select(func.count()).where(Screenshot.progress_entry_id == entry)) == 2

    sheet = assessment_of(company.star, november).id
    (shown,) = client.get(f"{API}/assessments/{sheet}/days", headers=lead).get_json()["days"]
    assert [s["id"] for s in shown["screenshots"]] == shots and all(s["url"] for s in shown["screenshots"])
    url = shown["screenshots"][0]["url"]
    path = url[url.index("/media/"):]
    image = client.get(path)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(image.data)).size == (64, 48)
    assert audit_actions(db_session, "screenshot.view") == [(company.lead.id, shots[0])]

    assert client.get(f"{API}/screenshots/{shots[1]}", headers=hr).status_code == 200
    refused = client.get(f"{API}/screenshots/{shots[1]}", headers=trainee)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == "只有本人、其主管和HR可以查看该截图"
    assert audit_actions(db_session, "screenshot.view_refused") == [(company.trainee.id, shots[1])]
    assert client.get(f"{API}/screenshots/99999", headers=star).status_code == 404

    forged = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    assert client.get(forged).get_json()["error"]["code"] == "link_invalid"
    clock.advance(seconds=301)
    expired = client.get(path)
    assert expired.status_code == 410 and expired.get_json()["error"]["code"] == "link_expired"
    assert len(audit_actions(db_session, "screenshot.view")) == 1  # neither counted as a view


def test_a_day_takes_at_most_nine_and_only_the_persons_own(client, company, db_session):
    open_month(2026, 11)
    star, trainee = signed(db_session, company.star), signed(db_session, company.trainee)
    accept(client, trainee)
    theirs = upload(client, trainee, png_bytes(seed=5)).get_json()["id"]
    day = {"day": "2026-11-12", "figures": {"ops_sales": {"numerator": "1200"}}}
    smuggled = client.post(f"{API}/progress", json={**day, "screenshots": [theirs]},
                           headers={**star, "Idempotency-Key": "shots-key-3"})
    assert smuggled.status_code == 422 and smuggled.get_json()["error"]["code"] == "screenshot_invalid"
    too_many = client.post(f"{API}/progress", json={**day, "screenshots": list(range(1, 11))},
                           headers={**star, "Idempotency-Key": "shots-key-4"})
    assert too_many.status_code == 422 and "9张" in too_many.get_json()["error"]["message"]
    assert db_session.scalar(select(func.count()).select_from(ProgressEntry)) == 0


def test_a_link_is_checked_again_when_it_is_opened(client, company, db_session, clock):
    """A link made for the manager stops working once they no longer manage the person."""
    open_month(2026, 11)
    star, lead = signed(db_session, company.star), signed(db_session, company.lead)
    accept(client, star)
    shot = upload(client, star, png_bytes(seed=9)).get_json()["id"]
    url = client.get(f"{API}/screenshots/{shot}", headers=lead).get_json()["url"]
    db_session.get(type(company.star), company.star.id).manager_id = company.boss.id
    db_session.commit()
    clock.advance(seconds=10)
    refused = client.get(url[url.index("/media/"):])
    assert refused.status_code == 403
    assert audit_actions(db_session, "screenshot.view_refused") == [(company.lead.id, shot)]


def test_appeal_evidence_outlives_the_cleanup_of_uploads_never_submitted(client, world, db_session, clock):
    evidence = upload(client, world.b, png_bytes(seed=41)).get_json()["id"]
    abandoned = upload(client, world.b, png_bytes(seed=42)).get_json()["id"]
    claim = {"indicator": "ops_new_conversion", "claimed_value": "0.06", "reason": "见截图", "evidence": [evidence]}
    filed = client.post(f"{API}/reports/{world.ids['report']}/appeals", json=claim,
                        headers={**world.b, "Idempotency-Key": "evid-key-1"})
    assert filed.status_code == 200, filed.get_json()
    clock.advance(days=2)
    assert retention.expire_uploads(clock.now) == 1
    db_session.rollback()
    assert db_session.get(Screenshot, abandoned) is None and db_session.get(Screenshot, evidence) is not None
    assert client.get(f"{API}/screenshots/{evidence}", headers=world.lead).status_code == 200
