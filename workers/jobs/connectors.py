"""A connector's sync (queue `default`): scheduled by the clock, or asked for by the admin (同步)."""

from app.connectors import runs


def sync(source: str) -> int:
    """Run the sync; returns its run's id (a vendor's failure is recorded in the run, not raised)."""
    return runs.sync_now(source).id
