"""The HR console (人事后台): server-rendered pages for HR members and admins, in Chinese.

Every view declares who may open it with `page(...)`: "public" (the sign-in page), "staff" (HR or
admin), "hr" (scores and people: HR only) or "admin" (accounts, WeChat status: admins only).
tests/app/console/test_access.py walks `app.url_map` and fails on a console route without a case.
The signed session cookie carries the person and their login's session version; it is checked
against the database on every request, so a password change, a reset, losing the HR or admin role,
or leaving ends the session at once. Every POST carries a CSRF token (Flask-WTF), sign-in included.
The pages call the same services as the mini-program and the bot, with the same policy.
"""

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from app.domain.errors import DomainError
from app.services.authz import Actor, actor
from app.services.lookup import name_of
from app.services.org import logins

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates", static_folder="static")

ACCESS = ("public", "staff", "hr", "admin")
REFUSED = {"hr": "该页面只对人事开放", "admin": "该页面只对管理员开放", "staff": "后台仅供人事和管理员使用"}


def page(access: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Who may open the view; anyone else is sent to sign in (anonymous) or refused (403)."""
    assert access in ACCESS, f"access is one of {ACCESS}"

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if access != "public":
                if g.console_actor is None:
                    return redirect(url_for("console.sign_in", next=request.full_path))
                if g.must_change and request.endpoint not in ("console.password", "console.sign_out"):
                    return redirect(url_for("console.password"))
                if not allowed(g.console_actor, access):
                    return render_template("console/refused.html", message=REFUSED[access]), 403
            return view(*args, **kwargs)

        guarded.console_access = access  # type: ignore[attr-defined]
        return guarded

    return wrap


def allowed(who: Actor, access: str) -> bool:
    if access == "hr":
        return who.is_hr
    if access == "admin":
        return who.is_admin
    return who.is_hr or who.is_admin


@bp.before_request
def load_session() -> Any:
    """The CSRF check (against the token of the session as it came), then who is signed in: None
    when nobody is, or when their session was ended."""
    g.pop("csrf_token", None)  # Flask-WTF caches the token on g, which outlives a request run inside
    # an app context pushed earlier (a test's, a CLI's): this request's token comes from its session
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as error:
            raise CSRFError(error.args[0]) from error
    g.console_actor, g.must_change = None, False
    employee_id, version = session.get("employee_id"), session.get("version")
    if employee_id is not None:
        if version is not None and logins.session_version(employee_id) == version:
            g.console_actor, g.must_change = actor(employee_id), bool(session.get("must_change"))
            g.console_name = name_of(employee_id)
        else:
            session.clear()
    return None


@bp.app_context_processor
def console_globals() -> dict[str, Any]:
    return {"csrf_token": generate_csrf, "allowed": allowed}


@bp.errorhandler(CSRFError)
def refuse_forgery(error: CSRFError) -> Any:
    return render_template("console/refused.html", message="页面已过期或请求来源不明，请刷新页面后重试"), 400


@bp.errorhandler(DomainError)
def refusal_page(error: DomainError) -> Any:
    """A service's refusal on a page without its own handling: its message, its status."""
    return render_template("console/refused.html", message=error.message), error.status


@bp.errorhandler(HTTPException)
def http_error_page(error: HTTPException) -> Any:
    messages = {404: "找不到该页面或记录", 405: "不支持该操作"}
    return render_template("console/refused.html", message=messages.get(error.code or 0, "请求失败")), error.code


from app.console import views  # noqa: E402,F401  the views register on bp
