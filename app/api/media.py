"""Screenshots by signed link: `/media/screenshots/<token>`, for `<image src>` in the mini-program
(which cannot send our Authorization header) and for WeChat's content check. The token is the
credential: made for one viewer, short-lived, checked and audited at every fetch
(app.services.observations.screenshots).
"""

from flask import Blueprint, Response

from app.services.observations import screenshots
from app.wechat.inbound import InboundMessage

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/screenshots/<token>")
def screenshot(token: str) -> Response:
    data, content_type = screenshots.open_link(token)
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "private, no-store"  # every view passes the check and the log
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


def media_verdict(message: InboundMessage) -> None:
    """The `wxa_media_check` event (v2: the verdict is `result.suggest`; wechatpy maps only v1)."""
    result = message.payload.get("result")
    suggest = str(result.get("suggest") or "") if isinstance(result, dict) else ""
    screenshots.record_verdict(str(message.payload.get("trace_id") or ""), suggest)
