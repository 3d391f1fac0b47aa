"""A kiosk fault's repair deadline, watched by e-supervision (govwatch.supervision.watches).

An open fault owes its repair by `due_date`: the scan gives it a yellow card on its due date and a
red one after it (contract section 3's rule with no working day of warning), with their messages
to the kiosk's unit and, when red, its supervisors; a fault still unrepaired more than a working
day after its due date becomes one supervision order, put on the fault's timeline. Repaired, the
watch ends; a relapse is watched again on its new deadline.
"""

from __future__ import annotations

from datetime import datetime

from govwatch.core.datewords import document_date
from govwatch.supervision.kinds import WatchKind, register_kind
from govwatch.supervision.models import SupervisionOrder, Watch
from govwatch.supervision.watches import close_watch, watch

FAULT = "kiosk_fault"


def _demand(w: Watch) -> str:
    return (
        f"{w.label}超过修复期限（{document_date(w.due_date)}）仍未修复，请立即修复，并回复本督办单说明原因。"
    )


def _on_order(w: Watch, order: SupervisionOrder, at: datetime) -> None:
    from .models import FaultStep, KioskFault

    fault = KioskFault.objects.filter(pk=w.object_id).first()
    if fault is not None:
        FaultStep.objects.create(
            fault=fault,
            at=at,
            kind="supervised",
            actor="system:worker",
            text=f"逾期未修复，下发督办单 {order.number}",
        )


def register() -> None:
    register_kind(WatchKind(FAULT, "自助终端故障", yellow_days=0, demand=_demand, on_order=_on_order))


def watch_fault(fault, at: datetime | None = None) -> None:
    """Start, move or end the fault's watch after a change: in the change's transaction."""
    if fault.status == fault.Status.OPEN:
        label = f"自助终端 {fault.kiosk.code} 报修 {fault.number}"
        watch(fault, kind=FAULT, unit=fault.kiosk.unit, due_date=fault.due_date, label=label, at=at)
    else:
        close_watch(fault, at, kind=FAULT)
