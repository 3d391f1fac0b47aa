"""What people do with findings and thresholds: dismiss, mark raised, set a region's thresholds.

Each is one transaction with its timeline step and audit entry; the person must be a supervisor
(DECIDE_FINDINGS) who sees the finding's unit.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import DECIDE_FINDINGS, SET_CHECK_THRESHOLDS, check_actor
from govwatch.audit.log import Actor, record
from govwatch.orgs.models import Unit

from .models import Finding, FindingStep, RegionThresholds
from .thresholds import DEFINITIONS, clean_values

Status = Finding.Status
MAX_REASON = 2000


class FindingError(Exception):
    """A step the finding's state does not allow; the message is for the user."""


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update(of=("self",)).select_related("unit").get(pk=finding.pk)


def _move(finding: Finding, status: str, verb: str) -> None:
    if not finding.can_move_to(status):
        raise FindingError(f"该线索{finding.get_status_display()}，不能{verb}")
    finding.status = status


@transaction.atomic
def do_dismiss_finding(actor: Actor, finding: Finding, reason: str, at: datetime | None = None) -> Finding:
    """Dismiss (排除) with the reason the suspicion does not hold; it stays dismissed."""
    check_actor(actor, DECIDE_FINDINGS, finding.unit)
    finding = _locked(finding)
    reason = reason.strip()
    if not reason:
        raise FindingError("排除线索时请说明理由")
    if len(reason) > MAX_REASON:
        raise FindingError(f"理由不能超过 {MAX_REASON} 字")
    _move(finding, Status.DISMISSED, "排除")
    at = at or timezone.now()
    finding.decided_at, finding.decided_by, finding.decision = at, actor.label, reason
    finding.save(update_fields=["status", "decided_at", "decided_by", "decision"])
    FindingStep.objects.create(finding=finding, at=at, kind="dismissed", actor=actor.label, text=reason)
    record(actor, "finding.dismiss", finding, summary=f"排除{finding.number}（{finding.get_kind_display()}）",
           after={"reason": reason, "kind": finding.kind, "unit": finding.unit.code})  # fmt: skip
    return finding


def mark_raised(actor: Actor, finding: Finding, text: str, at: datetime) -> Finding:
    """Raise (立查) a finding: in the caller's transaction (the inspection that takes it up)."""
    check_actor(actor, DECIDE_FINDINGS, finding.unit)
    finding = _locked(finding)
    _move(finding, Status.RAISED, "立查")
    finding.decided_at, finding.decided_by, finding.decision = at, actor.label, text
    finding.save(update_fields=["status", "decided_at", "decided_by", "decision"])
    FindingStep.objects.create(finding=finding, at=at, kind="raised", actor=actor.label, text=text)
    record(actor, "finding.raise", finding, summary=f"{finding.number}立查：{text}",
           after={"kind": finding.kind, "unit": finding.unit.code})  # fmt: skip
    return finding


@transaction.atomic
def do_set_thresholds(actor: Actor, unit: Unit, values: dict, at: datetime | None = None) -> RegionThresholds:
    """Set (or, with None as a value, unset) thresholds for `unit` and its subtree."""
    check_actor(actor, SET_CHECK_THRESHOLDS, unit)
    cleared = {k for k, v in values.items() if v is None or v == ""}
    unknown = cleared - set(DEFINITIONS)
    if unknown:
        clean_values({k: 0 for k in unknown})  # raises the message naming it
    cleaned = clean_values({k: v for k, v in values.items() if k not in cleared})
    at = at or timezone.now()
    row, _ = RegionThresholds.objects.select_for_update().get_or_create(
        unit=unit, defaults={"values": {}, "updated_at": at, "updated_by": actor.label}
    )
    before = dict(row.values)
    merged = {k: v for k, v in {**row.values, **cleaned}.items() if k not in cleared}
    row.values, row.updated_at, row.updated_by = merged, at, actor.label
    row.save()
    record(
        actor, "checks.thresholds", row, summary=f"修改 {unit.name} 的核查阈值", before=before, after=merged
    )
    return row
