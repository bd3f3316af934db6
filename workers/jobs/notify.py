"""Notification jobs on the NOTIFY queue. They take ids, reload inside, and are safe to run twice.

`deliver` is queued by app.services.notify.outbox (dispatch_due on the clock tick, or at once for a
reply); `dispatch` and `send_digests` are what the clock tick calls every minute.
"""

from app.services.business_time import clock_now
from app.services.news import digest
from app.services.notify import delivery, outbox


def deliver(message_id: int) -> str:
    """Send one outbox message if it is still pending and due (the claim makes a rerun a no-op)."""
    return delivery.deliver(message_id, clock_now())


def dispatch() -> int:
    """Queue a delivery job for every due message; returns how many were queued."""
    return outbox.dispatch_due(clock_now())


def send_digests() -> dict:
    """Compose whichever manager digests are due now (progress, Monday, alerts); idempotent per slot."""
    return digest.send_due_digests(clock_now())
