"""The jobs' watch (queue `clock`), queued by the scheduler every few minutes beside the tick.

It looks after the other jobs rather than the business: work a dead drain left behind goes back to
a drain, bars older than their data (a Redis that lost its data) are asked for again, and jobs that
failed for good are told to the admins. All are safe to run twice.
"""

from datetime import UTC

from app.services.business_time import clock_now
from app.services.notify import job_failures
from app.services.scoring import progress


def watch() -> dict:
    """Hand on a dead drain's work and bars the pending set lost, then tell the admins of new failures."""
    now = clock_now()
    return {"drain_queued": progress.resume(now.replace(tzinfo=UTC).timestamp()),
            "reconciled": progress.reconcile(now),
            "failures_told": job_failures.tell_admins(now)}
