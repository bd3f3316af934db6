"""WeChat callbacks: `/wechat/callback/<mp|wecom|oa>`, GET for URL verification, POST for pushes.

Thin on purpose: all checking lives in `app.wechat.callbacks`, the one gate for the three channels.
"""

from flask import Blueprint, Response, request

from app.api.limits import body_limit
from app.wechat import callbacks

bp = Blueprint("wechat", __name__, url_prefix="/wechat")
CHANNEL = "<any(mp, wecom, oa):channel>"


@bp.get(f"/callback/{CHANNEL}")
def verify_url(channel: str):
    """WeChat checks a callback URL when it is saved in its console: answer the echo."""
    return Response(callbacks.verify_url(channel, request.args), mimetype="text/plain")


@bp.post(f"/callback/{CHANNEL}")
@body_limit(callbacks.MAX_BODY_BYTES)
def receive(channel: str):
    """A message or event pushed by WeChat; answered with "success" or a passive reply."""
    body, mimetype = callbacks.receive(channel, request.args, request.get_data(cache=False))
    return Response(body, mimetype=mimetype)
