"""A small region's March 2026 for the leaders' pages: two on-time cases at each of the market
bureau (SC), the social security bureau (RS) and a community (ST1), an evaluation each, a complaint
about SC and one about ST1's case; in the previous period (2026-01-29 .. 2026-02-28) SC on time and
RS late. Every expected figure is worked out in test_ranking.py."""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from govwatch.imports.runs import run_import

PASSWORD = "correct-horse-battery"

CASES = [
    # March. SC (I9, 9 working days), RS (I2, 2), ST1 (I0, instant): two cases each, all on time.
    ("S1", "accept", "2026-03-02T09:00:00", "I9"), ("S1", "complete", "2026-03-03T10:00:00", ""),
    ("S2", "accept", "2026-03-02T09:30:00", "I9"), ("S2", "complete", "2026-03-03T11:00:00", ""),
    ("R1", "accept", "2026-03-02T09:00:00", "I2"), ("R1", "complete", "2026-03-03T10:00:00", ""),
    ("R2", "accept", "2026-03-02T09:30:00", "I2"), ("R2", "complete", "2026-03-03T11:00:00", ""),
    ("T1", "accept", "2026-03-02T09:00:00", "I0"), ("T1", "complete", "2026-03-02T10:00:00", ""),
    ("T2", "accept", "2026-03-02T09:30:00", "I0"), ("T2", "complete", "2026-03-02T11:00:00", ""),
    # The previous period of the same length (2026-01-29 .. 2026-02-28): SC on time, RS late
    # (accepted 01-05, due 01-07, completed 02-02).
    ("F1", "accept", "2026-02-02T09:00:00", "I9"), ("F1", "complete", "2026-02-02T10:00:00", ""),
    ("F2", "accept", "2026-01-05T09:00:00", "I2"), ("F2", "complete", "2026-02-02T10:00:00", ""),
]  # fmt: skip
EVALUATIONS = [
    ("ES1", 5, "2026-03-03T12:00:00", "S1"),
    ("ER1", 4, "2026-03-03T12:00:00", "R1"),
    ("ET1", 5, "2026-03-02T12:00:00", "T1"),
]
COMPLAINTS = [
    # About SC by its unit; about ST1 through its case only (the case's unit counts).
    ("C1", "2026-03-05T10:00:00", "hotline", "窗口办理慢", "SC", ""),
    ("C2", "2026-03-06T10:00:00", "web", "态度不好", "", "T2"),
]


def _file(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def roles(region, django_user_model) -> SimpleNamespace:
    """A leader and the service office of the region, the market bureau's staff."""
    from govwatch.accounts.models import Membership, Role

    def person(name: str, role: str, unit) -> object:
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=user, role=role, unit=unit)
        return user

    return SimpleNamespace(
        leader=person("lingdao", Role.LEADER, region["root"]),
        office=person("zhengwuban", Role.OFFICE, region["root"]),
        market_staff=person("shichang", Role.UNIT_STAFF, region["market"]),
    )


@pytest.fixture
def ranked(region, tmp_path) -> dict:
    for kind, header, rows in (
        ("cases", ["case_no", "event", "at", "item_code"], CASES),
        ("evaluations", ["eval_id", "level", "at", "case_no"], EVALUATIONS),
        ("complaints", ["complaint_id", "at", "source", "content", "unit_code", "case_no"], COMPLAINTS),
    ):
        result = run_import(kind, _file(tmp_path / f"{kind}.csv", header, rows))
        assert result.rejected == 0, result.document()["errors"]
    return region


__all__ = ["ranked", "roles"]
