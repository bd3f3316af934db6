"""Live progress jobs (queue `progress`, listened to first)."""

from app.services.scoring import progress


def drain_progress() -> int:
    """Recompute every pending assessment; safe to run twice (it always starts from scratch)."""
    return progress.drain()
