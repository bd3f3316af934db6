"""Run a stand-in (or our own app) on a free port in a background thread, and drive it over HTTP.

For tests: real sockets and real HTTP, no mocks of our code.

    standin = RunningStandin.start()
    standin.grant("openid-1", "TPL", count=1)
    ... point WECHAT_API_BASE / WECOM_API_BASE at standin.url, call our clients ...
    assert standin.count("/cgi-bin/stable_token") == 1
    standin.stop()
"""

import threading

import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from app.standins.vendors import create_vendor_standin
from app.standins.wechat import create_wechat_standin
from app.standins.wechat_state import Switches


class _QuietHandler(WSGIRequestHandler):
    """No access log per request: tests assert on recorded requests, not on stderr."""

    def log_request(self, *args, **kwargs):
        pass


class ServedApp:
    """Any WSGI app on 127.0.0.1:<free port>, served by a daemon thread until `stop()`."""

    def __init__(self, wsgi_app):
        self._server = make_server("127.0.0.1", 0, wsgi_app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        serve = lambda: self._server.serve_forever(poll_interval=0.05)  # noqa: E731  quick stop()
        self._thread = threading.Thread(target=serve, name=f"served-{self.url}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class RunningStandin(ServedApp):
    """The WeChat stand-in plus one method per `/_standin/` control."""

    def __init__(self, accounts: dict | None = None, switches: Switches | None = None):
        self.app = create_wechat_standin(accounts, switches)
        self.accounts = self.app.extensions["wechat_standin"].accounts
        super().__init__(self.app)
        self.http = requests.Session()

    @classmethod
    def start(cls, accounts: dict | None = None, switches: Switches | None = None) -> "RunningStandin":
        return cls(accounts, switches)

    def _post(self, path: str, body: dict | None = None) -> dict:
        response = self.http.post(f"{self.url}/_standin/{path}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def requests(self, path: str | None = None) -> list[dict]:
        """What the stand-in received, oldest first (each: method, path, args, json, errcode)."""
        params = {"path": path} if path else {}
        response = self.http.get(f"{self.url}/_standin/requests", params=params, timeout=10)
        response.raise_for_status()
        return response.json()["requests"]

    def count(self, path: str) -> int:
        return len(self.requests(path))

    def reset(self) -> None:
        self._post("reset")

    def script(self, path: str, errcode: int | None = None, times: int = 1, errmsg: str | None = None,
               http_status: int | None = None) -> None:
        self._post("script", {"path": path, "errcode": errcode, "times": times, "errmsg": errmsg,
                              "http_status": http_status})

    def grant(self, openid: str, template_id: str, count: int = 1) -> None:
        self._post("grants", {"openid": openid, "template_id": template_id, "count": count})

    def add_code(self, code: str, openid: str, unionid: str | None = None) -> None:
        self._post("codes", {"code": code, "openid": openid, "unionid": unionid})

    def add_user(self, userid: str, name: str) -> None:
        self._post("users", {"userid": userid, "name": name})

    def interact(self, openid: str) -> None:
        self._post("interactions", {"openid": openid})

    def configure(self, **switches) -> None:
        self._post("config", switches)

    def advance(self, seconds: float) -> float:
        return self._post("clock", {"advance": seconds})["now"]

    def expire_tokens(self, revoke: bool = False) -> None:
        self._post("tokens", {"action": "revoke" if revoke else "expire"})

    def push(self, channel: str, sender: str, **message) -> str:
        """Queue a message/event (msg_type, content, event, extra, mode); returns its plaintext XML."""
        return self._post("push", {"channel": channel, "sender": sender, **message})["plaintext"]

    def deliver(self) -> list[dict]:
        """Send queued pushes to our callbacks now; each result has status, body and decrypted reply."""
        return self._post("deliver")["deliveries"]


class RunningVendors(ServedApp):
    """The vendors' stand-in (app/standins/vendors.py) plus one method per `/_standin/` control."""

    def __init__(self, payloads=None, waits: int = 1):
        super().__init__(create_vendor_standin(payloads, waits))
        self.http = requests.Session()

    def _post(self, path: str, body: dict | None = None) -> dict:
        response = self.http.post(f"{self.url}/_standin/{path}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def requests(self, path: str = "") -> list[dict]:
        """What the stand-in received, oldest first (method, path, args, headers, form, body)."""
        response = self.http.get(f"{self.url}/_standin/requests", params={"path": path}, timeout=10)
        response.raise_for_status()
        return response.json()["requests"]

    def reset(self) -> None:
        self._post("reset")

    def script(self, path: str, status: int, times: int = 1, retry_after: float | None = None,
               body: dict | None = None) -> None:
        self._post("script", {"path": path, "status": status, "times": times, "retry_after": retry_after,
                              "body": body})

    def zendesk(self, **data) -> int:
        """Add tickets / metrics, set page_size or the login; returns how many tickets it holds."""
        return self._post("zendesk", data)["tickets"]

    def amazon(self, **data) -> None:
        """Add S&T rows (sales={day: rows}), listings, ads_rows; set waits, fatal, cancelled, lwa; expire_tokens."""
        self._post("amazon", data)
