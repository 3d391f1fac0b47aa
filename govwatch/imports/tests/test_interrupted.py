"""An import killed midway: its committed rows stay attributable to its run, and the run is marked
interrupted and audited when found, by the next import or by the worker."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from govwatch.audit.log import verify
from govwatch.audit.models import AuditEntry
from govwatch.cases.models import CaseEvent
from govwatch.core.tables import open_table
from govwatch.imports import cases
from govwatch.imports.interrupted import mark_interrupted, this_host
from govwatch.imports.models import ImportRun
from govwatch.imports.results import ImportResult
from govwatch.imports.runs import fields_of, run_import

from .helpers import events_csv


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _killed_run(tmp_path, *, host: str | None = None, pid: int | None = None) -> ImportRun:
    """What a SIGKILL after the first batches leaves: the run and its committed rows, no end and no
    audit entry (the importer ran; the code after it never did)."""
    path = events_csv(
        tmp_path / "part.csv",
        [["K1", "accept", "2026-03-02T09:00:00", "I9"], ["K2", "accept", "2026-03-02T10:00:00", "I9"]],
    )
    run = ImportRun.objects.create(
        kind="cases", filename=str(path), operator_label="cli:ops", host=this_host() if host is None else host,
        pid=_dead_pid() if pid is None else pid, heartbeat_at=timezone.now(),
    )  # fmt: skip
    result = ImportResult(kind="cases", filename=str(path))
    cases.import_events(open_table(path, fields_of("cases")), result, run)
    return run


def test_a_killed_run_is_marked_interrupted_and_audited_by_the_next_import(region, tmp_path):
    run = _killed_run(tmp_path)
    assert run.status == "进行中"
    again = events_csv(tmp_path / "all.csv", [["K3", "accept", "2026-03-03T09:00:00", "I9"]])
    run_import("cases", again, operator_label="user:office", source="10.0.0.8")
    run.refresh_from_db()
    assert run.status == "中断" and run.finished_at is None and run.imported == 2
    assert "导入中断" in run.warnings[-1]
    entry = AuditEntry.objects.get(action="import.interrupted")
    assert entry.target_id == str(run.pk) and entry.actor == "user:office" and entry.source == "10.0.0.8"
    assert entry.after["rows"] == {"cases.caseevent": 2} and entry.after["file"] == run.filename
    # Its rows are attributable: they carry the interrupted run, the next import's rows their own.
    assert set(CaseEvent.objects.filter(import_run=run).values_list("case__case_no", flat=True)) == {
        "K1",
        "K2",
    }
    assert verify().ok


def test_the_worker_finds_a_killed_run_once(region, tmp_path):
    _killed_run(tmp_path)
    assert len(mark_interrupted()) == 1
    assert mark_interrupted() == []
    entry = AuditEntry.objects.get(action="import.interrupted")
    assert entry.actor == "system:worker"


def test_a_run_whose_process_lives_is_left_alone(region, tmp_path):
    import os

    run = _killed_run(tmp_path, pid=os.getppid())
    assert mark_interrupted() == []
    run.refresh_from_db()
    assert run.status == "进行中"


@pytest.mark.parametrize(("silent_minutes", "interrupted"), [(3, False), (30, True)])
def test_a_run_of_another_host_is_interrupted_once_silent_past_the_limit(region, tmp_path, silent_minutes,
                                                                        interrupted):  # fmt: skip
    run = _killed_run(tmp_path, host="another-host", pid=1)
    ImportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=silent_minutes)
    )
    assert len(mark_interrupted()) == int(interrupted)


def test_a_finished_run_is_never_marked(region, tmp_path):
    path = events_csv(tmp_path / "ok.csv", [["F1", "accept", "2026-03-02T09:00:00", "I9"]])
    result = run_import("cases", path)
    run = ImportRun.objects.get(pk=result.run_id)
    assert run.status == "完成" and run.host == this_host() and run.pid
    ImportRun.objects.filter(pk=run.pk).update(pid=_dead_pid())
    assert mark_interrupted() == []


def test_a_long_case_import_beats_while_it_reads_blocks_and_while_it_writes(region, tmp_path, monkeypatch):
    """A run of another host is judged by its heartbeat alone: the case import reads its CSV a
    block at a time and writes a chunk at a time afterwards, and beats through both."""
    rows = [[f"B{i}", "accept", "2026-03-02T09:00:00", "I9"] for i in range(60)]
    path = events_csv(tmp_path / "long.csv", rows)
    monkeypatch.setattr(cases, "BLOCK", 16)
    monkeypatch.setattr(cases, "CHUNK_CASES", 10)
    beats: list[str] = []
    table = open_table(path, fields_of("cases"))
    table.observe(lambda: beats.append("beat"))
    run = ImportRun.objects.create(
        kind="cases", filename=str(path), host=this_host(), heartbeat_at=timezone.now()
    )
    cases.import_events(table, ImportResult(kind="cases", filename=str(path)), run)
    assert CaseEvent.objects.count() == 60
    assert len(beats) >= 6  # at least one per chunk of ten cases written
