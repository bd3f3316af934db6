"""Several people doing the same thing at the same moment, as several web workers would: each call
runs in a thread of its own, with its own app context, session and database connection.

`at_once` can also hold every call right after a statement matching `meet_after` until all of them
have run it, so they all read the same state before any of them writes — the interleaving a
race needs, made certain instead of lucky. A database that locks (MariaDB's FOR UPDATE) makes the
later callers wait inside that statement instead; the meeting then gives up after `wait` seconds
and lets the calls go on in the order the database decided.
"""

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from app.extensions import db


@dataclass
class Outcome:
    """What one call returned, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None


def at_once(app, calls: list[Callable[[], Any]], *, meet_after: str | None = None,
            wait: float = 1.5) -> list[Outcome]:
    """Run `calls` together, one thread each; their outcomes in the order given."""
    start = threading.Barrier(len(calls))
    meeting = _Meeting(len(calls), meet_after, wait)
    outcomes = [Outcome() for _ in calls]

    def run(index: int) -> None:
        with app.app_context():
            meeting.join()
            try:
                start.wait(timeout=30)
                outcomes[index].value = calls[index]()
            except BaseException as exc:  # noqa: BLE001 — the test inspects it
                outcomes[index].error = exc
            finally:
                db.session.remove()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", meeting.after_statement)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a racing call never finished"
    finally:
        event.remove(engine, "after_cursor_execute", meeting.after_statement)
    return outcomes


class _Meeting:
    """Each participating thread stops once, after its first statement matching the pattern."""

    def __init__(self, parties: int, pattern: str | None, wait: float) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE | re.DOTALL) if pattern else None
        self.barrier = threading.Barrier(parties)
        self.wait = wait
        self.waiting: set[int] = set()
        self.lock = threading.Lock()

    def join(self) -> None:
        with self.lock:
            self.waiting.add(threading.get_ident())

    def after_statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        me = threading.get_ident()
        if self.pattern is None or not self.pattern.search(statement):
            return
        with self.lock:
            if me not in self.waiting:
                return
            self.waiting.discard(me)
        try:
            self.barrier.wait(timeout=self.wait)
        except threading.BrokenBarrierError:
            pass  # someone is held by the database itself: go on in its order


def refused(outcome: Outcome) -> str | None:
    """The error code of a refused call (ApiError), else None."""
    return getattr(outcome.error, "code", None)
