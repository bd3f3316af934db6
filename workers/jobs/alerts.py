"""Alert jobs (queue `default`): evaluate the rules for a day or a person.

Both take primitives and reload everything; both are safe to run twice, because an alert's
fingerprint is unique and the service skips what is already raised.
"""

from datetime import date, timedelta

from app.services.business_time import business_today
from app.services.news import alerts


def evaluate_day(day_iso: str | None = None) -> int:
    """The daily run for `day_iso` (default: yesterday in the business zone); returns alerts raised.
    The day is marked done only when the run committed; a failure is retried by RQ (app/jobs.py)."""
    day = date.fromisoformat(day_iso) if day_iso else business_today() - timedelta(days=1)
    return len(alerts.run_day(day))


def evaluate_employee(employee_id: int, day_iso: str) -> int:
    """One person's streaks and pace through `day_iso`, e.g. after their figures were synced."""
    return len(alerts.evaluate_employee(employee_id, date.fromisoformat(day_iso)))
