"""`govwatch demo-load DIR`: import every demo file present in DIR, in dependency order, once.

DEMO_FILES is the order: a file's rows may name rows of the files above it (units before the items
of each unit, items before their cases, cases before their evaluations and complaints). A new area
whose `govwatch demo-data` writes a file of its own adds one line, below what its rows refer to:

    DemoFile("rectification.csv", "rectification"),

and, when its import is not a kind of `govwatch import` (govwatch.imports.runs.run_import), names
its own loader: `DemoFile("projects.xlsx", "projects", load="govwatch.projects.importing.run_import")`,
a function `(kind, path, *, operator_label=None)` returning a result with `document()` (the contract's
import document) and `warnings`, and recording an ImportRun of that kind and file name.

A file counts as imported once an ImportRun of its kind finished for it (by its path as given or
its absolute path): running demo-load again imports only what is new, as `scripts/start` expects.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUN_IMPORT = "govwatch.imports.runs.run_import"


@dataclass(frozen=True)
class DemoFile:
    name: str
    kind: str
    load: str = RUN_IMPORT


# Key projects, double-random registers, Internet+regulation (govwatch.imports.registers), then
# window operations and kiosks (govwatch.imports.areas), in the order their rows refer to each other.
REGISTER_KINDS = (
    "projects",
    "milestones",
    "targets",
    "inspectors",
    "officers",
    "regulatory_items",
    "supervision_actions",
)
AREA_KINDS = (
    "windows",
    "staff",
    "attendance",
    "absences",
    "tickets",
    "assists",
    "kiosks",
    "kiosk_status",
    "kiosk_faults",
)

DEMO_FILES = [
    DemoFile("units.csv", "units"),
    DemoFile("items.csv", "items"),
    DemoFile("cases.csv", "cases"),
    DemoFile("evaluations.csv", "evaluations"),
    DemoFile("complaints.csv", "complaints"),
    *(DemoFile(f"{kind}.csv", kind) for kind in REGISTER_KINDS),
    *(DemoFile(f"{kind}.csv", kind) for kind in AREA_KINDS),
    # What people did in the areas (monthly reports, letters, draws), and the gold-medal rounds.
    DemoFile("area_activity.json", "demo_activity", load="govwatch.demo.projects.load_activity"),
    DemoFile("gold.json", "gold_rounds", load="govwatch.demo.windows.load_gold"),
    # Rectification lists (seeds 003, 001), then their history, hall inspections and risk points.
    DemoFile("rectification.xlsx", "rectification"),
    DemoFile("rectification_openness.csv", "rectification"),
    DemoFile(
        "rectification.json", "demo_rectification", load="govwatch.demo.rectification_lists.load_history"
    ),
]


class DemoLoadError(Exception):
    """The directory or one of its files is unusable; the message is for the user."""


def already_imported(kind: str, path: str) -> bool:
    from govwatch.imports.models import ImportRun

    names = {path, os.path.abspath(path)}
    return ImportRun.objects.filter(kind=kind, filename__in=names, finished_at__isnull=False).exists()


def _loader(dotted: str) -> Callable[..., Any]:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def load_demo(directory: str | Path, *, report: Callable[[dict], None] = lambda row: None) -> list[dict]:
    """Import the files of DEMO_FILES found in `directory`, skipping those already imported.

    Returns one row per known file: `file`, `kind`, `status` (imported, skipped, absent) and, when
    imported, the import document's counts and errors. `report(row)` is called as each is done.
    Raises DemoLoadError for a missing directory or an unusable file (the files after it, which may
    depend on it, are left alone).
    """
    from govwatch.core.tables import FileProblem

    directory = str(directory)
    if not os.path.isdir(directory):
        raise DemoLoadError(f"演示数据目录不存在：{directory}")
    rows = []
    for demo in DEMO_FILES:
        path = os.path.join(directory, demo.name)
        row: dict[str, Any] = {"file": demo.name, "kind": demo.kind}
        if not os.path.isfile(path):
            row["status"] = "absent"
        elif already_imported(demo.kind, path):
            row["status"] = "skipped"
        else:
            try:
                result = _loader(demo.load)(demo.kind, path, operator_label="cli:demo-load")
            except FileProblem as exc:
                raise DemoLoadError(f"{demo.name}：{exc}") from exc
            row.update(status="imported", **result.document(), warnings=list(result.warnings))
        rows.append(row)
        report(row)
    if any(row["status"] == "imported" for row in rows):
        # A whole region at once: the daily figures in one pass rather than unit by unit.
        from govwatch.figures.fold import rebuild

        rebuild()
    return rows
