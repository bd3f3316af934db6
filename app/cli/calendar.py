"""`flask calendar …`: the years of the work calendar (工作日历) — show, import, confirm.

A year is confirmed (the State Council's schedule shipped with the product, or checked by HR) or
provisional (public holidays from the `holidays` library, no 调休 make-up working day); HR imports
a year from a file in the format of app/data/cn_public_holidays.json and confirms it
(docs/product.md "Calendar years").
"""

import json

import click
from flask.cli import AppGroup

from app.cli.common import as_hr, hr_option, refuse

calendar = AppGroup("calendar", help="The work calendar: public holidays and 调休 working days per year.")


@calendar.command("show")
@click.argument("year", type=int)
def show_command(year: int) -> None:
    """Print YEAR as the calendar reads it: where it comes from, whether confirmed, every day."""
    from app.domain.errors import DomainError
    from app.services.org import calendar_years

    try:
        view = calendar_years.year_view(year)
    except DomainError as exc:
        refuse(exc.message)
    state = "已确认" if view["confirmed"] else "未确认"
    if view["confirmed_by"]:
        state += f"（{view['confirmed_by']} {view['confirmed_at']}）"
    click.echo(f"{year}年工作日历：{view['source_zh']}，{state}；{view['counts_zh']}")
    for day in view["days"]:
        click.echo(f"{day['day']}\t{day['weekday_zh']}\t{day['kind_zh']}\t{day['name']}")


@calendar.command("import")
@click.argument("source", type=click.File("r", encoding="utf-8"))
@hr_option
def import_command(source, hr_no: str) -> None:
    """Import one year from a JSON file (or - for stdin) in the format of
    app/data/cn_public_holidays.json; it replaces that year's holidays and 调休 days and waits for
    `flask calendar confirm`."""
    from app.services.org import calendar_years

    try:
        document = json.load(source)
    except json.JSONDecodeError as exc:
        refuse(f"工作日历文件不是有效的 JSON：第{exc.lineno}行第{exc.colno}列")
    days = as_hr(hr_no, lambda hr_id: calendar_years.import_year(document, hr_id=hr_id))
    click.echo(f"已导入{days.year}年工作日历：放假{len(days.holidays)}天，调休上班{len(days.workdays)}天。"
               f"核对无误后请执行 flask calendar confirm {days.year} --by {hr_no}")


@calendar.command("confirm")
@click.argument("year", type=int)
@hr_option
def confirm_command(year: int, hr_no: str) -> None:
    """Confirm YEAR as it stands (HR checked it against the State Council's notice); audited."""
    from app.services.org import calendar_years

    click.echo(as_hr(hr_no, lambda hr_id: calendar_years.confirm_year(year, hr_id=hr_id)))
