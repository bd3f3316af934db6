"""`flask imports …`: import a CSV/XLSX file through a preset or a column mapping (all or nothing;
the errors are listed with their row numbers), and list the presets."""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.common import as_hr

imports = AppGroup("imports", help="Import data files (ERP shipments, stock-takes, any indicator) with presets.")
by_option = click.option("--by", "actor_no", required=True, help="The employee number of the HR member or admin.")


@imports.command("presets")
@by_option
def presets_command(actor_no: str) -> None:
    """Every preset: name, format, whether its columns were checked against the vendor, their source."""
    from app.imports import presets

    for preset in as_hr(actor_no, lambda actor_id: presets.listing(actor_id=actor_id)):
        checked = "已核对" if preset["verified"] else "未核对"
        click.echo(f"{preset['name']}\t{preset['format']}\t{checked}\t{preset['source']}")


@imports.command("file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--preset", "preset_name", help="A preset's name (see `flask imports presets`).")
@click.option("--format", "format_code", type=click.Choice(["generic", "erp_shipments", "stock_take"]))
@click.option("--identity", default="employee", show_default=True, help="What the people column holds.")
@click.option("--column", "given", multiple=True, metavar="FIELD=HEADER", help="A field's column (or =constant).")
@by_option
def file_command(path: Path, preset_name: str | None, format_code: str | None, identity: str, given: tuple[str, ...],
                 actor_no: str) -> None:
    """Import PATH; prints the run's counts, or every bad row and exit 2 (nothing imported)."""
    from app.errors import ApiError
    from app.imports import presets, service

    def run(actor_id: int):
        if preset_name:
            chosen = presets.preset(preset_name, actor_id=actor_id)
            mapping = {"format_code": chosen["format"], "identity": chosen["identity"], "columns": chosen["columns"]}
        else:
            columns = dict(item.split("=", 1) for item in given if "=" in item)
            mapping = {"format_code": format_code or "generic", "identity": identity, "columns": columns}
        try:
            return service.import_file(path, uploader_id=actor_id, **mapping)
        except ApiError as exc:
            for line in (exc.fields or {}).get("errors", []):
                click.echo(line, err=True)
            raise
    done = as_hr(actor_no, run)
    click.echo(f"导入 #{done.id}（{done.source}）：{done.counts}")
