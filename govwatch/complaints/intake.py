"""Complaints recorded by other systems (imports, API pushes): the fields of contract version 1.1
(`kind`, `urgency`) and GovWatch's extension for complaints the source system has handled already
(`closed_at`, `finding`, `reply`, `callback`), their state and deadline, their repeat links, and
the watch on the deadline of each one still open.

The importer (govwatch.imports) reads and checks the rows and calls these: what a complaint's state,
deadline and links are is decided here, as for the complaints GovWatch takes itself.
"""

from __future__ import annotations

from typing import Any

from govwatch.cases.stale import mark_stale

from . import deadlines, figures, repeats, watching
from .models import Complaint

Status = Complaint.Status


def prepare(complaint: Complaint, p: dict[str, Any], cal) -> None:
    """State and deadline of an imported complaint (unsaved): closed when the source closed it,
    being handled when the source named its unit (the source dispatched it), else awaiting triage."""
    complaint.kind, complaint.urgency = p["kind"], p["urgency"]
    deadlines.schedule(complaint, cal=cal)
    if complaint.unit_id or complaint.case_id:
        complaint.triaged_at = complaint.at
    if p["closed_at"] is not None:
        complaint.status = Status.CLOSED
        complaint.closed_at = p["closed_at"]
        complaint.closed_on_time = deadlines.on_time(p["closed_at"], complaint.due_date)
        complaint.finding, complaint.reply = p["finding"], p["reply"]
        complaint.callback_result = p["callback"]
        complaint.called_back_at = p["closed_at"] if p["callback"] else None
    elif complaint.unit_id:
        complaint.status = Status.ASSIGNED
    else:
        complaint.status = Status.RECEIVED


def after_insert(complaints: list[Complaint]) -> None:
    """Link the new complaints (saved) to the matters they repeat (and relink those they change),
    put the deadlines of the open ones under e-supervision, and mark their days' figures stale."""
    mark_stale(figures.stale_days((c.unit_id, c.at, c.closed_at) for c in complaints))
    repeats.relink([c.pk for c in complaints])
    watching.follow_new(complaints)
