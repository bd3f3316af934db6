"""What every use case needs at its edge: the transaction (`use_case` rolls a refusal back), the
time it runs at, the row a request names, and input refused in the one error shape."""

import functools
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import CursorResult, Delete, Update

from app.domain.exact import number_problem
from app.domain.workflow import text_problem
from app.errors import ApiError
from app.extensions import db
from app.services.business_time import clock_now

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# A JSON-ready object (audit before/after, health checks, report bodies): its values are whatever JSON holds.
JsonDict = dict[str, Any]
# A number as an edge parsed it, for decimal_of (a float is refused there: it is not exact).
DecimalInput = str | int | float | Decimal


def use_case(fn: Callable[P, R]) -> Callable[P, R]:
    """A service that writes: anything it raises rolls its transaction back, so a refusal leaves
    nothing written (not even a flushed row or a lock) for a later commit to pick up. Every public
    service that commits carries it (tests/test_layering.py checks)."""
    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise
    return run


def now_or_clock(now: datetime | None) -> datetime:
    """The caller's `now` (naive UTC), or the business clock's."""
    return now if now is not None else clock_now()


def get_or_404(model: type[T], row_id: int | None, what_zh: str, *, lock: bool = False) -> T:
    """The row a request names, or a 404 saying what was not found. `lock` reads it FOR UPDATE,
    so two people deciding the same case queue instead of both deciding it."""
    row = db.session.get(model, row_id, with_for_update=lock) if row_id is not None else None
    if row is None:
        raise ApiError("not_found", f"找不到该{what_zh}", 404)
    return row


def changed_rows(statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE (no RETURNING) in the session; how many rows it changed."""
    result = db.session.execute(statement)
    # Session.execute is typed as returning Result; for UPDATE/DELETE it returns the CursorResult.
    assert isinstance(result, CursorResult), "UPDATE/DELETE without RETURNING gives a CursorResult"
    return result.rowcount


def claim(statement: Update, conflict: ApiError) -> None:
    """Make a decide-once change with a conditional UPDATE whose WHERE says what must still hold
    (`status == 'pending'`), or raise `conflict` when it changed no row: someone decided first.
    The row count decides on every database — the UPDATE waits for the other writer's lock and
    then sees what they committed — where FOR UPDATE locks nothing on SQLite. Make it the
    decision's first write, and read what the rest depends on after it."""
    if changed_rows(statement) == 0:
        raise conflict


def fresh_transaction() -> None:
    """Start a decision from a fresh transaction so it sees what other decisions committed
    (MariaDB keeps one REPEATABLE READ snapshot per transaction). Callers hand over a session with
    nothing pending: edges only read before calling a service."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a decision must start with no pending changes in the session")
    session.rollback()


def require_text(text: str | None, field: str, label: str, *, required: bool = True, limit: int = 500) -> str:
    """The stripped text, or a 422 naming the field."""
    text = (text or "").strip()
    problem = text_problem(text, label, required=required, limit=limit)
    if problem:
        raise ApiError("invalid_input", problem, 422, {field: problem})
    return text


def decimal_of(value: DecimalInput, field: str, label: str) -> Decimal:
    """An exact decimal from what the edge parsed (str, int or Decimal — never a float)."""
    if isinstance(value, float):
        raise ApiError("invalid_input", f"{label}必须是精确的十进制数", 422, {field: "请以字符串传递小数"})
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApiError("invalid_input", f"{label}不是有效的数字", 422, {field: "不是有效的数字"}) from None
    problem = number_problem(result)
    if problem:
        raise ApiError("invalid_input", f"{label}{problem}", 422, {field: problem})
    return result
