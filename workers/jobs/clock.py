"""The clock: one `tick` a minute works out from the database what is due by now.

A tick is idempotent, so a late tick catches up and a second scheduler does no harm.
"""

from app.services import clock, monthly_clock
from app.services.business_time import clock_now


def tick() -> dict:
    """Record the heartbeat that /healthz watches, then run what is due."""
    clock.record_tick()
    return monthly_clock.run_due(clock_now())
