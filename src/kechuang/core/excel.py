"""Reading uploaded tables and writing .xlsx exports.

Uploads arrive as .xlsx or .csv; CSVs from Chinese offices are often GBK, so we try UTF-8 first and
fall back to GB18030 (a superset of GBK). Exports neutralise cells that a spreadsheet would run as a
formula (= + - @), the classic CSV/Excel injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from python_calamine import CalamineWorkbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class TableReadError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Chinese."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]  # data rows only; row i is spreadsheet row i + 2


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def read_table(upload: BinaryIO, filename: str, *, size: int | None = None) -> Table:
    """Read the first sheet (xlsx) or the CSV; strip blank rows; header is the first non-blank row."""
    limit = settings.KECHUANG_MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise TableReadError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），单个文件不能超过 {limit // 1024 // 1024} MB"
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise TableReadError(f"文件过大，单个文件不能超过 {limit // 1024 // 1024} MB")
    if not data:
        raise TableReadError("文件为空，请选择填写好的模板文件")
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw_rows = _xlsx_rows(data)
    elif name.endswith(".csv"):
        raw_rows = _csv_rows(data)
    else:
        raise TableReadError("仅支持 .xlsx 或 .csv 文件（旧版 .xls 请另存为 .xlsx）")
    rows = [[_clean(c) for c in row] for row in raw_rows]
    rows = [row for row in rows if any(c not in (None, "") for c in row)]
    if not rows:
        raise TableReadError("文件中没有数据")
    headers = [str(h or "").strip() for h in rows[0]]
    body = [row + [None] * (len(headers) - len(row)) for row in rows[1:]]
    if not body:
        raise TableReadError("文件只有表头，没有数据行")
    return Table(headers=headers, rows=body)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    """python-calamine (Rust) reads a 50,000-row sheet in well under a second; openpyxl takes ~30 s."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [list(row) for row in workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises several error types for a corrupt or foreign file
        raise TableReadError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc


def _csv_rows(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise TableReadError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _fill_sheet(sheet: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F5FA8")
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = max(10, min(40, len(str(header)) * 2 + 4))
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "导出", notes: Sequence[str] = ()
) -> bytes:
    """A simple, safe workbook: bold header row, frozen, formula-looking strings neutralised."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    _fill_sheet(sheet, headers, rows)
    if notes:
        info = workbook.create_sheet("填写说明")
        for line in notes:
            info.append([line])
        info.column_dimensions["A"].width = 100
    return _save(workbook)


def write_xlsx_sheets(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Several (title, headers, rows) sheets in one workbook, formatted like write_xlsx."""
    workbook = Workbook(write_only=False)
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, headers, rows in sheets:
        _fill_sheet(workbook.create_sheet(title[:31]), headers, rows)
    return _save(workbook)
