"""Each import run is one audit entry with its file, counts and operator, not one per row."""

from __future__ import annotations

from govwatch.audit.log import verify
from govwatch.audit.models import AuditEntry
from govwatch.imports.runs import run_import


def test_an_import_run_is_one_audit_entry_with_its_counts(region, tmp_path):
    f = tmp_path / "cases.csv"
    f.write_text(
        "case_no,event,at,item_code\nA1,accept,2026-03-02T09:00:00,I9\nA2,accept,2026-03-02T09:00:00,NOPE\n",
        encoding="utf-8",
    )
    run_import("cases", f, operator_label="user:office", source="10.0.0.8")
    entry = AuditEntry.objects.get(action="import.cases")
    assert entry.actor == "user:office" and entry.source == "10.0.0.8"
    assert entry.after == {"file": str(f), "read": 2, "imported": 1, "duplicates": 0, "rejected": 1}
    assert verify().ok
