"""A hand-computed data set for the figures of March 2026, imported through the real importer.

The region fixture (/work/main/conftest.py) gives the org tree D > C, SC, RS, ST > ST1, JW and the
items I9 (SC, legal 20, promised 9, full), I2 (RS, 10/2, partial), I0 (ST1, 1/0, none). Here two
more items, then cases and evaluations; every expected figure is worked out in test_figures.py.

March 2026 has no holiday: its working days are Mon-Fri. 2026-03-14 is a Saturday; 2026-04-01..03
are working days. Timestamps without an offset are local (Asia/Shanghai).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from govwatch.imports.runs import run_import

PASSWORD = "correct-horse-battery"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))

ITEMS = [
    # code, name, unit_code, legal_days, promised_days, online
    ("I9B", "食品经营许可变更", "SC", 10, 5, "none"),
    # legal_days 0: counted in the online rates, not in the time-limit reduction.
    ("I00", "证明开具", "ST1", 0, 0, "full"),
]

EVENTS = [
    # case_no, event, at, item_code
    # -- market bureau SC, item I9 (9 working days) --
    # A1: due 03-13 (03-03..06, 09..13), completed on the due date: on time.
    ("A1", "accept", "2026-03-02T09:00:00", "I9"),
    ("A1", "complete", "2026-03-13T17:00:00", ""),
    # A2: due 03-13, completed the day after: late.
    ("A2", "accept", "2026-03-02T10:00:00", "I9"),
    ("A2", "complete", "2026-03-14T10:00:00", ""),
    # A3: due 03-16, still open: overdue at the end.
    ("A3", "accept", "2026-03-03T09:00:00", "I9"),
    # A4: due 03-17, completed after the period: open and overdue at the end.
    ("A4", "accept", "2026-03-04T09:00:00", "I9"),
    ("A4", "complete", "2026-04-02T10:00:00", ""),
    # A5: due 03-18, suspended since 03-10 and never resumed: suspended at the end, excluded.
    ("A5", "accept", "2026-03-05T09:00:00", "I9"),
    ("A5", "suspend", "2026-03-10T10:00:00", ""),
    # A6: due 03-20, suspended on the last afternoon and resumed after the period (one working
    # day, 04-01: final due 03-23): suspended at the end, excluded.
    ("A6", "accept", "2026-03-09T09:00:00", "I9"),
    ("A6", "suspend", "2026-03-31T15:00:00", ""),
    ("A6", "resume", "2026-04-01T09:00:00", ""),
    # A7: due 03-13, suspended 03-03..03-05 (2 working days, 03-04 and 03-05): due 03-17, open,
    # running at the end: overdue.
    ("A7", "accept", "2026-03-02T11:00:00", "I9"),
    ("A7", "suspend", "2026-03-03T10:00:00", ""),
    ("A7", "resume", "2026-03-05T10:00:00", ""),
    # A8: due 03-27 at the end of the period; a suspension after it (04-01..04-03, 2 working days)
    # has since moved the due date to 03-31, which is not before the last date: overdue at the end
    # all the same.
    ("A8", "accept", "2026-03-16T09:00:00", "I9"),
    ("A8", "suspend", "2026-04-01T10:00:00", ""),
    ("A8", "resume", "2026-04-03T10:00:00", ""),
    # A9: due 03-31, the period's last date: open, not yet overdue.
    ("A9", "accept", "2026-03-18T09:00:00", "I9"),
    # A10: rejected: received, not completed, not open.
    ("A10", "accept", "2026-03-02T09:30:00", "I9"),
    ("A10", "reject", "2026-03-03T09:00:00", ""),
    # A11: accepted at the first moment after the period: not received.
    ("A11", "accept", "2026-04-01T00:00:00", "I9"),
    # A12: accepted at the period's last second: received; due in April.
    ("A12", "accept", "2026-03-31T23:59:59", "I9"),
    # -- social security bureau RS, item I2 (2 working days) --
    # B0: accepted and completed in February: nothing in March but its evaluations' dates.
    ("B0", "accept", "2026-02-26T09:00:00", "I2"),
    ("B0", "complete", "2026-02-27T10:00:00", ""),
    # B1: accepted in January (due 01-14), completed in the period: late.
    ("B1", "accept", "2026-01-12T09:00:00", "I2"),
    ("B1", "complete", "2026-03-02T10:00:00", ""),
    # B2: due 04-01, completed 03-31: on time.
    ("B2", "accept", "2026-03-30T09:00:00", "I2"),
    ("B2", "complete", "2026-03-31T16:00:00", ""),
    # B3: due 03-04, completed 03-03: on time.
    ("B3", "accept", "2026-03-02T09:00:00", "I2"),
    ("B3", "complete", "2026-03-03T09:00:00", ""),
    # B5: due 03-24, completed at the first moment after the period: open and overdue at the end.
    ("B5", "accept", "2026-03-20T09:00:00", "I2"),
    ("B5", "complete", "2026-04-01T00:00:00", ""),
    # B6: accepted in January (due 01-14), still open: overdue at the end, not received.
    ("B6", "accept", "2026-01-12T10:00:00", "I2"),
    # -- community ST1, item I0 (instant) --
    # C1: due 03-10, completed the same day: on time.
    ("C1", "accept", "2026-03-10T09:00:00", "I0"),
    ("C1", "complete", "2026-03-10T09:20:00", ""),
    # C2: accepted on a Saturday, due that day; completed on Monday: late.
    ("C2", "accept", "2026-03-14T10:00:00", "I0"),
    ("C2", "complete", "2026-03-16T09:00:00", ""),
]

EVALUATIONS = [
    # eval_id, level, at, case_no, unit_code, channel, auto
    ("E1", 5, "2026-03-13T18:00:00", "A1", "", "device", "false"),
    # Of a case completed in the period, given after it: in the evaluation rates, not in the count.
    ("E2", 3, "2026-04-02T10:00:00", "A2", "", "qr", "false"),
    # Of no case: the unit's evaluation, in the count only.
    ("E5", 1, "2026-03-20T10:00:00", "", "SC", "web", "false"),
    # Of a case completed after the period, given after it: nowhere.
    ("E4", 4, "2026-04-02T11:00:00", "A4", "", "device", "false"),
    ("E3", 2, "2026-03-02T12:00:00", "B1", "", "sms", "false"),
    # Level 3 (基本满意) is satisfied; at the period's last second.
    ("E9", 3, "2026-03-31T23:59:59", "B3", "", "app", "false"),
    # A default rating: in the evaluation rate, not in the active one.
    ("E10", 4, "2026-04-08T10:00:00", "B2", "", "device", "true"),
    # Of a case completed before the period, at its first moment: in the count, not in the rates.
    ("E11", 1, "2026-03-01T00:00:00", "B0", "", "hotline", "false"),
    ("E12", 5, "2026-04-01T00:00:00", "B0", "", "device", "false"),
    ("E7", 5, "2026-03-17T10:00:00", "C1", "", "device", "true"),
]


def _csv(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _imported(kind: str, path: Path) -> None:
    result = run_import(kind, path)
    assert result.rejected == 0, result.document()["errors"]


@pytest.fixture
def march(region, tmp_path) -> dict:
    """The region with the items, cases and evaluations above, each file imported once."""
    _imported(
        "items",
        _csv(
            tmp_path / "items.csv",
            ["code", "name", "unit_code", "legal_days", "promised_days", "online"],
            ITEMS,
        ),
    )
    _imported("cases", _csv(tmp_path / "cases.csv", ["case_no", "event", "at", "item_code"], EVENTS))
    _imported(
        "evaluations",
        _csv(
            tmp_path / "evaluations.csv",
            ["eval_id", "level", "at", "case_no", "unit_code", "channel", "auto"],
            EVALUATIONS,
        ),
    )
    return region


@pytest.fixture
def people(db, django_user_model, region) -> dict:
    """A leader of the region, the staff of the street (ST and ST1) and of the market bureau."""
    from govwatch.accounts.models import Membership, Role

    def person(name: str, role: str, unit) -> object:
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=user, role=role, unit=unit)
        return user

    return {
        "leader": person("ld", Role.LEADER, region["root"]),
        "street": person("st", Role.UNIT_STAFF, region["street"]),
        "market": person("sc", Role.UNIT_STAFF, region["market"]),
        "integration": person("api", Role.INTEGRATION, region["root"]),
    }
