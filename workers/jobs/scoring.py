"""Month-close jobs (queue `scoring`): one chunk of a run's assessments each."""

import time

from app.extensions import db
from app.models import ScoringRun
from app.services.scoring import chunks, runs


def score_chunk(run_id: int, index: int) -> int:
    """Score one chunk; the last chunk to finish publishes the run. Safe to run twice."""
    run = db.session.get(ScoringRun, run_id)
    if run is None or run.status != "running":
        return 0
    chunks.take_lease(run_id, index, now=time.time())
    scored = runs.score_chunk(run_id, chunks.chunk_ids(run, index))
    chunks.after_chunk(run_id)
    return scored
