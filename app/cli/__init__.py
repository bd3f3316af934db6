"""Flask CLI commands (`flask kpi …`, `flask seed …`), registered by `create_app`."""


def register(app) -> None:
    """Attach every command group to the app."""
