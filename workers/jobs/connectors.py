"""A connector's sync (queue `default`): scheduled by the clock, or asked for by the admin (同步)."""

from app.connectors import runs


def sync(source: str, trigger: str = "schedule") -> int:
    """Run the sync; returns its run's id (a failed run is recorded, not raised)."""
    return runs.sync_now(source, trigger=trigger).id
