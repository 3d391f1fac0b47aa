"""What a run holds outside its parts: SQLite's page cache and sort buffers bounded for the run and
put back after, temporary tables in files, missing_evaluations' unevaluated cases read for its
findings only and a few findings at a time, and PostgreSQL's rows fetched from a server-side cursor."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction

from govwatch.checks import data, missing, runs
from govwatch.checks.models import Kind

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def _pragma(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return int(cursor.fetchone()[0])


def _set(name: str, value: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name} = {value}")


def _seen_during_run(monkeypatch, names: tuple[str, ...], fail: bool = False) -> dict[str, int]:
    """Run the checks over March with a spy in place of the rules: the pragmas it sees."""
    seen: dict[str, int] = {}

    def spy(ctx, kinds=None):
        seen.update({name: _pragma(name) for name in names})
        if fail:
            raise RuntimeError("a rule failed")
        yield from ()

    monkeypatch.setattr(runs, "candidates", spy)
    from govwatch.audit.log import Actor

    if fail:
        with pytest.raises(RuntimeError):
            runs.run_checks(*MARCH, Actor("test"))
    else:
        runs.run_checks(*MARCH, Actor("test"))
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("fail", [False, True])
def test_a_run_holds_sqlites_cache_and_sorts_to_a_bound_and_puts_the_cache_back(monkeypatch, fail):
    if not _sqlite():
        pytest.skip("SQLite's own memory")
    _set("cache_size", -65536)
    seen = _seen_during_run(monkeypatch, ("cache_size",), fail=fail)
    assert seen == {"cache_size": -data.RUN_CACHE_KIB}
    assert _pragma("cache_size") == -65536  # the connection's own, after a run that failed too


@pytest.mark.django_db(transaction=True)
def test_temporary_tables_go_to_files_during_a_run_where_the_connection_keeps_them_in_memory(monkeypatch):
    if not _sqlite():
        pytest.skip("SQLite's temporary store")
    _set("temp_store", 2)  # MEMORY
    try:
        assert _seen_during_run(monkeypatch, ("temp_store",)) == {"temp_store": 1}  # FILE
        assert _pragma("temp_store") == 2
        _set("temp_store", 0)  # the build's default (files, here)
        assert _seen_during_run(monkeypatch, ("temp_store",)) in ({"temp_store": 0}, {"temp_store": 1})
        assert _pragma("temp_store") == 0
    finally:
        _set("temp_store", 0)


@pytest.mark.django_db(transaction=True)
def test_a_run_inside_a_transaction_that_used_temporary_tables_goes_on_and_keeps_them():
    """SQLite cannot change its temporary store inside a transaction that used it (changing it would
    drop the temporary tables): the run goes on with the store as it is."""
    if not _sqlite():
        pytest.skip("SQLite's temporary store")
    _set("temp_store", 2)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("CREATE TEMPORARY TABLE test_memory_kept (n INTEGER)")
                cursor.execute("INSERT INTO test_memory_kept VALUES (1)")
            with data.run_memory():
                assert _pragma("cache_size") == -data.RUN_CACHE_KIB
            with connection.cursor() as cursor:
                cursor.execute("SELECT n FROM test_memory_kept")
                assert cursor.fetchall() == [(1,)]
                cursor.execute("DROP TABLE test_memory_kept")
    finally:
        _set("temp_store", 0)


def _two_silent_months(world) -> None:
    """Jan-Mar of an honest district where B8 entered nearly nothing in March and B7 in February."""
    peers = ["B1", "B2", "B3", "B4", "B5", "B6"]
    world.honest(date(2026, 1, 5), MARCH[1], units=peers, per_day=3, share=0.4)
    world.honest(date(2026, 1, 5), date(2026, 2, 28), units=["B8"], per_day=3, share=0.4)
    world.honest(*MARCH, units=["B8"], per_day=3, share=0.01)
    world.honest(date(2026, 1, 5), date(2026, 1, 31), units=["B7"], per_day=3, share=0.4)
    world.honest(date(2026, 2, 1), date(2026, 2, 28), units=["B7"], per_day=3, share=0.01)
    world.honest(*MARCH, units=["B7"], per_day=3, share=0.4)
    world.load()


@pytest.mark.django_db
def test_missing_evaluations_reads_the_cases_of_its_findings_unit_months_only_a_few_findings_at_a_time(
    world, check, monkeypatch
):
    _two_silent_months(world)
    year = (date(2026, 1, 1), MARCH[1])

    def found() -> list[tuple]:
        return [
            (o.finding.unit.code, o.candidate.window_code, f"{o.finding.month:%Y-%m}", tuple(o.candidate.case_nos),
             tuple(o.candidate.reasons), o.candidate.score)
            for o in check(*year).get(Kind.MISSING_EVALUATIONS, [])
        ]  # fmt: skip

    whole = found()
    assert {(unit, month) for unit, _, month, *_ in whole} == {("B8", "2026-03"), ("B7", "2026-02")}
    from govwatch.cases.models import Case

    for unit, window, month, case_nos, *_ in whole:
        assert not window
        y, m = map(int, month.split("-"))
        assert set(case_nos) == set(
            Case.objects.filter(unit__code=unit, evaluations=None, closed_on__year=y, closed_on__month=m)
            .values_list("case_no", flat=True)
        )  # fmt: skip
        assert list(case_nos) == sorted(case_nos)

    read: list[list[tuple]] = []

    def spy(sql, params):
        rows = list(data.stream(sql, params))
        read.append(rows)
        return iter(rows)

    monkeypatch.setattr(missing, "stream", spy)
    monkeypatch.setattr(missing, "CANDIDATES_AT_ONCE", 1)
    from govwatch.checks.models import Finding

    Finding.objects.all().delete()  # found again from scratch
    assert found() == whole
    assert len(read) == 2  # one statement per finding
    named = {(unit, month) for unit, _, month, *_ in whole}
    ids = dict(world_units())
    for rows in read:  # each statement read its own finding's unit-month and nothing else
        assert len({(ids[u], m) for u, _w, m, _c in rows}) == 1
        assert {(ids[u], m) for u, _w, m, _c in rows} <= named


def world_units() -> list[tuple[int, str]]:
    from govwatch.orgs.models import Unit

    return list(Unit.objects.values_list("id", "code"))


@pytest.mark.django_db
def test_rows_are_read_a_batch_at_a_time_from_a_server_side_cursor_on_postgresql(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's driver")
    monkeypatch.setattr(data, "FETCH", 3)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE test_memory_rows (n INTEGER)")
        cursor.executemany("INSERT INTO test_memory_rows VALUES (%s)", [(n,) for n in range(10)])
    rows = data.stream("SELECT n FROM test_memory_rows ORDER BY n", [])
    assert next(rows) == (0,)
    with connection.cursor() as cursor:  # the statement's cursor is open on the server
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE statement LIKE %s", ["%test_memory_rows%"])
        assert cursor.fetchone()[0] == 1
    assert [n for (n,) in rows] == list(range(1, 10))
    batches = list(data.fetched("SELECT n FROM test_memory_rows ORDER BY n", []))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    with connection.cursor() as cursor:  # each closed when read to its end
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE statement LIKE %s", ["%test_memory_rows%"])
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("findings", [0, 1, 3])
def test_the_run_document_written_a_finding_at_a_time_is_the_one_emit_prints(findings, capsys):
    from govwatch.checks.cli import _emit_run
    from govwatch.core.console import emit

    doc = {
        "findings": [
            {"kind": "off_hours", "unit_code": f"B{n}", "window_code": None, "month": "2026-03",
             "eval_ids": [f"E{n}", "E9"], "case_nos": [], "score": 0.5, "reasons": ["夜间评价 “满意”"],
             "finding_id": n, "status": "open", "new": True}
            for n in range(findings)
        ],
        "run": {"id": 7, "from": "2026-03-01", "to": "2026-03-31", "findings": findings, "new": 0,
                "counts": {"off_hours": {"findings": findings}}, "seconds": 1.5},
    }  # fmt: skip
    emit(doc)
    whole = capsys.readouterr().out
    _emit_run(doc)
    assert capsys.readouterr().out == whole


def test_a_runs_outcomes_are_read_back_in_order_as_often_as_asked_by_two_readers_at_once():
    from datetime import date

    from govwatch.checks.rules import Candidate
    from govwatch.checks.runs import Outcome, Spool

    spool = Spool()
    made = [
        Outcome(Candidate("burst", 1, "W1", f"k{i}", date(2026, 3, 1), [f"E{i}"], [f"C{i}"], 0.5, ["r"]), i, "open", i % 2 == 0)
        for i in range(5)
    ]  # fmt: skip
    for o in made:
        spool.append(o)
    assert len(spool) == 5
    assert list(spool) == made and list(spool) == made
    first, second = iter(spool), iter(spool)
    assert [next(first), next(second), next(first)] == [made[0], made[0], made[1]]
    assert list(second) == made[1:]
    spool.close()
