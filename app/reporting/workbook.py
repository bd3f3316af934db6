"""The month's workbook (月度报表, XLSX): a summary per department with charts, a row per person
(total, grade, 绩效系数, outcomes, comments), and a row per item of every report (target, actual,
achievement, method, score, provenance, appeal result).

Written in openpyxl's write-only mode, so 5,000 people stream through a few megabytes, and
reproducibly: the document's dates are the newest publication it read and every zip entry carries
one fixed timestamp, so an unchanged month builds to identical bytes (which is how a rebuild knows
there is no new version to keep).
"""

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from app.domain.month_summary import by_department
from app.reporting.month_book import MonthBook
from app.services.business_time import to_local

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
PROGRESS_EVERY = 250  # people between two progress reports
KIND_ZH = {"quantitative": "定量", "qualitative": "定性"}
PEOPLE_COLUMNS = (("工号", 10), ("姓名", 10), ("部门", 10), ("岗位", 14), ("总分", 8), ("等级", 8),
                  ("绩效系数", 9), ("报告版本", 9), ("确认情况", 12), ("结果运用", 22), ("考核结论", 48),
                  ("主管点评", 48))
ITEM_COLUMNS = (("工号", 10), ("姓名", 10), ("部门", 10), ("岗位", 14), ("指标", 18), ("类型", 6), ("权重", 6),
                ("目标", 14), ("实际", 14), ("完成率", 9), ("计分方法", 30), ("得分", 8), ("状态", 8),
                ("数据来源", 20), ("等级", 8), ("申诉结果", 30))
Progress = Callable[[int, int], None]


def build(book: MonthBook, on_progress: Progress | None = None) -> bytes:
    """The workbook's bytes; `on_progress(done, total)` is told as people are written."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "绩效 Jixiao"
    workbook.properties.title = f"{book.label}月度绩效报表"
    workbook.properties.created = workbook.properties.modified = book.as_of
    _departments(workbook.create_sheet("部门汇总"), book)
    people = _sheet(workbook.create_sheet("员工汇总"), PEOPLE_COLUMNS)
    items = _sheet(workbook.create_sheet("考核明细"), ITEM_COLUMNS)
    total = len(book.people)
    for done, person in enumerate(book.people, 1):
        people.append([person.employee_no, person.name, person.department, person.positions, person.total,
                       person.grade, person.coefficient, person.versions, person.response,
                       "；".join(person.outcomes), person.summary, "\n".join(person.comments)])
        for item in person.items:
            items.append([person.employee_no, person.name, person.department, item.position, item.indicator,
                          KIND_ZH.get(item.kind, item.kind), Decimal(item.weight), item.target, item.actual,
                          _percent(items, item.achievement), item.method, Decimal(item.score), item.status,
                          item.provenance, person.grade, item.appeal])
        if on_progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            on_progress(done, total)
    return _reproducible(workbook)


def _sheet(sheet: Any, columns: tuple[tuple[str, int], ...], title: str = "") -> Any:
    """The sheet's column widths, an optional title row, then the header: write-only mode writes the
    widths with the first row, so they come first."""
    for index, (_, width) in enumerate(columns):
        sheet.column_dimensions[_letter(index)].width = width
    if title:
        sheet.append([_title(sheet, title)])
    sheet.append([_header(sheet, name) for name, _ in columns])
    return sheet


def _departments(sheet: Any, book: MonthBook) -> None:
    """Headcount, mean total and people per grade for each department and the company, with a
    stacked chart of the grade spread and a chart of the mean totals."""
    lines = by_department((p.graded() for p in book.people), book.bands)
    bands = book.bands.bands
    columns = [("部门", 14), ("人数", 8), ("平均分", 8)] + [(band.label_zh, 8) for band in bands]
    _sheet(sheet, tuple(columns), f"{book.label}月度绩效报表（数据截至{to_local(book.as_of):%Y-%m-%d %H:%M}）")
    for line in lines:
        sheet.append([line.department, line.headcount, line.mean_total] + [line.grades[b.code] for b in bands])
    departments = len(lines) - 1  # the company's own line is not charted beside its departments
    if departments < 1:
        return
    spread = BarChart()
    spread.type, spread.grouping, spread.overlap = "col", "stacked", 100
    spread.title, spread.y_axis.title = "各部门等级分布", "人数"
    spread.add_data(Reference(sheet, min_col=4, max_col=3 + len(bands), min_row=2, max_row=2 + departments),
                    titles_from_data=True)
    spread.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=2 + departments))
    spread.width, spread.height = 18, 9
    sheet.add_chart(spread, f"{_letter(len(columns) + 1)}2")
    means = BarChart()
    means.title, means.y_axis.title, means.legend = "各部门平均分", "分", None
    means.add_data(Reference(sheet, min_col=3, min_row=2, max_row=2 + departments), titles_from_data=True)
    means.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=2 + departments))
    means.width, means.height = 18, 9
    sheet.add_chart(means, f"{_letter(len(columns) + 1)}21")


def _percent(sheet: Any, achievement: str) -> Any:
    if not achievement:
        return ""
    cell = WriteOnlyCell(sheet, value=Decimal(achievement))
    cell.number_format = "0.0%"
    return cell


def _header(sheet: Any, text: str) -> Any:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", fgColor="2F6FEB")
    cell.alignment = Alignment(horizontal="center", vertical="center")
    return cell


def _title(sheet: Any, text: str) -> Any:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True, size=13)
    return cell


def _letter(index: int) -> str:
    """Column letter of a 0-based index (the sheets are narrower than 26 columns)."""
    return chr(ord("A") + index)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose every entry has the same timestamp and mode, whatever the clock or file says."""

    def writestr(self, name: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        if not isinstance(name, zipfile.ZipInfo):
            name = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            name.compress_type = zipfile.ZIP_DEFLATED
            name.external_attr = 0o644 << 16
        super().writestr(name, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None,
              compresslevel: Any = None) -> None:
        with open(filename, "rb") as handle:  # openpyxl hands over a temporary file's path
            self.writestr(arcname or filename, handle.read())


def _reproducible(workbook: Workbook) -> bytes:
    """Save without openpyxl's "modified: now", into a zip with fixed entry times."""
    out = io.BytesIO()
    ExcelWriter(workbook, _FixedTimeZip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return out.getvalue()
