"""Kiosk fault tickets (故障报修): reported, repaired by their deadline, late when not.

The deadline is the end of the GOVWATCH_KIOSK_REPAIR_WORKDAYS-th working day after the day the
fault was reported (contract section 3's arithmetic: the report's own day is not counted). An open
fault is watched by e-supervision (watching.py): yellow on its due date and red after it; a fault repaired after its due date counts as
repaired late. Each change is a `do_*` in one transaction, audited, with its step on the timeline.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from govwatch.accounts.permissions import REPAIR_KIOSKS, check_actor
from govwatch.audit.log import Actor, record
from govwatch.core.localtime import local_date
from govwatch.workcal.calendar import get_calendar

from .models import FaultStep, Kiosk, KioskFault
from .watching import watch_fault

Status = KioskFault.Status
MAX_TEXT = 2000


class FaultError(Exception):
    """A change the rules refuse; the message is for the user."""


def repair_due(reported_at: datetime) -> date:
    return get_calendar().add_workdays(local_date(reported_at), settings.KIOSK_REPAIR_WORKDAYS).date


def late(at: datetime) -> Q:
    """Faults late at `at`: open past their due date, or repaired after it."""
    today = local_date(at)
    return Q(status=Status.OPEN, due_date__lt=today) | Q(repaired_on__gt=F("due_date"))


def repaired_late(fault: KioskFault) -> bool:
    return fault.repaired_on is not None and fault.repaired_on > fault.due_date


def _next_number(at: datetime) -> str:
    prefix = f"GZ{local_date(at).year}-"
    last = KioskFault.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{seq:04d}"


def _text(value: str, message: str = "", required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise FaultError(message)
    if len(value) > MAX_TEXT:
        raise FaultError(f"内容不能超过 {MAX_TEXT} 字")
    return value


@transaction.atomic
def do_report_fault(
    actor: Actor, kiosk: Kiosk, *, category: str, description: str, at: datetime | None = None
) -> KioskFault:
    check_actor(actor, REPAIR_KIOSKS, kiosk.unit)
    at = at or timezone.now()
    if category not in KioskFault.Category.values:
        raise FaultError("请选择故障类型")
    fault = KioskFault.objects.create(
        number=_next_number(at), kiosk=kiosk, category=category, description=_text(description),
        reported_at=at, due_date=repair_due(at),
    )  # fmt: skip
    FaultStep.objects.create(fault=fault, at=at, kind="reported", actor=actor.label, text=fault.description)
    watch_fault(fault, at)
    record(
        actor, "kiosks.fault.report", fault,
        summary=f"自助终端 {kiosk.code} 报修 {fault.number}：{fault.get_category_display()}，修复期限 {fault.due_date}",
    )  # fmt: skip
    return fault


@transaction.atomic
def do_repair_fault(actor: Actor, fault: KioskFault, *, note: str, at: datetime | None = None) -> KioskFault:
    fault = KioskFault.objects.select_for_update(of=("self",)).select_related("kiosk__unit").get(pk=fault.pk)
    check_actor(actor, REPAIR_KIOSKS, fault.kiosk.unit)
    at = at or timezone.now()
    if fault.status != Status.OPEN:
        raise FaultError("该故障已修复")
    if at < fault.reported_at:
        raise FaultError("修复时间不能早于报修时间")
    fault.status, fault.repaired_at, fault.repaired_on = Status.REPAIRED, at, local_date(at)
    fault.repair_note = _text(note, "请填写修复情况", True)
    fault.save(update_fields=["status", "repaired_at", "repaired_on", "repair_note"])
    watch_fault(fault, at)
    FaultStep.objects.create(fault=fault, at=at, kind="repaired", actor=actor.label, text=fault.repair_note)
    record(
        actor, "kiosks.fault.repair", fault,
        summary=f"报修 {fault.number} 已修复" + ("（超过修复期限）" if repaired_late(fault) else ""),
    )  # fmt: skip
    return fault


@transaction.atomic
def do_reopen_fault(actor: Actor, fault: KioskFault, *, note: str, at: datetime | None = None) -> KioskFault:
    """The fault came back: open again, with a new deadline counted from now."""
    fault = KioskFault.objects.select_for_update(of=("self",)).select_related("kiosk__unit").get(pk=fault.pk)
    check_actor(actor, REPAIR_KIOSKS, fault.kiosk.unit)
    at = at or timezone.now()
    if fault.status != Status.REPAIRED:
        raise FaultError("该故障尚未修复")
    fault.status, fault.repaired_at, fault.repaired_on, fault.due_date = (
        Status.OPEN,
        None,
        None,
        repair_due(at),
    )
    fault.save(update_fields=["status", "repaired_at", "repaired_on", "due_date"])
    watch_fault(fault, at)
    FaultStep.objects.create(
        fault=fault, at=at, kind="reopened", actor=actor.label, text=_text(note, "请说明故障复发情况", True)
    )
    record(
        actor,
        "kiosks.fault.reopen",
        fault,
        summary=f"报修 {fault.number} 故障复发，新的修复期限 {fault.due_date}",
    )
    return fault


def store_imported_faults(new: list, changed: list, run) -> None:
    """Write the fault tickets of an import batch (govwatch.imports.kiosks): new tickets with their
    deadline, and the repairs a later export adds."""
    label = f"import:{run.operator_label}" if run.operator_label else "import"
    for number, c in new:
        repaired = c["repaired_at"]
        fault = KioskFault.objects.create(
            number=number, due_date=repair_due(c["reported_at"]), import_run=run,
            status=Status.REPAIRED if repaired else Status.OPEN, repaired_on=local_date(repaired) if repaired else None, **c,
        )  # fmt: skip
        FaultStep.objects.create(
            fault=fault, at=c["reported_at"], kind="reported", actor=label, text=c["description"]
        )
        if repaired:
            FaultStep.objects.create(
                fault=fault, at=repaired, kind="repaired", actor=label, text=c["repair_note"]
            )
        watch_fault(fault, repaired or c["reported_at"])
    for number, c in changed:
        fault = KioskFault.objects.select_for_update().get(number=number)
        newly_repaired = fault.repaired_at is None and c["repaired_at"] is not None
        for name in ("repaired_at", "repair_note", "digest"):
            setattr(fault, name, c[name])
        if newly_repaired:
            fault.status, fault.repaired_on = Status.REPAIRED, local_date(c["repaired_at"])
            FaultStep.objects.create(
                fault=fault, at=c["repaired_at"], kind="repaired", actor=label, text=c["repair_note"]
            )
        fault.import_run = run
        fault.save()
        if newly_repaired:
            watch_fault(fault, c["repaired_at"])
