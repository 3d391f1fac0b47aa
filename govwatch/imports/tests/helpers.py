"""Writing small import files in the three formats for the tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from openpyxl import Workbook


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def write_xlsx(path: Path, header: list[object], rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


EVENT_HEADER = ["case_no", "event", "at", "item_code", "unit_code", "reason", "event_id"]


def events_csv(path: Path, rows: list[list[object]]) -> Path:
    """Case events: (case_no, event, at, item_code, unit_code, reason, event_id), trailing ones optional."""
    return write_csv(path, EVENT_HEADER, [list(r) + [""] * (len(EVENT_HEADER) - len(r)) for r in rows])
