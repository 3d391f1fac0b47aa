"""The import service: one function the command line, the pages, the API and the worker all call."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.utils import timezone

from govwatch.audit.log import Actor, record

from .fields import FIELDS
from .models import ImportRun
from .readers import FileProblem, Record, Table, open_table

# The errors kept in full in the run and the output; `rejected` counts them all.
MAX_ERRORS = 1000
# A rectification list is read in the offices' own form (title rows, merged cells): its own reader.
KINDS = (*FIELDS, "rectification")


@dataclass
class ImportResult:
    kind: str
    filename: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None

    def reject(self, line: int, field_name: str, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "field": field_name, "message": message})

    def document(self) -> dict[str, Any]:
        """The output of `govwatch import` (contract section 5)."""
        return {
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": sorted(self.errors, key=lambda e: e["line"]),
        }


Importer = Callable[[Iterator[Record], ImportResult, ImportRun], None]


def _importers() -> dict[str, Importer]:
    from . import cases, facts, master, rectification

    return {
        "rectification": rectification.import_rectification,
        "units": master.import_units,
        "items": master.import_items,
        "cases": cases.import_events,
        "evaluations": facts.import_evaluations,
        "complaints": facts.import_complaints,
    }


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
        table = open_table(path, FIELDS[kind])
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
    run = ImportRun.objects.create(
        kind=kind,
        filename=filename[:500],
        operator=operator,
        operator_label=(operator_label if operator_label is not None else default_operator_label())[:150],
    )
    result.run_id = run.pk
    try:
        importer = _importers()[kind]
        if kind == "rectification":
            importer = partial(importer, title=getattr(table, "title", ""))
        importer(table.rows, result, run)
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
    return result
