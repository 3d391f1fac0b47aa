"""Importing complaints (投诉) reported by other systems: facts, never edited.

The contact is personal data: only its keyed hash and ciphertext are stored, and no message
repeats it.
"""

from __future__ import annotations

from typing import Any

from govwatch.complaints.models import Complaint
from govwatch.core.choices import ComplaintCategory, ComplaintSource
from govwatch.core.pii import protect
from govwatch.core.rowfields import Row, digest, utc_text
from govwatch.core.tables import Table

from .keyed import KeyedFacts
from .models import ImportRun
from .results import ImportResult


class _Complaints(KeyedFacts):
    kind = "complaints"
    model = Complaint
    key = "complaint_id"
    label = "投诉编号"

    def parse(self, row: Row) -> dict[str, Any]:
        return {
            "complaint_id": row.text("complaint_id"),
            "at": row.timestamp("at"),
            "source": row.choice("source", ComplaintSource),
            "content": row.text("content"),
            "unit_code": row.text("unit_code"),
            "case_no": row.text("case_no"),
            "category": row.choice("category", ComplaintCategory),
            "contact": row.text("contact"),
        }

    def build(self, p: dict[str, Any], cases: dict[str, tuple]) -> Complaint:
        unit_id = self.unit_id(p, cases, required=False)
        contact_hash, contact_enc = protect(p["contact"])
        return Complaint(
            complaint_id=p["complaint_id"], at=p["at"], source=p["source"], content=p["content"], unit_id=unit_id,
            case_id=p["case_no"] or None, category=p["category"], contact_hash=contact_hash,
            contact_enc=contact_enc,
            digest=digest(
                p["complaint_id"], utc_text(p["at"]), p["source"], p["content"], unit_id, p["case_no"],
                p["category"], contact_hash,
            ),
        )  # fmt: skip


def import_complaints(table: Table, result: ImportResult, run: ImportRun) -> None:
    _Complaints(result, run).run_rows(table.rows)
