"""The stand-in's test controls under `/_standin/`: read what it received, set up users, quotas and
errors, move its clock, and push messages or events to our callbacks.

Pushes are queued and sent by `POST /_standin/deliver` (tests: deterministic, no waiting) or, under
`make run`, by a background thread as soon as they are queued.
"""

import threading

from flask import Blueprint, abort, current_app, jsonify, request

from app.standins.wechat_push import deliver, sign_push, user_message
from app.standins.wechat_state import StandinState, Switches

bp = Blueprint("wechat_standin_control", __name__, url_prefix="/_standin")


def _state() -> StandinState:
    return current_app.extensions["wechat_standin"]


def _body() -> dict:
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else {}


@bp.get("/requests")
def requests_received():
    """Every API call so far, oldest first; `?path=` keeps one route."""
    state, path = _state(), request.args.get("path")
    with state.lock:
        found = [entry for entry in state.requests if path is None or entry["path"] == path]
    return jsonify({"requests": found})


@bp.post("/reset")
def reset():
    _state().reset()
    return jsonify({"ok": True})


@bp.post("/script")
def script():
    """Answer the next `times` calls of `path` with `errcode`, or with a bare HTTP `http_status`
    (a gateway failure), before any other check."""
    body, state = _body(), _state()
    http_status = body.get("http_status")
    if not body.get("path") or not (isinstance(body.get("errcode"), int) or isinstance(http_status, int)):
        abort(400)
    with state.lock:
        for _ in range(int(body.get("times", 1))):
            state.scripts[body["path"]].append((body.get("errcode") or -1, body.get("errmsg"), http_status))
    return jsonify({"ok": True})


@bp.post("/grants")
def grants():
    """The user accepted `count` subscriptions of a template (each buys one send)."""
    body, state = _body(), _state()
    with state.lock:
        state.grants[(body["openid"], body["template_id"])] += int(body.get("count", 1))
    return jsonify({"ok": True})


@bp.post("/codes")
def codes():
    """A `wx.login()` code that jscode2session will accept once."""
    body, state = _body(), _state()
    answer = {"openid": body["openid"], "session_key": body.get("session_key", "c2Vzc2lvbmtleQ==")}
    if body.get("unionid"):
        answer["unionid"] = body["unionid"]
    with state.lock:
        state.codes[body["code"]] = answer
    return jsonify({"ok": True})


@bp.post("/users")
def users():
    """A WeCom member in the app's visible range."""
    body, state = _body(), _state()
    with state.lock:
        state.users[body["userid"]] = {key: value for key, value in body.items() if key != "userid"}
    return jsonify({"ok": True})


@bp.post("/interactions")
def interactions():
    """The user wrote to the official account: a 48-hour customer-service window opens."""
    state = _state()
    with state.lock:
        state.interact(_body()["openid"])
    return jsonify({"ok": True})


@bp.post("/config")
def config():
    """Flip switches (`wecom_untrusted_ip`, `rate_limits`, `media_verdicts`, `callback_urls`, …)."""
    body, state = _body(), _state()
    unknown = set(body) - set(vars(Switches()))
    if unknown:
        abort(400)
    with state.lock:
        for key, value in body.items():
            setattr(state.switches, key, value)
    return jsonify({"ok": True})


@bp.post("/clock")
def clock():
    """Move WeChat's clock forward (token expiry, reply windows, rate limits) without sleeping."""
    state = _state()
    with state.lock:
        state.offset += float(_body().get("advance", 0))
    return jsonify({"now": state.now()})


@bp.post("/tokens")
def tokens():
    """`{"action": "expire"}` → next use answers 42001; `"revoke"` → 40001."""
    state = _state()
    with state.lock:
        state.expire_tokens(revoke=_body().get("action") == "revoke")
    return jsonify({"ok": True})


@bp.post("/push")
def push():
    """Queue a user's message or event for one channel's callback (default 安全模式)."""
    body, state = _body(), _state()
    channel = body.get("channel", "mp")
    with state.lock:
        account = state.accounts[channel]
        xml = user_message(
            account, body["sender"], state.now(), body.get("msg_type", "text"), body.get("content"),
            body.get("event"), body.get("extra"),
        )
        if channel == "oa" and _opens_window(body.get("msg_type", "text"), body.get("event")):
            state.interact(body["sender"])
        state.pending_pushes.append({"channel": channel, "plaintext": xml, "mode": body.get("mode", "aes")})
        state.push_ready.set()
    return jsonify({"queued": len(state.pending_pushes), "plaintext": xml})


def _opens_window(msg_type: str, event: str | None) -> bool:
    """What opens a customer-service window: a message, a menu tap, following, a QR scan."""
    return msg_type != "event" or (event or "").lower() in {"click", "subscribe", "scan"}


@bp.post("/deliver")
def deliver_now():
    """Send every queued push now and answer with what our callbacks replied."""
    return jsonify({"deliveries": deliver_pending(_state())})


@bp.get("/deliveries")
def deliveries():
    state = _state()
    with state.lock:
        return jsonify({"deliveries": list(state.deliveries)})


def deliver_pending(state: StandinState) -> list[dict]:
    """Sign at send time (fresh timestamp) and POST outside the lock: our callback may call back in."""
    with state.lock:
        pending, state.pending_pushes = state.pending_pushes, []
        jobs = []
        for item in pending:
            account = state.accounts[item["channel"]]
            query, body = sign_push(account, item["plaintext"], state.now(), item["mode"])
            jobs.append((account, state.switches.callback_urls.get(item["channel"]), query, body))
    results = []
    for account, url, query, body in jobs:
        if not url:
            results.append({"channel": account.channel, "url": None, "status": None, "body": "no callback URL"})
            continue
        results.append(deliver(account, url, query, body))
    with state.lock:
        state.deliveries.extend(results)
    return results


def start_auto_delivery(state: StandinState) -> threading.Thread:
    """`make run`: deliver pushes as they are queued, like WeChat does."""

    def loop():
        while True:
            state.push_ready.wait()
            state.push_ready.clear()
            deliver_pending(state)

    thread = threading.Thread(target=loop, name="wechat-standin-push", daemon=True)
    thread.start()
    return thread
