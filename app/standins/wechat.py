"""A local WeChat: the mini-program, WeCom and official-account APIs the product uses, on their real paths.

Serve it and point WECHAT_API_BASE and WECOM_API_BASE at it (both hosts' paths are disjoint, so
one server plays both). It answers like WeChat — `{errcode, errmsg}` with HTTP 200 — for the codes
we handle: 40001/42001 tokens, 40029 login code, 43101 no quota, 45009 rate limit, 45015 reply
window, 47003 bad field, 60020 untrusted IP, 81013 nobody valid. Test controls live under
`/_standin/` (see wechat_control.py); `app.standins.harness` runs it in a thread for tests.

    python -m app.standins.wechat --port 8001 --callback-url http://127.0.0.1:8000/wechat/callback/mp
"""

import argparse
import hashlib
import secrets

import requests
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from app.standins.wechat_control import bp as control_bp
from app.standins.wechat_control import start_auto_delivery
from app.standins.wechat_push import media_check_event
from app.standins.wechat_state import (
    StandinError,
    StandinState,
    Switches,
    invalid_field,
)

bp = Blueprint("wechat_standin", __name__)


def create_wechat_standin(accounts: dict | None = None, switches: Switches | None = None) -> Flask:
    """The stand-in as a Flask app; its state is `app.extensions["wechat_standin"]`."""
    app = Flask("wechat_standin")
    app.extensions["wechat_standin"] = StandinState(accounts, switches)
    app.register_blueprint(bp)
    app.register_blueprint(control_bp)
    return app


def _state() -> StandinState:
    return current_app.extensions["wechat_standin"]


def _ok(**fields):
    return jsonify({"errcode": 0, "errmsg": "ok", **fields})


@bp.app_errorhandler(StandinError)
def _wechat_error(err: StandinError):
    if err.http_status:
        return Response("<html><body>upstream failure</body></html>", status=err.http_status, mimetype="text/html")
    return jsonify({"errcode": err.errcode, "errmsg": err.errmsg})


@bp.before_app_request
def _record_and_script():
    """Record every API call (not the controls); a scripted error for the path answers instead."""
    if request.path.startswith("/_standin"):
        return None
    state = _state()
    with state.lock:
        body = request.get_json(force=True, silent=True)
        g.body = body if isinstance(body, dict) else {}
        g.entry = {
            "seq": len(state.requests) + 1, "method": request.method, "path": request.path,
            "args": request.args.to_dict(), "json": g.body, "at": state.now(),
        }
        state.requests.append(g.entry)
        scripted = state.scripted(request.path)
    if scripted is not None:
        raise scripted
    return None


@bp.after_app_request
def _record_answer(response):
    entry = g.get("entry")
    if entry is not None and response.is_json:
        entry["errcode"] = (response.get_json(silent=True) or {}).get("errcode", 0)
    return response


def _check_app_secret(appid: str, secret: str, channels=("mp", "oa")):
    account = _state().account_by_appid(appid, channels)
    if account is None:
        raise StandinError(40013)
    if secret != account.secret:
        raise StandinError(40125)
    return account


# --- tokens ---------------------------------------------------------------------------------------
@bp.get("/cgi-bin/token")
def token():
    """The old endpoint: every call issues a new token and invalidates the previous one."""
    state = _state()
    with state.lock:
        account = _check_app_secret(request.args.get("appid", ""), request.args.get("secret", ""))
        issued = state.issue_token(account, "token", reuse=False)
    return jsonify({"access_token": issued.value, "expires_in": round(issued.expires_at - state.now())})


@bp.post("/cgi-bin/stable_token")
def stable_token():
    """Same token for every caller while it lives; `force_refresh` replaces it."""
    state, body = _state(), g.body
    with state.lock:
        account = _check_app_secret(body.get("appid", ""), body.get("secret", ""))
        issued = state.issue_token(account, "stable", reuse=not body.get("force_refresh"))
    return jsonify({"access_token": issued.value, "expires_in": round(issued.expires_at - state.now())})


@bp.get("/cgi-bin/gettoken")
def wecom_token():
    state = _state()
    with state.lock:
        account = state.accounts["wecom"]
        if request.args.get("corpid") != account.appid:
            raise StandinError(40013)
        if request.args.get("corpsecret") != account.secret:
            raise StandinError(40001)
        issued = state.issue_token(account, "wecom", reuse=True)
    return _ok(access_token=issued.value, expires_in=round(issued.expires_at - state.now()))


def _authorized(*channels: str):
    """Token first, then the per-route rate limit, as WeChat checks them."""
    state = _state()
    account = state.check_token(request.args.get("access_token"), channels)
    if account.channel == "wecom" and state.switches.wecom_untrusted_ip:
        raise StandinError(60020, f"from ip: {request.remote_addr}")
    state.count_call(request.path)
    return account


# --- mini-program ---------------------------------------------------------------------------------
@bp.get("/sns/jscode2session")
def jscode2session():
    state = _state()
    with state.lock:
        _check_app_secret(request.args.get("appid", ""), request.args.get("secret", ""), channels=("mp",))
        return jsonify(state.login(request.args.get("js_code", "")))


@bp.post("/cgi-bin/message/subscribe/send")
def subscribe_send():
    state, body = _state(), g.body
    with state.lock:
        _authorized("mp")
        bad = invalid_field(body.get("data"))
        if bad:
            raise StandinError(47003, f"{bad} invalid")
        state.take_quota(body.get("touser", ""), body.get("template_id", ""))
    return _ok(msgid=secrets.randbits(40))


@bp.post("/wxa/media_check_async")
def media_check_async():
    """v2 only: answer a trace_id now, push the verdict to the mini-program callback later. Like
    WeChat, it fetches the image from `media_url` (when a verdict is keyed by content): a verdict
    is looked up by URL, then by "sha256:<hex>" of what was fetched; an image it could not fetch
    is judged "review"."""
    state, body = _state(), g.body
    with state.lock:
        account = _authorized("mp")
        if body.get("version") != 2 or not body.get("openid") or not body.get("media_url"):
            raise StandinError(47001, "data format error (v2 needs version, openid, media_url)")
        verdicts = dict(state.switches.media_verdicts)
    verdict = verdicts.get(body["media_url"]) or _verdict_by_content(body["media_url"], verdicts)
    with state.lock:
        trace_id = secrets.token_hex(16)
        xml = media_check_event(account, body["openid"], trace_id, verdict, state.now())
        state.pending_pushes.append({"channel": "mp", "plaintext": xml, "mode": "aes"})
        state.push_ready.set()
    return _ok(trace_id=trace_id)


def _verdict_by_content(url: str, verdicts: dict) -> str:
    if not any(key.startswith("sha256:") for key in verdicts):
        return "pass"
    try:
        fetched = requests.get(url, timeout=5)
    except requests.RequestException:
        return "review"
    if fetched.status_code != 200:
        return "review"
    g.entry["fetched"] = {"status": fetched.status_code, "content_type": fetched.headers.get("Content-Type")}
    return verdicts.get("sha256:" + hashlib.sha256(fetched.content).hexdigest(), "pass")


# --- official account -----------------------------------------------------------------------------
@bp.post("/cgi-bin/message/custom/send")
def custom_send():
    state, body = _state(), g.body
    with state.lock:
        _authorized("oa")
        state.take_reply_slot(body.get("touser", ""))
    return _ok()


@bp.post("/cgi-bin/message/template/send")
def template_send():
    state, body = _state(), g.body
    with state.lock:
        _authorized("oa")
        bad = invalid_field(body.get("data"), typed_only=True)
        if bad:
            raise StandinError(47003, f"{bad} invalid")
    return _ok(msgid=secrets.randbits(40))


# --- WeCom ----------------------------------------------------------------------------------------
@bp.post("/cgi-bin/message/send")
def wecom_send():
    """Unknown members come back in `invaliduser`; if nobody is valid the whole send fails (81013)."""
    state, body = _state(), g.body
    with state.lock:
        account = _authorized("wecom")
        if str(body.get("agentid")) != account.agent_id:
            raise StandinError(40056, "invalid agentid")
        wanted = [user for user in str(body.get("touser", "")).split("|") if user]
        known = lambda user: state.switches.any_wecom_user or user in state.users or user == "@all"  # noqa: E731
        invalid = [user for user in wanted if not known(user)]
        if len(invalid) == len(wanted) and not body.get("toparty") and not body.get("totag"):
            raise StandinError(81013)
    return _ok(invaliduser="|".join(invalid), invalidparty="", invalidtag="", msgid=secrets.token_hex(8))


@bp.get("/cgi-bin/user/get")
def wecom_user():
    state = _state()
    with state.lock:
        _authorized("wecom")
        userid = request.args.get("userid", "")
        user = state.users.get(userid) or ({"name": userid} if state.switches.any_wecom_user else None)
        if user is None:
            raise StandinError(60111)
    return _ok(userid=userid, **user)


def standin_command(python: str, host: str, port: int, callback_base: str) -> list[str]:
    """How `make run` starts the stand-in: pushes go to our three callback routes."""
    return [
        python, "-m", "app.standins.wechat", "--host", host, "--port", str(port),
        "--callback-url", f"{callback_base}/wechat/callback/mp",
        "--oa-callback-url", f"{callback_base}/wechat/callback/oa",
        "--wecom-callback-url", f"{callback_base}/wechat/callback/wecom",
    ]


def main(argv=None) -> None:
    """`make run`: the stand-in in the foreground, lenient for a person clicking around."""
    parser = argparse.ArgumentParser(prog="python -m app.standins.wechat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port (printed)")
    parser.add_argument("--callback-url", help="our mini-program callback (media-check results go there)")
    parser.add_argument("--oa-callback-url")
    parser.add_argument("--wecom-callback-url")
    parser.add_argument("--strict", action="store_true", help="no dev codes, quotas or WeCom members for free")
    args = parser.parse_args(argv)
    lenient = not args.strict
    urls = {"mp": args.callback_url, "oa": args.oa_callback_url, "wecom": args.wecom_callback_url}
    switches = Switches(
        dev_codes=lenient, unlimited_quota=lenient, any_wecom_user=lenient,
        callback_urls={channel: url for channel, url in urls.items() if url},
    )
    app = create_wechat_standin(switches=switches)
    start_auto_delivery(app.extensions["wechat_standin"])
    from werkzeug.serving import make_server

    server = make_server(args.host, args.port, app, threaded=True)
    print(f"WeChat stand-in on http://{args.host}:{server.server_port}", flush=True)  # bound: ready
    server.serve_forever()


if __name__ == "__main__":
    main()
