"""Reading an uploaded file row by row, whatever it is: CSV in UTF-8 (with or without BOM) or GB18030
(what Excel in Chinese saves), or an XLSX workbook's first sheet (read-only, streamed)."""

import codecs
import csv
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import current_app
from openpyxl import load_workbook

from app.errors import ApiError

SNIFF_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
KEPT_SECONDS = 24 * 3600  # an upload waiting for its mapping longer than a day was abandoned


def upload_folder() -> Path:
    """Where the console keeps an uploaded file while its mapping is chosen (instance/imports/)."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prune_uploads(now: float | None = None) -> int:
    """Delete uploads nobody imported within a day (the clock, daily); returns how many."""
    cutoff = (now if now is not None else time.time()) - KEPT_SECONDS
    stale = [path for path in upload_folder().iterdir() if path.is_file() and path.stat().st_mtime < cutoff]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rows_of(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header row and an iterator of (row number as a spreadsheet shows it, cells)."""
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
    if head.startswith(XLSX_MAGIC):
        return _xlsx(path)
    return _csv(path, _encoding(head))


def _encoding(head: bytes) -> str:
    """UTF-8 when the start decodes as UTF-8 (a cut multi-byte character at the end is fine), else GB18030."""
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"


def _csv(path: Path, encoding: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    file = path.open(encoding=encoding, newline="", errors="strict")
    reader = csv.reader(file)
    try:
        headers = next(reader)
    except StopIteration:
        file.close()
        raise ApiError("import_empty", "文件是空的：第1行应是列名", 422) from None
    except (UnicodeDecodeError, csv.Error):
        file.close()
        raise ApiError("import_unreadable", "读不懂这个文件：请上传 CSV（UTF-8 或 GBK）或 XLSX", 422) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with file:
            try:
                for number, row in enumerate(reader, start=2):
                    if any(cell.strip() for cell in row):
                        yield number, row
            except (UnicodeDecodeError, csv.Error):
                raise ApiError("import_unreadable", f"第{reader.line_num}行读不出来：编码或引号不对", 422) from None
    return [h.strip() for h in headers], rows()


def _xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken zip or sheet
        raise ApiError("import_unreadable", "读不懂这个 XLSX 文件", 422) from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    first = next(cells, None)
    if first is None:
        book.close()
        raise ApiError("import_empty", "文件是空的：第1行应是列名", 422)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(cells, start=2):
                if any(cell is not None and str(cell).strip() for cell in row):
                    yield number, list(row)
        finally:
            book.close()
    return [str(h).strip() if h is not None else "" for h in first], rows()
