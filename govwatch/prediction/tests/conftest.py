"""A small hand-built history: one 10-day item handled by a fast unit and a slow one.

The fast unit finishes every case within six working days. The slow unit finishes half of its cases
within two working days and lets the other half wait twelve to sixteen (late). Everything goes in
through the importer, as a region's files would.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 3, 2)
LAST = date(2026, 6, 18)  # a Thursday (the 19th is the Dragon Boat Festival)
# The moment the tests predict at, and the day their two watched cases were accepted.
AT = datetime(2026, 6, 18, 16, 30, tzinfo=TZ)
WATCHED_DAY = date(2026, 6, 11)  # five working days before AT's date

CASE_HEADER = ["case_no", "event", "at", "item_code", "unit_code", "reason", "event_id"]


def at(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)


def write(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(header)
        w.writerows(rows)
    return path


def event(
    case_no: str, kind: str, moment: datetime, item: str = "", unit: str = "", reason: str = ""
) -> list:
    return [case_no, kind, moment.isoformat(), item, unit, reason, f"{case_no}-{kind}-{moment:%m%d%H%M}"]


@dataclass
class History:
    calendar: object
    tmp: Path
    workdays: list[date]

    def add_workdays(self, d: date, n: int) -> date:
        return self.calendar.add_workdays(d, n).date

    def import_events(self, rows: list[list], name: str = "cases.csv") -> dict:
        from govwatch.imports.runs import run_import

        result = run_import("cases", write(self.tmp / name, CASE_HEADER, rows))
        assert result.rejected == 0, result.errors
        return result.document()


@pytest.fixture
def history(shipped_calendar, tmp_path) -> History:
    from govwatch.imports.runs import run_import

    cal = shipped_calendar
    units = [
        ["D", "测试区", "", "district", ""],
        ["FAST", "区快办局", "D", "department", "13800000001"],
        ["SLOW", "区慢办局", "D", "department", "13800000002"],
        ["JW", "区纪委监委", "D", "supervisor", "13900000009"],
    ]
    run_import(
        "units", write(tmp_path / "units.csv", ["code", "name", "parent_code", "kind", "phone"], units)
    )
    items = [
        ["I10", "建设工程规划许可", "FAST", "licensing", 20, 10],
        ["I1", "证明开具", "FAST", "public_service", 1, 1],
    ]
    run_import(
        "items",
        write(
            tmp_path / "items.csv",
            ["code", "name", "unit_code", "type", "legal_days", "promised_days"],
            items,
        ),
    )
    rng = random.Random(7)
    workdays = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    workdays = [d for d in workdays if cal.is_workday(d)]
    rows: list[list] = []
    h = History(cal, tmp_path, workdays)
    for day in workdays:
        for k in range(6):
            for unit in ("FAST", "SLOW"):
                no = f"{unit[0]}{day:%m%d}{k}"
                accepted = at(day, 9 + k // 2, 5 + 20 * (k % 2))
                if unit == "FAST":
                    days = rng.randint(0, 6)
                else:
                    days = rng.randint(0, 2) if rng.random() < 0.5 else rng.randint(12, 16)
                done = h.add_workdays(day, days)
                rows.append(event(no, "accept", accepted, "I10", unit))
                if at(done, 15) < AT:
                    rows.append(event(no, "complete", at(done, 15)))
    # The two watched cases: accepted the same day, both still open at AT.
    rows.append(event("WATCH-FAST", "accept", at(WATCHED_DAY, 9, 30), "I10", "FAST"))
    rows.append(event("WATCH-SLOW", "accept", at(WATCHED_DAY, 9, 30), "I10", "SLOW"))
    h.import_events(rows)
    return h


def features_of(prediction, calendar):
    """The features `prediction` scored, rebuilt for its cases at its moment (AT)."""
    import numpy as np

    from govwatch.prediction import features as feats
    from govwatch.prediction import frame as fr
    from govwatch.prediction import predicting
    from govwatch.prediction.snapshot import Present

    bundle = predicting.bundle_of(prediction.model)
    return feats.build(
        prediction.frame, prediction.rows, np.full(prediction.rows.size, fr.epoch(AT)),
        Present(bundle.snapshot, prediction.frame), calendar,
    )  # fmt: skip
