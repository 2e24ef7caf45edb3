"""Reading and writing the tabular files of imports and exports: xlsx (calamine in, openpyxl out) and csv.

Reading refuses bad files early and cheaply: the size is checked before anything is read, an xlsx must
start like a zip archive and list a workbook in its central directory (read from the end of the file, so a
50 MB file of junk is refused without reading it), and its declared unpacked size is bounded before
calamine inflates it. A csv is decoded as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"),
or else GB18030, the superset of the GBK that Chinese Excel writes.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.imports.columns import FORMULA_PREFIXES

FORMATS = ("xlsx", "csv")
READ_FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An xlsx compresses about 10:1; a declared unpacked size far beyond that is a zip bomb, not a roster.
MAX_UNPACK_RATIO = 40
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class FileError(Exception):
    """The file as a whole cannot be read; the message says why, in the user's terms."""


@dataclass
class Table:
    """The cells of the first worksheet; ``rows[0]`` is spreadsheet row 1, ``rows[i][j]`` column ``j + 1``."""

    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def max_import_bytes() -> int:
    return int(settings.CHUXIN_MAX_IMPORT_BYTES)


def max_import_rows() -> int:
    return int(getattr(settings, "CHUXIN_MAX_IMPORT_ROWS", 1_000_000))


def format_for(name: str) -> str:
    """The reader for a file name (by extension); refuses anything that is not a spreadsheet or csv."""
    fmt = READ_FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise FileError(_("只支持导入xlsx或csv文件"))
    return fmt


def size_error(size: int) -> str | None:
    limit = max_import_bytes()
    if size > limit:
        return _("文件过大（%(size)s），导入文件不能超过%(limit)s") % {
            "size": human_size(size), "limit": human_size(limit),
        }
    return None


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def read_table(path: Path, fmt: str) -> Table:
    size = path.stat().st_size
    if size == 0:
        raise FileError(_("文件是空的"))
    problem = size_error(size)
    if problem:
        raise FileError(problem)
    if fmt == "csv":
        return read_csv(path)
    return read_workbook(path, fmt, size)


def _not_excel() -> FileError:
    return FileError(_("文件不是有效的Excel文件"))


def read_workbook(path: Path, fmt: str, size: int) -> Table:
    import python_calamine

    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise _not_excel() from None
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise _not_excel()
        if sum(info.file_size for info in infos) > max(size, 1 << 20) * MAX_UNPACK_RATIO:
            raise FileError(_("文件解压后过大，不像是正常的Excel文件"))
    elif not magic.startswith(OLE_MAGIC):
        raise _not_excel()
    try:
        with path.open("rb") as handle:
            workbook = python_calamine.CalamineWorkbook.from_filelike(handle)
            if not workbook.sheet_names:
                raise FileError(_("文件中没有工作表"))
            sheet = workbook.get_sheet_by_index(0)
            if sheet.height - 1 > max_import_rows():
                raise FileError(_("数据行过多（%(n)s行），一次最多导入%(max)s行") % {
                    "n": sheet.height - 1, "max": max_import_rows(),
                })
            merged = sheet.merged_cell_ranges or []
            rows = sheet.to_python(skip_empty_area=False)
    except python_calamine.PasswordError:
        raise FileError(_("文件设置了密码，请取消密码后再导入")) from None
    except python_calamine.CalamineError:
        raise _not_excel() from None
    except (ValueError, OSError, UnicodeError):  # calamine raises plain errors for some broken archives
        raise _not_excel() from None
    return Table(rows=rows, merged=list(merged))


def decode_csv(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise FileError(_("文件不是有效的CSV文件"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileError(_("无法识别文件的文字编码，请另存为UTF-8编码的CSV文件")) from None


def read_csv(path: Path) -> Table:
    data = path.read_bytes()
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        raise FileError(_("这是Excel文件，请以.xlsx为扩展名上传，或另存为CSV"))
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        raise FileError(_("无法识别文件的文字编码，请另存为UTF-8编码的CSV文件")) from None
    del data
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise FileError(_("CSV文件格式错误：%(reason)s") % {"reason": exc}) from None
    if len(rows) - 1 > max_import_rows():
        raise FileError(_("数据行过多（%(n)s行），一次最多导入%(max)s行") % {
            "n": len(rows) - 1, "max": max_import_rows(),
        })
    return Table(rows=rows)


#
# Writing
#


def write_xlsx(
    out: IO[bytes] | Path, *, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
    comments: Sequence[str] | None = None, notes: Sequence[Sequence[Any]] | None = None,
    widths: Sequence[int] | None = None,
) -> None:
    """An xlsx in openpyxl's write-only (streaming) mode; text that starts like a formula stays text."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    _append_sheet(workbook, title, header, rows, comments=comments, widths=widths)
    if notes:
        notes_sheet = workbook.create_sheet(_("填写说明"))
        notes_sheet.column_dimensions["A"].width = 18
        notes_sheet.column_dimensions["B"].width = 10
        notes_sheet.column_dimensions["C"].width = 60
        notes_sheet.column_dimensions["D"].width = 24
        for note in notes:
            notes_sheet.append(list(note))
    workbook.save(out)


def write_xlsx_book(out: IO[bytes] | Path, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]],
                                                                  Sequence[int]]]) -> None:
    """An xlsx of several sheets, each (title, header, rows, column widths), streamed like ``write_xlsx``."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows, widths in sheets:
        _append_sheet(workbook, title, header, rows, widths=widths)
    workbook.save(out)


def _append_sheet(workbook: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  comments: Sequence[str] | None = None, widths: Sequence[int] | None = None) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title[:31])
    for i, width in enumerate(widths or ()):
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for i, text in enumerate(header):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        if comments and comments[i]:
            cell.comment = Comment(comments[i], "初心", width=260, height=120)
        header_cells.append(cell)
    sheet.append(header_cells)
    append = sheet.append
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        # Most rows are plain values; a cell that looks like a formula, or holds several lines (measures,
        # notes), becomes a styled cell: text kept as text, lines shown as lines.
        if any(type(v) is str and (v[:1] == "=" or "\n" in v) for v in row):
            row = [_text_cell(sheet, v, WriteOnlyCell, wrap) if type(v) is str and (v[:1] == "=" or "\n" in v)
                   else v for v in row]
        append(row)


def _text_cell(sheet: Any, value: str, cell_class: Any, wrap: Any) -> Any:
    cell = cell_class(sheet, value=value)
    cell.data_type = "s"
    if "\n" in value:
        cell.alignment = wrap
    return cell


def csv_cell(value: Any, digits_as_text: bool = False) -> str:
    """A csv field: dates as YYYY-MM-DD; formula-like text behind ``'``; digit strings Excel would mangle
    (18-digit ID numbers, codes with leading zeros) behind a tab, which Excel keeps as text and imports strip."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    if text[:1] in FORMULA_PREFIXES:
        return "'" + text
    if digits_as_text and text[:1].isdigit() and (len(text) > 11 or text[:1] == "0"):
        return "\t" + text
    return text


def write_csv(
    out: IO[bytes], *, header: Sequence[str], rows: Iterable[Sequence[Any]], digits_as_text: Sequence[bool] = (),
) -> None:
    """UTF-8 with BOM, so that Excel opens it with the right encoding."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(header)
    flags = list(digits_as_text) or [False] * len(header)
    writerow = writer.writerow
    for row in rows:
        writerow([csv_cell(v, f) for v, f in zip(row, flags, strict=False)])
    text.flush()
    text.detach()


__all__ = [
    "CONTENT_TYPES", "FORMATS", "FileError", "Table", "format_for", "human_size", "max_import_bytes",
    "max_import_rows", "read_table", "size_error", "write_csv", "write_xlsx",
]
