"""The KPI report as a document: JSON, CSV or XLSX, the same bytes from the command and the pages.

- JSON: `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "unit": code or null, "rows": [row, ...],
  "top_negative_tags": [{"tag", "label", "count"}, ...]}`, each row the COLUMNS of
  govwatch.reports.figures (the contract's figures, then GovWatch's closed-loop and complaint
  ones), the `total` row last; `top_negative_tags` (an extension, after the contract's keys) is
  govwatch.reports.figures.top_negative_tags for the same selection.
- CSV: UTF-8 with a BOM (so that Excel opens the Chinese names right), a header row of the English
  column names (the command's, for programs) or of the Chinese ones (the pages', for people), then
  the same rows; a null rate is an empty cell.
- The pages' files (`for_people`) add, after those columns, the PAGE_COLUMNS the command leaves out
  (how many negative reviews an upheld appeal took out of `negative`).
- XLSX: one sheet named after the period: a title line, the period and scope line, then a header
  row of the Chinese column names, rates as numbers formatted as percentages; a null rate is an
  empty cell.

Both are written through govwatch.core.sheets: a name that starts like a formula stays text.
Rates are rounded to 4 decimals in all three (0.9859 is 98.59%).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable
from datetime import date
from typing import Any

from govwatch.core.datewords import document_date
from govwatch.core.sheets import CONTENT_TYPES, table_csv, table_xlsx

from .figures import COLUMNS, LABELS, PAGE_COLUMNS, RATES

__all__ = ["CONTENT_TYPES", "export_file", "kpi_document", "kpi_json"]

RATE_DECIMALS = 4


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
        "rows": rounded([{key: row[key] for key in COLUMNS} for row in rows]),
        "top_negative_tags": [
            {"tag": tag, "label": label, "count": count} for tag, label, count in top_negative_tags
        ],
    }


def kpi_json(
    date_from: date,
    date_to: date,
    unit_code: str | None,
    rows: list[dict[str, Any]],
    top_negative_tags: Iterable[tuple[str, str, int]],
) -> str:
    """`json.dumps(kpi_document(...), ensure_ascii=False)`, the same text, written row by row.

    A province's 16,336 rows hold about 6,400 distinct sets of figures: each set is rounded and
    written once, and a row is its code and name before that text (a third of the command's time
    went to rounding and writing every row whole)."""
    figures = COLUMNS[2:]  # after unit_code and unit_name, as kpi_document's rows have them
    figures_of = operator.itemgetter(*figures)
    rates = [i for i, key in enumerate(figures) if key in RATES]
    # '"received": %d, ...}': the rest of a row after its name, as json.dumps writes it. Counts are
    # ints (%d: json.dumps writes an int so, and %d refuses a None where a count should be); rates
    # are written by `_rate`.
    template = ", ".join(f"{_dumps(key)}: {'%s' if key in RATES else '%d'}" for key in figures) + "}"
    string = json.encoder.encode_basestring  # json.dumps(text, ensure_ascii=False)
    written: dict[tuple[Any, ...], str] = {}
    parts = []
    for row in rows:
        values = figures_of(row)
        text = written.get(values)
        if text is None:
            filled = list(values)
            for i in rates:
                filled[i] = _rate(filled[i])
            text = written[values] = template % tuple(filled)
        parts.append(
            f'{{"unit_code": {string(row["unit_code"])}, "unit_name": {string(row["unit_name"])}, {text}'
        )
    head = _dumps({"from": date_from.isoformat(), "to": date_to.isoformat(), "unit": unit_code})[:-1]
    tags = kpi_document(date_from, date_to, unit_code, [], top_negative_tags)["top_negative_tags"]
    return f'{head}, "rows": [{", ".join(parts)}], "top_negative_tags": {_dumps(tags)}}}'


def _rate(value: float | None) -> str:
    """json.dumps of a rate as `rounded` leaves it: null, or the float's repr (a rate is finite)."""
    return "null" if value is None else float.__repr__(round(value, RATE_DECIMALS))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def kpi_csv(rows: list[dict[str, Any]], *, chinese: bool = False) -> bytes:
    columns = PAGE_COLUMNS if chinese else COLUMNS
    header = [LABELS[key] for key in columns] if chinese else list(columns)
    return table_csv(header, ([row[key] for key in columns] for row in rounded(rows)))


def kpi_xlsx(
    date_from: date,
    date_to: date,
    rows: list[dict[str, Any]],
    unit_code: str | None = None,
    columns: tuple[str, ...] = COLUMNS,
) -> bytes:
    # The top of the selection comes first (tree order): the unit asked for, the user's own unit or the region.
    where = rows[0]["unit_name"] if rows and rows[0]["unit_code"] != "total" else "全区"
    return table_xlsx(
        f"政务服务效能统计报表（{where}）",
        f"统计期间：{document_date(date_from)}至{document_date(date_to)}",
        [LABELS[key] for key in columns],
        ([row[key] for key in columns] for row in rounded(rows)),
        sheet_title=f"{date_from.isoformat()}至{date_to.isoformat()}",
        widths={columns.index("unit_name") + 1: 28},
        percent_columns=[i for i, key in enumerate(columns, start=1) if key in RATES],
        freeze_columns=2,
    )


def export_file(
    fmt: str,
    date_from: date,
    date_to: date,
    rows: list[dict[str, Any]],
    unit_code: str | None = None,
    *,
    for_people: bool = False,
) -> bytes:
    """The CSV or XLSX file of the rows (the two formats that are files rather than a document);
    `for_people` (the pages) heads the CSV with the Chinese names and adds the pages' columns."""
    if fmt == "csv":
        return kpi_csv(rows, chinese=for_people)
    return kpi_xlsx(date_from, date_to, rows, unit_code, PAGE_COLUMNS if for_people else COLUMNS)
