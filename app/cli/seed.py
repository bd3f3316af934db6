"""`flask seed demo`: the demo company (run by `make run` on an empty database)."""


from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

seed = AppGroup("seed", help="Demo data.")


@seed.command("demo")
@click.option("--employees", default=50, show_default=True, help="company size (bulk-generated beyond 50)")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="pretend today is this date (default: today in the business time zone)")
def demo_command(employees: int, today) -> None:
    """Create the deterministic demo company when the database has no employees yet. Never under
    the production configuration: its people are bound to the stand-in's demo sign-in codes."""
    import time

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("the demo company is for trying the product, not for production (JIXIAO_ENV)")

    from app.demo import DEMO_PASSWORD, DEMO_STAFF, seed_demo, vendors
    from app.services.business_time import business_today

    started = time.perf_counter()
    day = today.date() if today else business_today()
    counts = seed_demo(employees=employees, today=day)
    if not counts:
        click.echo("the database already has a company; nothing changed")
        return
    folder = vendors.connect(Path(current_app.instance_path), day, employees)
    click.echo(f"Amazon and Zendesk connected to the vendor stand-in (its files: {folder})")
    rows = ", ".join(f"{table} {count}" for table, count in sorted(counts.items()))
    click.echo(f"demo company seeded in {time.perf_counter() - started:.1f}s: {rows}")
    click.echo(f"人事后台 /console/ 演示账号：{DEMO_STAFF}，密码 {DEMO_PASSWORD}")
