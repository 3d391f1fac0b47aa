"""The outcome of one import run: counts, the first errors in full and the warnings (contract
section 5's document)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from govwatch.core.tables import Table

from .models import ImportRun

# The errors kept in full in the run and the output; `rejected` counts them all.
MAX_ERRORS = 1000


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


Importer = Callable[[Table, ImportResult, ImportRun], None]
