"""The jobs' watch (queue `clock`), queued by the scheduler every few minutes beside the tick.

It looks after the other jobs rather than the business: work a dead drain left behind goes back to
a drain, and jobs that failed for good are told to the admins. Both are safe to run twice.
"""

from datetime import UTC

from app.services.business_time import clock_now
from app.services.notify import job_failures
from app.services.scoring import progress


def watch() -> dict:
    """Hand on a dead drain's work, then tell the admins of new failures."""
    now = clock_now()
    return {"drain_queued": progress.resume(now.replace(tzinfo=UTC).timestamp()),
            "failures_told": job_failures.tell_admins(now)}
