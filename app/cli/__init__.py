"""Flask CLI commands (`flask kpi …`, `flask calendar …`, `flask people …`, `flask seed …`,
`flask sources …`, `flask connectors …`, `flask imports …`), registered by `create_app`."""


def register(app) -> None:
    """Attach every command group to the app."""
    from app.cli.calendar import calendar
    from app.cli.connectors import connectors
    from app.cli.imports import imports
    from app.cli.kpi import kpi
    from app.cli.people import people
    from app.cli.seed import seed
    from app.cli.sources import sources

    app.cli.add_command(calendar)
    app.cli.add_command(connectors)
    app.cli.add_command(imports)
    app.cli.add_command(kpi)
    app.cli.add_command(people)
    app.cli.add_command(seed)
    app.cli.add_command(sources)
