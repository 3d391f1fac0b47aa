"""Exports people open in a spreadsheet (CSV and XLSX), safe from formula injection by default.

A unit or item name, a complaint, a comment is typed by someone else; in an export it must stay the
text it is. A cell that begins with "=", "+", "-" or "@" (or a tab or a carriage return, or their
full-width forms, which spreadsheet programs in Chinese read the same way) is a formula to Excel
and WPS: `=HYPERLINK("http://…","点击")` would become a live link in a supervisor's report.

- XLSX: `Workbook` is openpyxl's, saved with every text cell written as text (never a formula) and
  those that look like one marked with the quote prefix, so that editing the cell keeps it text.
- CSV: `csv_writer` and `csv_dict_writer` are the csv module's, with OWASP's rule for CSV
  injection: such a cell is written with a leading apostrophe.

Every export in GovWatch writes through these (govwatch/tests/test_exports_safe.py fails on a
writer made any other way), so an area to come is safe without thinking about it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import IO, Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

# What a spreadsheet program reads as the start of a formula (OWASP, CSV Injection), with the
# full-width signs an input method types.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutral(value: Any) -> Any:
    """A CSV cell's value that no spreadsheet evaluates: text that starts like a formula gets a
    leading apostrophe; numbers, dates and other text are left as they are."""
    return "'" + value if looks_like_formula(value) else value


@lru_cache(maxsize=1)
def _workbook_class() -> type:
    from openpyxl import Workbook as _Workbook
    from openpyxl.cell.cell import Cell

    class Workbook(_Workbook):
        """openpyxl's Workbook whose save writes no formula: every cell keeps the text it was given."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if kwargs.get("write_only"):
                raise ValueError("write_only workbooks cannot be checked cell by cell: use a normal one")
            super().__init__(*args, **kwargs)

        def save(self, filename: Any) -> None:
            for sheet in self.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(cell, Cell):
                            as_text(cell)
            super().save(filename)

    Workbook.__module__ = __name__
    return Workbook


def __getattr__(name: str) -> Any:
    """`Workbook` is made on first use: openpyxl takes a quarter of a second to import, which
    every command that writes only CSV or JSON (and `report kpi` for a month) would pay."""
    if name == "Workbook":
        return _workbook_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def as_text(cell: Any) -> None:
    """A cell that openpyxl would write as a formula written as the text it holds."""
    if cell.data_type == "f":
        cell.data_type = "s"
    if looks_like_formula(cell.value):
        cell.quotePrefix = True


class _Writer:
    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutral(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _DictWriter:
    def __init__(self, writer: csv.DictWriter) -> None:
        self._writer = writer

    def writeheader(self) -> Any:
        return self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> Any:
        return self._writer.writerow({k: neutral(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: IO[str], **kwargs: Any) -> _Writer:
    """`csv.writer(fh, **kwargs)` whose cells are `neutral`."""
    return _Writer(csv.writer(fh, **kwargs))


def csv_dict_writer(fh: IO[str], fieldnames: Sequence[str], **kwargs: Any) -> _DictWriter:
    """`csv.DictWriter(fh, fieldnames, **kwargs)` whose cells are `neutral` (the header too is ours)."""
    return _DictWriter(csv.DictWriter(fh, fieldnames=fieldnames, **kwargs))


# -- Lists as files people open: a CSV headed with Chinese names, an XLSX with a title line ---------

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The rows above the header in an XLSX: the title, the period line.
XLSX_HEAD_ROWS = 2


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM (Excel and WPS then read the Chinese right), the header, the rows."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(
    title: str,
    period: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "",
    widths: dict[int, int] | None = None,
    percent_columns: Iterable[int] = (),
    freeze_columns: int = 0,
) -> bytes:
    """One sheet: the title (bold) and the period line, then the header (bold) and the rows.
    `widths` and `percent_columns` name columns by their 1-based index."""
    from openpyxl.styles import Font

    book = _workbook_class()()
    sheet = book.active
    if sheet_title:
        sheet.title = sheet_title[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([period])
    sheet.append(list(header))
    first = XLSX_HEAD_ROWS + 1
    for cell in sheet[first]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index in range(1, len(header) + 1):
        letter = sheet.cell(row=first, column=index).column_letter
        sheet.column_dimensions[letter].width = (widths or {}).get(index, 14)
    for index in percent_columns:
        for (cell,) in sheet.iter_rows(min_row=first + 1, min_col=index, max_col=index):
            cell.number_format = "0.00%"
    sheet.freeze_panes = sheet.cell(row=first + 1, column=freeze_columns + 1).coordinate
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download_file(content: bytes, fmt: str, filename: str) -> HttpResponse:
    """The file as a download named `filename`.`fmt` (a Chinese name, RFC 6266 encoded)."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response
