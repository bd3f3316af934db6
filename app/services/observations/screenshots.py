"""Screenshots as evidence (截图): upload, who may see them, WeChat's content check, and what OCR
reads on them.

- Upload (`upload`): after the privacy notice is accepted; the image is cleaned (images.py), its
  blob stored by content hash, and a row made for the person; a same-image retry before the day is
  submitted gets the same row. The day's submission attaches up to 9 (`attach`).
- Viewing: only through short-lived signed links (`link`, 5 minutes), made for one viewer who may see
  the person's screenshots (the person, their managers, HR); each fetch is checked again and
  audited, and so is each refusal.
- WeChat's content check (`request_check`, a job): WeChat fetches the image from a link valid for
  its 30-minute window and pushes its verdict later (`record_verdict`); a risky image is hidden and
  its owner told why. A verdict that arrives before its trace id was saved waits in Redis.
- OCR (`read`, a job on its own queue): the text is kept with the screenshot, and the day's entry
  is marked 截图未见填报数字 when none of its claimed figures is on any of its screenshots.
"""

import logging
from datetime import UTC, datetime, timedelta

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update

from app import jobs
from app.domain.screen_figures import NOT_SEEN, Claim, figure_check
from app.errors import ApiError
from app.extensions import db, redis_store
from app.models import Indicator, Observation, ProgressEntry, Screenshot, WeChatIdentity
from app.services import audit
from app.services.authz import Action, Actor, Subject, actor, require
from app.services.blobs import BlobMissing, blob_store
from app.services.business_time import clock_now
from app.services.notify import outbox
from app.services.observations import images, ocr, privacy
from app.services.usecase import JsonDict, get_or_404, use_case
from app.wechat.clients import mini_program
from app.wechat.errors import NotConfigured

logger = logging.getLogger(__name__)

PER_DAY = 9
VIEW_SECONDS = 300  # a viewer's link: long enough to open, too short to pass around
CHECK_SECONDS = 1800  # WeChat may fetch the image any time in its 30-minute window
SALT = "screenshot-link"
HIDDEN = "risky"
VERDICTS = {"pass": "pass", "risky": "risky", "review": "review"}
EARLY_VERDICT = "jixiao:media-verdict:{}"  # a verdict that came before its trace id was saved
EARLY_VERDICT_SECONDS = 3600
FLAG_ZH = "截图未见填报数字"


# --- upload and attach ------------------------------------------------------------------------

@use_case
def upload(employee_id: int, data: bytes, who: Actor) -> tuple[Screenshot, bool]:
    """Keep one uploaded image for the person; (row, whether it is new). Nothing is written when
    the image is refused."""
    require(who, Action.SUBMIT_PROGRESS, Subject(employee_id))
    privacy.require_accepted(employee_id)
    image = images.clean(data)
    again = db.session.scalar(select(Screenshot).where(
        Screenshot.owner_id == employee_id, Screenshot.sha256 == image.sha256, Screenshot.progress_entry_id.is_(None),
        Screenshot.deleted_at.is_(None)).limit(1))
    if again is not None:
        return again, False
    store = blob_store()
    if not store.exists(image.key):
        store.put(image.key, image.data, image.content_type)
    shot = Screenshot(owner_id=employee_id, storage_key=image.key, sha256=image.sha256, content_type=image.content_type,
                      width=image.width, height=image.height, size_bytes=len(image.data), check_status="pending",
                      uploaded_at=clock_now())
    db.session.add(shot)
    db.session.flush()
    audit.record("screenshot.upload", "screenshot", shot.id, actor_id=who.person_id,
                 after={"sha256": image.sha256, "size_bytes": len(image.data), "content_type": image.content_type})
    db.session.commit()
    jobs.enqueue(jobs.CHECK_SCREENSHOT, shot.id)
    jobs.enqueue(jobs.READ_SCREENSHOT, shot.id)
    return shot, True


def attach(entry: ProgressEntry, ids: list[int]) -> list[int]:
    """Make `ids` the day's screenshots, in the caller's transaction; those dropped go back to
    being unattached (retention removes them a day later)."""
    if len(ids) > PER_DAY:
        raise ApiError("too_many_screenshots", f"每天最多上传{PER_DAY}张截图", 422, {"screenshots": len(ids)})
    wanted = set(ids)
    usable = set(db.session.scalars(select(Screenshot.id).where(
        Screenshot.id.in_(wanted), Screenshot.owner_id == entry.employee_id, Screenshot.deleted_at.is_(None),
        (Screenshot.progress_entry_id.is_(None)) | (Screenshot.progress_entry_id == entry.id)))) if wanted else set()
    if usable != wanted:
        raise ApiError("screenshot_invalid", "截图不存在、已删除或属于其他日期，请重新上传", 422,
                       {"screenshots": sorted(wanted - usable)})
    db.session.execute(update(Screenshot).where(Screenshot.progress_entry_id == entry.id, Screenshot.id.not_in(wanted))
                       .values(progress_entry_id=None))
    if wanted:
        db.session.execute(update(Screenshot).where(Screenshot.id.in_(wanted)).values(progress_entry_id=entry.id))
    return sorted(wanted)


def of_entries(entry_ids: list[int]) -> dict[int, list[Screenshot]]:
    """Each entry's screenshots (not deleted), in upload order."""
    found: dict[int, list[Screenshot]] = {}
    if entry_ids:
        for shot in db.session.scalars(select(Screenshot).where(
                Screenshot.progress_entry_id.in_(entry_ids), Screenshot.deleted_at.is_(None)).order_by(Screenshot.id)):
            found.setdefault(shot.progress_entry_id or 0, []).append(shot)
    return found


# --- viewing ----------------------------------------------------------------------------------

class _ClockSigner(TimestampSigner):
    """Links age by the business clock, so a test (or a replay) controls when they expire."""

    def get_timestamp(self) -> int:
        return int(clock_now().replace(tzinfo=UTC).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner)


def _base_url() -> str:
    configured: str = current_app.config.get("PUBLIC_URL") or ""
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return f"http://127.0.0.1:{current_app.config.get('PORT', 8000)}"


def link(shot: Screenshot, viewer_id: int | None) -> tuple[str, datetime]:
    """A URL that shows the image to `viewer_id` for VIEW_SECONDS (None: WeChat's content check,
    for CHECK_SECONDS); with when it stops working."""
    token = _serializer().dumps({"s": shot.id, "v": viewer_id})
    seconds = CHECK_SECONDS if viewer_id is None else VIEW_SECONDS
    return f"{_base_url()}/media/screenshots/{token}", clock_now() + timedelta(seconds=seconds)


def described(shot: Screenshot, viewer_id: int | None) -> JsonDict:
    """What a page shows of one screenshot: a fresh link for the viewer (None when hidden or not
    theirs to see), its size and the content check's status."""
    url, until = link(shot, viewer_id) if viewer_id is not None and shot.check_status != HIDDEN else (None, None)
    return {"id": shot.id, "url": url, "url_expires_at": until.isoformat(timespec="seconds") + "Z" if until else None,
            "content_type": shot.content_type, "width": shot.width, "height": shot.height,
            "size_bytes": shot.size_bytes, "check_status": shot.check_status, "hidden": shot.check_status == HIDDEN,
            "progress_entry_id": shot.progress_entry_id}


@use_case
def viewable(screenshot_id: int, who: Actor) -> Screenshot:
    """The screenshot, if `who` may see it; a refusal is audited (and committed) before it is raised."""
    shot = get_or_404(Screenshot, screenshot_id, "截图")
    if shot.deleted_at is not None:
        raise ApiError("not_found", "找不到该截图", 404)
    try:
        require(who, Action.VIEW_SCREENSHOT, Subject(shot.owner_id))
    except ApiError:
        _refused(shot, who.person_id)
        raise
    return shot


@use_case
def open_link(token: str) -> tuple[bytes, str]:
    """The image a link names, as (bytes, content type), checked and audited at every fetch."""
    try:
        claims, signed_at = _serializer().loads(token, max_age=CHECK_SECONDS, return_timestamp=True)
    except SignatureExpired:
        raise _expired() from None
    except BadSignature:
        raise ApiError("link_invalid", "图片链接无效", 404) from None
    viewer = claims.get("v")
    if viewer is not None and (clock_now() - signed_at.replace(tzinfo=None)).total_seconds() > VIEW_SECONDS:
        raise _expired()
    shot = db.session.get(Screenshot, claims.get("s"))
    if shot is None or shot.deleted_at is not None:
        raise ApiError("screenshot_gone", "该截图已删除", 410)
    if viewer is not None:
        try:
            require(actor(viewer), Action.VIEW_SCREENSHOT, Subject(shot.owner_id))
        except ApiError:
            _refused(shot, viewer)
            raise
    if shot.check_status == HIDDEN:
        raise ApiError("screenshot_hidden", "该截图未通过微信内容安全检测，已隐藏", 451)
    try:
        data = blob_store().get(shot.storage_key)
    except BlobMissing:
        raise ApiError("screenshot_gone", "该截图已删除", 410) from None
    audit.record("screenshot.view", "screenshot", shot.id, actor_id=viewer, source="mp" if viewer else "wechat_check")
    db.session.commit()
    return data, shot.content_type


def _expired() -> ApiError:
    return ApiError("link_expired", "图片链接已过期，请返回上一页重新打开", 410)


def _refused(shot: Screenshot, viewer_id: int | None) -> None:
    audit.record("screenshot.view_refused", "screenshot", shot.id, actor_id=viewer_id,
                 after={"owner_id": shot.owner_id})
    db.session.commit()


# --- WeChat's content check -------------------------------------------------------------------

@use_case
def request_check(screenshot_id: int) -> str:
    """Ask WeChat to check one image (a job; RQ retries it when WeChat is unreachable); returns the
    status it left. Without a mini-program account or a bound openid the image stays unchecked."""
    shot = db.session.get(Screenshot, screenshot_id)
    if shot is None or shot.deleted_at is not None or shot.check_status != "pending" or shot.check_trace_id:
        return str(shot.check_status) if shot else "gone"
    openid = db.session.scalar(select(WeChatIdentity.external_id).where(
        WeChatIdentity.employee_id == shot.owner_id, WeChatIdentity.channel == "mp").limit(1))
    url, _ = link(shot, None)
    db.session.commit()  # no transaction open while WeChat fetches the image from us
    try:
        if openid is None:
            raise NotConfigured(None, "the owner has no mini-program binding")
        trace_id = mini_program().check_media_async(url, openid)
    except NotConfigured as exc:
        logger.info("screenshot %s not checked: %s", screenshot_id, exc)
        return _set_status(screenshot_id, "unchecked")
    shot = db.session.get(Screenshot, screenshot_id)
    assert shot is not None, "rows are only deleted by retention, long after their check"
    shot.check_trace_id = trace_id
    db.session.commit()
    early = redis_store.client.get(EARLY_VERDICT.format(trace_id))
    if early is not None:
        record_verdict(trace_id, early.decode() if isinstance(early, bytes) else str(early))
    return db.session.get(Screenshot, screenshot_id).check_status  # type: ignore[union-attr]


def _set_status(screenshot_id: int, status: str) -> str:
    db.session.execute(update(Screenshot).where(Screenshot.id == screenshot_id).values(check_status=status))
    db.session.commit()
    return status


@use_case
def record_verdict(trace_id: str, suggest: str) -> Screenshot | None:
    """WeChat's verdict (`wxa_media_check`, v2 `result.suggest`). A risky image is hidden, its owner
    told, and its day's figure check done again without it."""
    shot = db.session.scalar(select(Screenshot).where(Screenshot.check_trace_id == trace_id)) if trace_id else None
    if shot is None:
        if trace_id:
            redis_store.client.set(EARLY_VERDICT.format(trace_id), suggest, ex=EARLY_VERDICT_SECONDS)
        return None
    status = VERDICTS.get(suggest, "review")
    if shot.check_status == status:
        return shot
    before, now = shot.check_status, clock_now()
    shot.check_status, shot.checked_at = status, now
    audit.record("screenshot.check", "screenshot", shot.id, source="wechat", before={"status": before},
                 after={"status": status, "trace_id": trace_id})
    if status == HIDDEN:
        _tell_hidden(shot, now)
        if shot.progress_entry_id:
            refresh_figure_check(shot.progress_entry_id)
    db.session.commit()
    return shot


def _tell_hidden(shot: Screenshot, now: datetime) -> None:
    entry = db.session.get(ProgressEntry, shot.progress_entry_id) if shot.progress_entry_id else None
    day = f"{entry.day.month}月{entry.day.day}日" if entry else f"{shot.uploaded_at:%m月%d日}上传"
    body = (f"你{day}的一张截图未通过微信内容安全检测，已被隐藏，主管和HR也看不到。"
            "如截图含有买家姓名、电话等信息，请遮挡后重新上传。")
    data = {"screenshot_id": shot.id, "assessment_id": entry.assessment_id if entry else None}
    outbox.enqueue(shot.owner_id, "screenshot_hidden", title="截图已隐藏", summary="截图未通过内容安全检测",
                   body=body, dedupe_key=f"screenshot-hidden:{shot.id}", now=now, data=data)


# --- OCR and the figure check -----------------------------------------------------------------

@use_case
def read(screenshot_id: int) -> str | None:
    """Read one screenshot's text (a job), keep it, and check its day's figures when it was the
    last of the day's screenshots to be read; returns the text (None when the image is gone)."""
    shot = db.session.get(Screenshot, screenshot_id)
    if shot is None or shot.deleted_at is not None:
        return None
    if shot.read_at is None:
        try:
            data = blob_store().get(shot.storage_key)
        except BlobMissing:
            return None
        db.session.commit()  # no transaction held through a second of OCR
        text = ocr.read_text(data)
        shot = db.session.get(Screenshot, screenshot_id)
        if shot is None:
            return None
        shot.text, shot.read_at = text, clock_now()
    if shot.progress_entry_id:
        refresh_figure_check(shot.progress_entry_id)
    db.session.commit()
    return shot.text


def refresh_figure_check(entry_id: int) -> str | None:
    """Set the entry's figure check from its visible screenshots, in the caller's transaction:
    unknown (None) while any is still unread."""
    entry = db.session.get(ProgressEntry, entry_id)
    if entry is None:
        return None
    shots = db.session.execute(select(Screenshot.text, Screenshot.read_at).where(
        Screenshot.progress_entry_id == entry_id, Screenshot.deleted_at.is_(None),
        Screenshot.check_status != HIDDEN)).all()
    claims = [Claim(numerator, denominator, display == "percent") for numerator, denominator, display in
              db.session.execute(select(Observation.numerator, Observation.denominator, Indicator.display)
                                 .join(Indicator, Indicator.code == Observation.indicator_code)
                                 .where(Observation.progress_entry_id == entry_id))]
    unread = any(read_at is None for _, read_at in shots)
    result = None if unread else figure_check(claims, [text or "" for text, _ in shots])
    if entry.figure_check != result:
        before = entry.figure_check
        entry.figure_check = result
        if NOT_SEEN in (before, result):
            audit.record("progress.figure_check", "progress_entry", entry.id, source="ocr",
                         before={"figure_check": before}, after={"figure_check": result})
    return result


def flagged(entry_ids: list[int]) -> set[int]:
    """The entries marked 截图未见填报数字 among `entry_ids`."""
    if not entry_ids:
        return set()
    return set(db.session.scalars(select(ProgressEntry.id).where(
        ProgressEntry.id.in_(entry_ids), ProgressEntry.figure_check == NOT_SEEN)))


def unreferenced(keys: set[str]) -> set[str]:
    """The blob keys no remaining screenshot row points at: safe to delete."""
    if not keys:
        return set()
    return keys - set(db.session.scalars(select(Screenshot.storage_key).where(Screenshot.storage_key.in_(keys))))
