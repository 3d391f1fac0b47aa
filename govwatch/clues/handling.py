"""The clue register (问题线索): register, assess, transfer to the discipline commission with a
numbered transfer form, record the outcome. Every change is a `do_*` function for the supervisors
(MANAGE_CLUES), in one transaction, audited, with its timeline step; the public page registers
through `receive_public` (no user). `Clue.TRANSITIONS` is checked in `_move`.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import MANAGE_CLUES, check_actor, scope
from govwatch.audit.log import Actor, record
from govwatch.complaints.models import Complaint, SampledCall
from govwatch.core import pii
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.orgs.organs import organ_name, supervisor_of
from govwatch.supervision.orders import next_number

from .models import Clue, ClueStep

Status = Clue.Status
MAX_DETAILS = 5000
MOVES = {Status.ASSESSED: "研判", Status.TRANSFERRED: "移送", Status.CONCLUDED: "登记处置结果"}


class ClueError(Exception):
    """A step the clue's state or the rules do not allow; the message is for the user."""


def check_allowed(actor: Actor, unit: Unit | None = None) -> None:
    """Only the supervisors (MANAGE_CLUES) register and follow clues, of the units they see."""
    check_actor(actor, MANAGE_CLUES, *([unit] if unit is not None else []))


def _move(clue: Clue, status: str) -> None:
    if not clue.can_move_to(status):
        raise ClueError(f"该线索{clue.get_status_display()}，不能{MOVES[Status(status)]}")
    clue.status = status


def _step(clue: Clue, at: datetime, kind: str, actor: Actor, text: str) -> None:
    ClueStep.objects.create(clue=clue, at=at, kind=kind, actor=actor.label, text=text)


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ClueError(message)
    return text


def commission(unit: Unit | None = None) -> str:
    """The discipline inspection organ a clue is transferred to: the supervisor unit of the region
    of the unit it concerns (the region's own when it names none)."""
    unit = unit or Unit.objects.filter(parent__isnull=True).order_by("path").first()
    return organ_name(supervisor_of(unit) if unit is not None else None)


@transaction.atomic
def register(
    actor: Actor,
    *,
    source: str,
    summary: str,
    details: str,
    field: str = Clue.Field.SERVICE,
    unit: Unit | None = None,
    subject: str = "",
    complaint: Complaint | None = None,
    call: SampledCall | None = None,
    informant: str = "",
    at: datetime | None = None,
) -> Clue:
    summary = _required(summary, "请填写线索摘要")[:200]
    details = _required(details, "请填写线索内容")
    if len(details) > MAX_DETAILS:
        raise ClueError(f"线索内容不能超过 {MAX_DETAILS} 字")
    if source not in Clue.Source.values or field not in Clue.Field.values:
        raise ClueError("来源或领域无效")
    at = at or timezone.now()
    informant_hash, informant_enc = pii.protect(informant)
    clue = Clue.objects.create(
        number=next_number("线索", local_date(at).year), source=source, field=field, complaint=complaint,
        call=call, unit=unit, subject=subject.strip()[:200], summary=summary, details=details,
        informant_hash=informant_hash, informant_enc=informant_enc, registered_at=at, registered_by=actor.label,
    )  # fmt: skip
    origin = ""
    if complaint:
        origin = f"（来源投诉 {complaint.complaint_id}）"
    elif call:
        origin = f"（来源回访抽查 {call.plan.name}）"
    _step(clue, at, "registered", actor, f"{clue.get_source_display()}{origin}：{summary}")
    record(actor, "clue.register", clue, summary=f"登记问题线索 {clue.number}",
           after={"source": source, "field": field, "unit": unit.code if unit else None,
                  "complaint": complaint.complaint_id if complaint else None, "call": call.pk if call else None,
                  "informant": pii.mask(informant)})  # fmt: skip
    return clue


def do_register(actor: Actor, **fields) -> Clue:
    """A supervisor registers a clue (from a complaint, a callback, an inspection or otherwise)."""
    check_allowed(actor, fields.get("unit"))
    complaint = fields.get("complaint")
    if complaint is not None and actor.user is not None:
        if not Complaint.objects.visible_to(scope(actor.user)).filter(pk=complaint.pk).exists():
            raise PermissionDenied
    return register(actor, **fields)


def receive_public(actor: Actor, *, summary: str, details: str, field: str, informant: str = "") -> Clue:
    """A clue sent through the public page (网上举报): anonymous or with a number to call back."""
    return register(actor, source=Clue.Source.PUBLIC, summary=summary, details=details, field=field,
                    informant=informant)  # fmt: skip


def _locked(clue: Clue) -> Clue:
    return Clue.objects.select_for_update(of=("self",)).select_related("unit").get(pk=clue.pk)


@transaction.atomic
def do_assess(actor: Actor, clue: Clue, *, decision: str, text: str, at: datetime | None = None) -> Clue:
    """研判: what is to be done with the clue."""
    check_allowed(actor, clue.unit)
    clue = _locked(clue)
    if decision not in Clue.Decision.values:
        raise ClueError("请选择研判意见")
    text = _required(text, "请填写研判情况")
    _move(clue, Status.ASSESSED)
    at = at or timezone.now()
    clue.decision, clue.assessment, clue.assessed_at = decision, text, at
    clue.save()
    label = Clue.Decision(decision).label
    _step(clue, at, "assessed", actor, f"研判意见：{label}。{text}")
    record(actor, "clue.assess", clue, summary=f"研判问题线索 {clue.number}：{label}",
           after={"decision": decision, "text": text})  # fmt: skip
    return clue


@transaction.atomic
def do_transfer(
    actor: Actor, clue: Clue, *, note: str = "", to: str = "", at: datetime | None = None
) -> Clue:
    """移送: hand the clue to the discipline commission with a numbered transfer form."""
    check_allowed(actor, clue.unit)
    clue = _locked(clue)
    if clue.status == Status.ASSESSED and clue.decision != Clue.Decision.TRANSFER:
        raise ClueError(f"研判意见为“{clue.get_decision_display()}”，不能移送；如需移送请重新研判")
    _move(clue, Status.TRANSFERRED)
    at = at or timezone.now()
    clue.transfer_number = next_number("线索移送", local_date(at).year)
    clue.transferred_to = (to or "").strip() or commission(clue.unit)
    clue.transfer_note, clue.transferred_at = (note or "").strip(), at
    clue.save()
    _step(
        clue,
        at,
        "transferred",
        actor,
        f"以 {clue.transfer_number} 移送{clue.transferred_to}。{clue.transfer_note}",
    )
    record(actor, "clue.transfer", clue, summary=f"移送问题线索 {clue.number}（{clue.transfer_number}）",
           after={"transfer_number": clue.transfer_number, "to": clue.transferred_to})  # fmt: skip
    return clue


@transaction.atomic
def do_conclude(actor: Actor, clue: Clue, *, outcome: str, text: str, at: datetime | None = None) -> Clue:
    """处置结果: how the clue ended (the commission's feedback, or the supervisors' own check)."""
    check_allowed(actor, clue.unit)
    clue = _locked(clue)
    if outcome not in Clue.Outcome.values:
        raise ClueError("请选择处置结果")
    text = _required(text, "请填写处置情况")
    if clue.status == Status.ASSESSED and clue.decision == Clue.Decision.TRANSFER:
        raise ClueError("研判意见为移送，请先移送，再登记处置结果")
    _move(clue, Status.CONCLUDED)
    at = at or timezone.now()
    clue.outcome, clue.outcome_text, clue.concluded_at = outcome, text, at
    clue.save()
    label = Clue.Outcome(outcome).label
    _step(clue, at, "concluded", actor, f"处置结果：{label}。{text}")
    record(actor, "clue.conclude", clue, summary=f"问题线索 {clue.number} 办结：{label}",
           after={"outcome": outcome, "text": text})  # fmt: skip
    return clue
