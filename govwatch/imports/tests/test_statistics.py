"""The planner's statistics after a bulk import (govwatch.core.dbstats): PostgreSQL's tables are
analyzed at once; SQLite is left without statistics on purpose (stat1 averages mislead its planner
about the skewed state columns)."""

from __future__ import annotations

import pytest
from django.db import connection

from govwatch.core import dbstats
from govwatch.imports.runs import run_import

from .helpers import events_csv

ROWS = [[f"S{i:03d}", "accept", "2026-03-02T09:00:00", "I9"] for i in range(80)]


def _analyzed(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s", [table]
            )
            return bool(cursor.fetchone()[0])
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone() is not None


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_analyzes_its_tables_on_postgresql_and_leaves_sqlite_without_statistics(
    region, tmp_path, monkeypatch
):
    monkeypatch.setattr(dbstats, "BULK_ROWS", len(ROWS))
    result = run_import("cases", events_csv(tmp_path / "e.csv", ROWS), operator_label="test")
    assert result.imported == len(ROWS)
    assert _analyzed("cases_case") is (connection.vendor == "postgresql")


def test_a_small_import_leaves_the_statistics_to_autovacuum():
    assert dbstats.after_bulk_write(dbstats.BULK_ROWS - 1) == []
