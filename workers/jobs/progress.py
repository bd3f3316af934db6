"""Live progress jobs (queue `progress`, listened to first)."""

from app.services import progress


def recompute_progress(assessment_id: int) -> None:
    """Recompute one assessment's bars; safe to run twice (it always starts from scratch)."""
    progress.start_recompute(assessment_id)
    progress.recompute(assessment_id)
