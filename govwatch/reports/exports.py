"""The KPI report as a document: JSON, CSV or XLSX, the same bytes from the command and the pages.

- JSON: `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "unit": code or null, "rows": [row, ...],
  "top_negative_tags": [{"tag", "label", "count"}, ...]}`, each row the COLUMNS of
  govwatch.reports.figures (the contract's figures, then GovWatch's closed-loop ones), the `total`
  row last; `top_negative_tags` (an extension, after the contract's keys) is
  govwatch.reports.figures.top_negative_tags for the same selection.
- CSV: UTF-8 with a BOM (so that Excel opens the Chinese names right), a header row of the English
  column names, then the same rows; a null rate is an empty cell.
- XLSX: one sheet named after the period, a header row of the Chinese column names, rates as
  numbers formatted as percentages; a null rate is an empty cell.
Both are written through govwatch.core.sheets: a name that starts like a formula stays text.

Rates are rounded to 4 decimals in all three (0.9859 is 98.59%).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from openpyxl.styles import Font

from govwatch.core.sheets import Workbook, csv_dict_writer

from .figures import COLUMNS, LABELS, RATES

RATE_DECIMALS = 4
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            key: round(value, RATE_DECIMALS) if key in RATES and value is not None else value
            for key, value in row.items()
        }
        for row in rows
    ]


def kpi_document(
    date_from: date,
    date_to: date,
    unit_code: str | None,
    rows: list[dict[str, Any]],
    top_negative_tags: Iterable[tuple[str, str, int]],
) -> dict[str, Any]:
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "unit": unit_code,
        "rows": rounded(rows),
        "top_negative_tags": [
            {"tag": tag, "label": label, "count": count} for tag, label, count in top_negative_tags
        ],
    }


def kpi_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv_dict_writer(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rounded(rows))
    return out.getvalue().encode("utf-8-sig")


def kpi_xlsx(date_from: date, date_to: date, rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{date_from.isoformat()}至{date_to.isoformat()}"
    sheet.append([LABELS[key] for key in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rounded(rows):
        sheet.append([row[key] for key in COLUMNS])
    for index, key in enumerate(COLUMNS, start=1):
        column = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[column].width = 28 if key == "unit_name" else 14
        if key in RATES:
            for cell in sheet[column][1:]:
                cell.number_format = "0.00%"
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_file(fmt: str, date_from: date, date_to: date, rows: list[dict[str, Any]]) -> bytes:
    """The CSV or XLSX file of the rows (the two formats that are files rather than a document)."""
    return kpi_csv(rows) if fmt == "csv" else kpi_xlsx(date_from, date_to, rows)
