"""Fixtures of the negative-review loop: cases from real import files, people of each role."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-battery"
PHONE = "13912345678"


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=TZ)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def import_cases(region, tmp_path):
    """Import case events through the real importer: rows of (case_no, event, at, item_code)."""
    from govwatch.imports.runs import run_import

    counter = iter(range(1, 10_000))

    def run(*rows: tuple[str, str, datetime, str]) -> None:
        path = tmp_path / f"cases-{next(counter)}.csv"
        write_csv(
            path, ["case_no", "event", "at", "item_code"], [[c, e, t.isoformat(), i] for c, e, t, i in rows]
        )
        result = run_import("cases", path)
        assert result.rejected == 0, result.errors

    return run


@pytest.fixture
def completed(import_cases):
    """A case of the market bureau's licence, completed at `done` (accepted the day before)."""
    from govwatch.cases.models import Case

    def make(case_no: str, done: datetime, item: str = "I9") -> Case:
        import_cases((case_no, "accept", done - timedelta(days=1), item), (case_no, "complete", done, item))
        return Case.objects.get(case_no=case_no)

    return make


@pytest.fixture
def submit():
    """do_submit_evaluation with the defaults of a citizen scanning the QR code."""
    from govwatch.evaluations.intake import do_submit_evaluation

    def run(case, level: int, when: datetime, **kwargs):
        kwargs.setdefault("channel", "qr")
        return do_submit_evaluation(case=case, level=level, at=when, **kwargs)

    return run


@pytest.fixture
def negative(completed, submit):
    """A real-name 非常不满意 of a case of the market bureau completed Monday 2 March 2026,
    received Friday 6 March 2026 10:00."""
    case = completed("SC-001", at(2026, 3, 2, 9))
    evaluation = submit(
        case, 1, at(2026, 3, 6, 10), scores={"efficiency": 1, "attitude": 2}, tags=["slow", "runaround"],
        comment="跑了三次才办完", evaluator=PHONE,
    )  # fmt: skip
    return evaluation.task


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
