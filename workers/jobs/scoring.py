"""Month-close jobs (queue `scoring`): one chunk of a run's assessments each."""

import time

from app.extensions import db
from app.models import ScoringRun
from app.services import scoring, scoring_runs


def score_chunk(run_id: int, index: int) -> int:
    """Score one chunk; the last chunk to finish publishes the run. Safe to run twice."""
    run = db.session.get(ScoringRun, run_id)
    if run is None or run.status != "running":
        return 0
    scoring_runs.take_lease(run_id, index, now=time.time())
    scored = scoring.score_chunk(run_id, scoring_runs.chunk_ids(run, index))
    scoring_runs.after_chunk(run_id)
    return scored
