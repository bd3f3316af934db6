"""The clock: one `tick` a minute works out from the database what is due by now.

A tick is idempotent, so a late tick catches up and a second scheduler does no harm. The
monthly actions (open the cycle, reminders, scoring, …) arrive with the clock issue.
"""

from app.services import clock


def tick() -> float:
    """Record the heartbeat that /healthz watches; returns the tick's time."""
    return clock.record_tick()
