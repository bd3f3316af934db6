"""A month's workbook (queue `default`): asked for by HR (生成月度报表) or by the clock after an
accepted appeal published a new report version."""

from app.reporting import monthly


def build_monthly_report(cycle_id: int, requested_by: int | None) -> int:
    """Build and keep the workbook; returns its version (the latest one when nothing changed)."""
    return monthly.build(cycle_id, requested_by)
