"""Importing complaints (投诉) reported by other systems: facts, never edited.

Contract 1.1's `kind` and `urgency` are read, and GovWatch's extension for complaints the source
system has handled already (`closed_at`, `finding`, `reply`, `callback`); the complaint's state,
deadline and repeat links are decided by govwatch.complaints.intake, as for the complaints GovWatch
takes itself. The contact is personal data: only its keyed hash and ciphertext are stored, and no
message repeats it.
"""

from __future__ import annotations

from typing import Any

from govwatch.complaints import intake
from govwatch.complaints.models import Complaint
from govwatch.core.choices import ComplaintCategory, ComplaintKind, ComplaintSource, ComplaintUrgency
from govwatch.core.pii import protect
from govwatch.core.rowfields import Row, RowError, digest, utc_text
from govwatch.core.tables import Table
from govwatch.workcal.calendar import get_calendar

from .keyed import KeyedFacts
from .models import ImportRun
from .results import ImportResult


def _extras(row: Row) -> dict[str, Any]:
    """The optional fields of a complaint (contract 1.1: kind, urgency; GovWatch's extension: the
    outcome of a complaint its source system has handled already), checked."""
    extras = {
        "kind": row.choice("kind", ComplaintKind, ComplaintKind.COMPLAINT),
        "urgency": row.choice("urgency", ComplaintUrgency, ComplaintUrgency.NORMAL),
        "closed_at": row.timestamp("closed_at"),
        "finding": row.choice("finding", Complaint.Finding),
        "reply": row.text("reply"),
        "callback": row.choice("callback", Complaint.Callback),
    }
    at = row.timestamp("at")
    if extras["closed_at"] is None and (extras["finding"] or extras["reply"] or extras["callback"]):
        raise RowError("closed_at", "填写核查结论、答复内容或回访结果时，须填写办结时间 closed_at(办结时间)")
    if extras["closed_at"] is not None:
        if at is not None and extras["closed_at"] < at:
            raise RowError("closed_at", "办结时间 closed_at(办结时间) 早于投诉时间")
        if not row.text("unit_code") and not row.text("case_no"):
            raise RowError("unit_code", "已办结的投诉须填写被投诉单位编码 unit_code 或业务编号 case_no")
    return extras


def _digest_extras(p: dict[str, Any]) -> tuple:
    """The optional fields as they enter the row's digest: nothing while they are all at their
    defaults, so a row imported before they existed is still the same row."""
    if (p["kind"], p["urgency"]) == (ComplaintKind.COMPLAINT, ComplaintUrgency.NORMAL) and not any(
        p[k] for k in ("closed_at", "finding", "reply", "callback")
    ):
        return ()
    return (p["kind"], p["urgency"], utc_text(p["closed_at"]) if p["closed_at"] else "", p["finding"], p["reply"],
            p["callback"])  # fmt: skip


class _Complaints(KeyedFacts):
    kind = "complaints"
    model = Complaint
    key = "complaint_id"
    label = "投诉编号"

    def __init__(self, result: ImportResult, run: ImportRun):
        super().__init__(result, run)
        self.calendar = get_calendar()

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
            **_extras(row),
        }

    def build(self, p: dict[str, Any], cases: dict[str, tuple]) -> Complaint:
        unit_id = self.unit_id(p, cases, required=False)
        contact_hash, contact_enc = protect(p["contact"])
        complaint = Complaint(
            complaint_id=p["complaint_id"], at=p["at"], source=p["source"], content=p["content"], unit_id=unit_id,
            case_id=p["case_no"] or None, category=p["category"], contact_hash=contact_hash,
            contact_enc=contact_enc,
            digest=digest(
                p["complaint_id"], utc_text(p["at"]), p["source"], p["content"], unit_id, p["case_no"],
                p["category"], contact_hash, *_digest_extras(p),
            ),
        )  # fmt: skip
        intake.prepare(complaint, p, self.calendar)
        return complaint

    def after_insert(self, new: list[Complaint]) -> None:
        intake.after_insert(new)


def import_complaints(table: Table, result: ImportResult, run: ImportRun) -> None:
    _Complaints(result, run).run_rows(table.rows)
