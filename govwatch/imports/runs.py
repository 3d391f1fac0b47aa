"""The import service: one function the command line, the pages, the API and the worker all call."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.utils import timezone

from govwatch.audit.log import Actor, record
from govwatch.core.dbstats import after_bulk_write
from govwatch.core.tables import FileProblem, Table, open_table

from .interrupted import keep_alive, mark_interrupted, this_host
from .kinds import FIELDS
from .models import ImportRun
from .results import Importer, ImportResult

# The kinds of contract section 2, then the registers of the areas (govwatch.imports.registers),
# then those of window operations (staff and attendance are contract section 12's) and kiosks.
REGISTER_KINDS = (
    "projects", "milestones", "targets", "inspectors", "officers", "regulatory_items", "supervision_actions",
)  # fmt: skip
AREA_KINDS = (
    "windows", "staff", "attendance", "absences", "tickets", "assists", "kiosks", "kiosk_status", "kiosk_faults",
)  # fmt: skip
# A rectification list is read in the offices' own form (title rows, merged cells): its own reader.
KINDS = (*FIELDS, *REGISTER_KINDS, *AREA_KINDS, "rectification")


def _area_kinds() -> dict:
    from . import kiosks, windows

    kinds = (
        windows.WindowKind, windows.StaffKind, windows.AttendanceKind, windows.AbsenceKind, windows.TicketKind,
        windows.AssistKind,
        kiosks.KioskKind, kiosks.StatusKind, kiosks.FaultKind,
    )  # fmt: skip
    return {k.kind: k for k in kinds}


def _importers() -> dict[str, Importer]:
    from functools import partial

    from . import cases, complaints, evaluations, items, rectification, registers, units
    from .areas import importer

    return {
        "units": units.import_units,
        "items": items.import_items,
        "rectification": rectification.import_rectification,
        "cases": cases.import_events,
        "evaluations": evaluations.import_evaluations,
        "complaints": complaints.import_complaints,
        **{kind: partial(registers.import_register, kind) for kind in REGISTER_KINDS},
        **{kind: importer(cls) for kind, cls in _area_kinds().items()},
    }


def fields_of(kind: str) -> tuple:
    if kind in REGISTER_KINDS:
        from .registers import FIELDS as REGISTER_FIELDS

        return REGISTER_FIELDS[kind]
    return FIELDS[kind] if kind in FIELDS else _area_kinds()[kind].fields


def default_operator_label() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise FileProblem(f"未知的导入类型“{kind}”，应为 {'、'.join(KINDS)}")


def run_import(
    kind: str,
    path: str | Path,
    *,
    operator_label: str | None = None,
    operator: Any = None,
    filename: str | None = None,
    source: str = "cli",
) -> ImportResult:
    """Import one file of one record kind; raises FileProblem when the file is unusable.

    `filename` is the name to record (an uploaded file's own name rather than its temporary path);
    `source` where the run came from (an IP address, "cli"). Each run is one audit entry.
    """
    _check_kind(kind)
    if kind == "rectification":
        from .rectification import open_list_table

        table = open_list_table(path)
    else:
        table = open_table(path, fields_of(kind))
    return run_import_records(
        kind,
        table,
        operator_label=operator_label,
        operator=operator,
        filename=filename or str(path),
        source=source,
    )


def run_import_records(
    kind: str,
    table: Table,
    *,
    operator_label: str | None = None,
    operator: Any = None,
    filename: str,
    source: str = "cli",
) -> ImportResult:
    """Import records already read (a file's table, an API batch): same checks, run and audit entry.

    `filename` names the origin in the run and the audit entry (a file, "API 推送 /api/v1/...").
    """
    _check_kind(kind)
    result = ImportResult(kind=kind, filename=filename)
    label = (operator_label if operator_label is not None else default_operator_label())[:150]
    # Runs killed earlier are found here too, not only by the worker: their evidence first.
    mark_interrupted(Actor(label, operator, source))
    run = ImportRun.objects.create(
        kind=kind, filename=filename[:500], operator=operator, operator_label=label,
        host=this_host(), pid=os.getpid(), heartbeat_at=timezone.now(),
    )  # fmt: skip
    result.run_id = run.pk
    run.source = source  # where the run came from, for the audit entries its importer writes itself
    keep_alive(table, run)
    try:
        _importers()[kind](table, result, run)
        if kind == "cases" and result.imported:
            # Evaluations that came before their cases now have them (contract section 8).
            from govwatch.evaluations.pending import link_arrived_cases

            link_arrived_cases()
    finally:
        result.warnings = [*table.warnings, *result.warnings]
        run.read, run.imported, run.duplicates, run.rejected = (
            result.read, result.imported, result.duplicates, result.rejected,
        )  # fmt: skip
        run.errors = result.document()["errors"]
        run.warnings = result.warnings
        run.finished_at = timezone.now()
        run.save()
        record(
            Actor(run.operator_label, operator, source),
            f"import.{kind}",
            run,
            summary=f"导入{run.get_kind_display()} {filename}：读取 {result.read}，导入 {result.imported}，"
            f"重复 {result.duplicates}，拒绝 {result.rejected}",
            after={"file": filename, "read": result.read, "imported": result.imported,
                   "duplicates": result.duplicates, "rejected": result.rejected},
        )  # fmt: skip
    # A bulk import's tables are analyzed now rather than when autovacuum comes by (PostgreSQL).
    after_bulk_write(result.imported)
    return result
