"""The first import into empty case tables builds the secondary indexes once, at the end."""

from __future__ import annotations

from django.db import connection

from govwatch.cases.bulkload import _expected, _present, ensure_indexes, indexes_deferred
from govwatch.cases.models import Case, CaseEvent, Suspension
from govwatch.imports import cases as case_import
from govwatch.imports.runs import run_import

from .helpers import events_csv

ROWS = [
    ["A1", "accept", "2026-03-02T09:00:00", "I9"],
    ["A1", "complete", "2026-03-03T09:00:00"],
    ["A2", "accept", "2026-03-02T10:00:00", "I2"],
]


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for m in (Case, CaseEvent, Suspension)
            for name in connection.introspection.get_constraints(cursor, m._meta.db_table)
        }


def test_a_bulk_load_ends_with_every_secondary_index(region, tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(case_import, "indexes_deferred", lambda: _spy(seen))
    result = run_import("cases", events_csv(tmp_path / "e.csv", ROWS), operator_label="test")
    assert seen == ["deferred"] and result.imported == 3
    assert {name for _, name, _ in _expected()} <= _index_names()
    # A second file finds the cases stored: the careful path, no index dropped.
    run_import(
        "cases",
        events_csv(tmp_path / "f.csv", [["A2", "complete", "2026-03-04T09:00:00"]]),
        operator_label="t",
    )
    assert seen == ["deferred"] and Case.objects.get(case_no="A2").status == "completed"


def _spy(seen):
    seen.append("deferred")
    return indexes_deferred()


def test_indexes_left_missing_by_a_killed_load_are_built_by_the_next_import(region, tmp_path):
    with connection.cursor() as cursor:
        for _, name, _ in _expected():
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    assert not {name for _, name, _ in _expected()} & _index_names()
    run_import("cases", events_csv(tmp_path / "e.csv", ROWS[:1]), operator_label="test")
    assert {name for _, name, _ in _expected()} <= _index_names()
    assert ensure_indexes() == []


def test_the_index_names_read_from_the_catalog_are_those_django_finds(region):
    with connection.cursor() as cursor:
        for m in (Case, CaseEvent, Suspension):
            table = m._meta.db_table
            found = connection.introspection.get_constraints(cursor, table)
            assert {name for name, c in found.items() if c["index"]} <= _present(table)
            assert {name for t, name, _ in _expected() if t == table} <= _present(table)


def test_a_case_stored_by_someone_else_during_a_bulk_load_is_merged_not_lost(region, tmp_path, monkeypatch):
    # The tables look empty when the import starts; a push stores A1 before the chunk is written.
    real = case_import._Chunker._process
    pushed = []

    def push_first(self, chunk):
        if self.bulk and not pushed:
            pushed.append(True)
            run_import("cases", events_csv(tmp_path / "push.csv", ROWS[:1]), operator_label="push")
        return real(self, chunk)

    monkeypatch.setattr(case_import._Chunker, "_process", push_first)
    result = run_import("cases", events_csv(tmp_path / "e.csv", ROWS), operator_label="test")
    assert (result.imported, result.duplicates, result.rejected) == (2, 1, 0), result.errors
    assert Case.objects.get(case_no="A1").status == "completed" and CaseEvent.objects.count() == 3
