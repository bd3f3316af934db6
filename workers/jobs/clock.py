"""The clock: one `tick` a minute works out from the database what is due by now.

A tick is idempotent, so a late tick catches up and a second scheduler does no harm.
"""

from app.services import heartbeat
from app.services.business_time import clock_now
from app.services.tick import run_due


def tick() -> dict:
    """Record the heartbeat that /healthz watches, then run what is due."""
    heartbeat.record_tick()
    return run_due(clock_now())
