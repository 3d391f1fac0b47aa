"""Import runs whose process died midway (killed, out of memory, a power cut).

The importers commit batch by batch, so a killed run leaves committed rows and an ImportRun with no
end. The re-run repairs the data (it skips what is stored), but the evidence of the partial run is
kept: the run is marked interrupted when found (by the next import, or by the worker), one audit
entry says so with the rows it committed, and those rows keep their `import_run`.

A run is known dead when its process is gone on the same host, or, run on another host, when it has
given no sign of life (its heartbeat, written while it reads) for GOVWATCH_IMPORT_STALE_MINUTES.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govwatch.audit.log import Actor, record
from govwatch.core.tables import Table

from .models import ImportRun

HEARTBEAT_SECONDS = 30
WORKER = Actor("system:worker")


def this_host() -> str:
    return socket.gethostname()[:255]


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # the number was reused by the process asking: the run's own process is gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def is_dead(run: ImportRun, now: datetime) -> bool:
    if run.host == this_host() and run.pid:
        return not _alive(run.pid)
    last = run.heartbeat_at or run.started_at
    return now - last > timedelta(minutes=settings.IMPORT_STALE_MINUTES)


def rows_of(run: ImportRun) -> dict[str, int]:
    """The rows the run committed, by model: every model that records its import run."""
    counts = {}
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "import_run"), None)
        if field is not None and field.related_model is ImportRun:
            n = model._default_manager.filter(import_run=run).count()
            if n:
                counts[model._meta.label_lower] = n
    return counts


def mark_interrupted(actor: Actor = WORKER, now: datetime | None = None) -> list[ImportRun]:
    """Find the unfinished runs whose process is gone; mark each interrupted (claimed by a
    conditional UPDATE, so two finders never both do it) and audit it with its committed rows."""
    now = now or timezone.now()
    found = []
    for run in ImportRun.objects.filter(finished_at=None, interrupted_at=None).order_by("id"):
        if not is_dead(run, now):
            continue
        with transaction.atomic():
            claimed = ImportRun.objects.filter(pk=run.pk, finished_at=None, interrupted_at=None).update(
                interrupted_at=now
            )
            if claimed != 1:
                continue
            run.interrupted_at = now
            rows = rows_of(run)
            committed = sum(rows.values())
            run.imported = committed
            run.warnings = [
                *run.warnings,
                f"导入中断：进程在完成前停止，已提交 {committed} 条记录（可重新导入同一文件补齐）",
            ]
            run.save(update_fields=["imported", "warnings"])
            record(
                actor,
                "import.interrupted",
                run,
                summary=f"导入{run.get_kind_display()} {run.filename} 中断（开始于 {timezone.localtime(run.started_at):%Y-%m-%d %H:%M}）："
                f"已提交 {committed} 条记录",
                after={"file": run.filename, "started_at": run.started_at, "operator": run.operator_label,
                       "host": run.host, "pid": run.pid, "rows": rows},
                at=now,
            )  # fmt: skip
        found.append(run)
    return found


def keep_alive(table: Table, run: ImportRun) -> None:
    """While the table is read, the run's heartbeat is written every HEARTBEAT_SECONDS."""
    last = time.monotonic()

    def beat() -> None:
        nonlocal last
        if time.monotonic() - last > HEARTBEAT_SECONDS:
            ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
            last = time.monotonic()

    table.observe(beat)
