"""Handling a complaint (投诉办理): received → triaged by the service office (分办) → investigated
and found by the unit (核查) → replied to the complainant (答复) → called back by the office (回访)
→ closed (办结), or reopened (重新办理) when the complainant is not satisfied.

Every change goes through one of the `do_*` functions below, in one transaction, with its timeline
step and audit entry; `Complaint.TRANSITIONS` lists the allowed steps, checked in `_move`. Each step
is allowed to one role (govwatch.accounts.permissions: TRIAGE_COMPLAINTS and CLOSE_COMPLAINTS for
the office, HANDLE_COMPLAINTS for the unit) on a complaint the person sees; system actors (the
worker, commands, the public pages) have no user and are not checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import (
    CLOSE_COMPLAINTS,
    HANDLE_COMPLAINTS,
    TRIAGE_COMPLAINTS,
    check_actor,
    may,
    scope,
)
from govwatch.audit.log import Actor, record
from govwatch.cases.models import Case
from govwatch.cases.stale import mark_stale
from govwatch.core import pii
from govwatch.core.attachments import AttachmentRefused, check_attachments
from govwatch.core.choices import ComplaintCategory, ComplaintKind, ComplaintSource, ComplaintUrgency
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.supervision.models import DocumentCounter
from govwatch.supervision.routing import message_to

from . import deadlines, figures, repeats, watching
from .models import Complaint, ComplaintAttachment, ComplaintStep, DispatchRecord

Status = Complaint.Status
Files = Sequence[tuple[str, bytes]]
MAX_CONTENT = 2000
# The verb of each move, for the refusal of a step the state does not allow.
MOVE_LABELS = {
    Status.ASSIGNED: "分办",
    Status.DISMISSED: "不予受理",
    Status.RECEIVED: "退回",
    Status.FOUND: "登记核查结论",
    Status.REPLIED: "登记答复",
    Status.CALLED_BACK: "登记回访结果",
    Status.CLOSED: "办结",
}


class ComplaintError(Exception):
    """A step the complaint's state or the rules do not allow; the message is for the user."""


def check_allowed(actor: Actor, action: str, complaint: Complaint) -> None:
    """PermissionDenied unless the acting person has the role for `action` and sees the complaint
    (a complaint not yet triaged names no unit: the region's office sees it, see `visible_to`)."""
    check_actor(actor, action)
    if (
        actor.user is not None
        and not Complaint.objects.visible_to(scope(actor.user)).filter(pk=complaint.pk).exists()
    ):
        raise PermissionDenied


def _move(complaint: Complaint, status: str, verb: str = "") -> None:
    if not complaint.can_move_to(status):
        raise ComplaintError(
            f"该投诉{complaint.get_status_display()}，不能{verb or MOVE_LABELS[Status(status)]}"
        )
    complaint.status = status


def _step(
    complaint: Complaint, at: datetime, kind: str, actor: Actor, text: str = "", files: Files = ()
) -> ComplaintStep:
    try:
        check_attachments(files)
    except AttachmentRefused as exc:
        raise ComplaintError(str(exc)) from None
    step = ComplaintStep.objects.create(complaint=complaint, at=at, kind=kind, actor=actor.label, text=text)
    for name, content in files:
        ComplaintAttachment.keep(name, content, complaint=complaint, step=step)
    return step


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("unit").get(pk=complaint.pk)


def _save(complaint: Complaint) -> None:
    """Save the complaint and mark the days whose complaint figures the change may alter
    (govwatch.cases.stale), as it was and as it is now."""
    before = Complaint.objects.filter(pk=complaint.pk).values_list("unit", "at", "closed_at").first()
    complaint.save()
    mark_stale(figures.stale_days([before, (complaint.unit_id, complaint.at, complaint.closed_at)]))


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ComplaintError(message)
    return text


def _tell(unit: Unit | None, text: str, at: datetime) -> None:
    """A message to a unit's alert number through the outbox (the worker sends it), after the
    unit's quiet hours."""
    if unit is not None:
        message_to(unit, "complaint", text, at=at).save()


def new_complaint_id(at: datetime) -> str:
    """A running number for complaints GovWatch takes itself: TS + local date + 5 digits, never
    given twice (the counter row is locked)."""
    day = local_date(at)
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(
        series="complaint", year=int(f"{day:%Y%m%d}")
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"TS{day:%Y%m%d}{counter.last:05d}"


# -- intake -----------------------------------------------------------------------------------------


@transaction.atomic
def receive(
    actor: Actor,
    *,
    source: str,
    content: str,
    at: datetime | None = None,
    kind: str = ComplaintKind.COMPLAINT,
    urgency: str = ComplaintUrgency.NORMAL,
    category: str = "",
    unit: Unit | None = None,
    case: Case | None = None,
    contact: str = "",
) -> Complaint:
    """A complaint taken by GovWatch itself (the public pages, the office's register): numbered,
    its deadline set, linked to the matter it repeats. A named unit means it is triaged already."""
    content = _required(content, "请填写投诉内容")
    if len(content) > MAX_CONTENT:
        raise ComplaintError(f"投诉内容不能超过 {MAX_CONTENT} 字")
    if (
        source not in ComplaintSource.values
        or kind not in ComplaintKind.values
        or urgency not in ComplaintUrgency.values
    ):
        raise ComplaintError("来源、诉求类型或紧急程度无效")
    if category and category not in ComplaintCategory.values:
        raise ComplaintError("类别无效")
    at = at or timezone.now()
    contact_hash, contact_enc = pii.protect(contact)
    complaint = Complaint(
        complaint_id=new_complaint_id(at), at=at, source=source, content=content, kind=kind, urgency=urgency,
        category=category, unit=unit, case=case, contact_hash=contact_hash, contact_enc=contact_enc, digest="-",
        status=Status.ASSIGNED if unit else Status.RECEIVED, triaged_at=at if unit else None,
    )  # fmt: skip
    deadlines.schedule(complaint)
    _save(complaint)
    repeats.relink([complaint.pk])
    complaint.refresh_from_db()
    watching.follow(complaint, at)
    text = f"{ComplaintSource(source).label}受理{ComplaintKind(kind).label}，办理期限 {complaint.due_date:%Y-%m-%d}"
    if unit:
        text += f"，交 {unit.name} 办理"
    _step(complaint, at, "received", actor, text)
    record(actor, "complaint.receive", complaint, summary=f"受理投诉 {complaint.complaint_id}",
           after={"source": source, "kind": kind, "urgency": urgency, "unit": unit.code if unit else None,
                  "case_no": case.case_no if case else None, "due_date": complaint.due_date,
                  "contact": pii.mask(contact)})  # fmt: skip
    if unit:
        _tell(
            unit,
            f"新{ComplaintKind(kind).label}{complaint.complaint_id}待办理，办理期限：{complaint.due_date:%Y-%m-%d}。",
            at,
        )
    return complaint


def do_register(actor: Actor, **fields) -> Complaint:
    """The office registers a complaint taken by phone, letter or at a window (登记)."""
    user = actor.user
    if user is not None and not may(user, TRIAGE_COMPLAINTS):
        raise PermissionDenied
    unit, case = fields.get("unit"), fields.get("case")
    if user is not None and unit is not None and not scope(user).contains(unit):
        raise PermissionDenied
    if user is not None and case is not None and not scope(user).contains(case.unit):
        raise PermissionDenied
    return receive(actor, **fields)


# -- the office -------------------------------------------------------------------------------------


@transaction.atomic
def do_triage(
    actor: Actor,
    complaint: Complaint,
    *,
    unit: Unit,
    kind: str | None = None,
    urgency: str | None = None,
    category: str | None = None,
    suggestion: dict | None = None,
    at: datetime | None = None,
) -> Complaint:
    """分办: the office names the unit that handles the complaint, and its kind, urgency and
    category; a changed kind or urgency moves the deadline (still counted from the complaint's
    date). `suggestion` is the dispatch suggestion shown ({"units": [...], "category", "model_id"}):
    recorded with whether it was followed."""
    check_allowed(actor, TRIAGE_COMPLAINTS, complaint)
    complaint = _locked(complaint)
    if actor.user is not None and not scope(actor.user).contains(unit):
        raise PermissionDenied
    _move(complaint, Status.ASSIGNED)
    at = at or timezone.now()
    before = {"kind": complaint.kind, "urgency": complaint.urgency, "due_date": complaint.due_date}
    complaint.kind = kind or complaint.kind
    complaint.urgency = urgency or complaint.urgency
    if category is not None:
        complaint.category = category
    if complaint.kind not in ComplaintKind.values or complaint.urgency not in ComplaintUrgency.values:
        raise ComplaintError("诉求类型或紧急程度无效")
    if complaint.category and complaint.category not in ComplaintCategory.values:
        raise ComplaintError("类别无效")
    if (complaint.kind, complaint.urgency) != (before["kind"], before["urgency"]):
        deadlines.schedule(complaint, complaint.clock_from)
    complaint.unit, complaint.triaged_at = unit, at
    _save(complaint)
    watching.follow(complaint, at)
    accepted = None
    if suggestion:
        codes = [u["unit_code"] for u in suggestion.get("units", [])]
        rank = codes.index(unit.code) + 1 if unit.code in codes else None
        accepted = rank == 1
        DispatchRecord.objects.create(
            complaint=complaint, model_id=suggestion.get("model_id"), units=suggestion.get("units", []),
            category=suggestion.get("category", ""), chosen_unit=unit, accepted=accepted, rank=rank, at=at,
            actor=actor.label,
        )  # fmt: skip
    text = (
        f"分办至 {unit.name}（{complaint.get_kind_display()}，{complaint.get_urgency_display()}"
        f"{'，' + complaint.get_category_display() if complaint.category else ''}），"
        f"办理期限 {complaint.due_date:%Y-%m-%d}"
    )
    if accepted is not None:
        text += "，采纳智能派单建议" if accepted else "，未采纳智能派单建议"
    _step(complaint, at, "triaged", actor, text)
    record(actor, "complaint.triage", complaint, summary=f"投诉 {complaint.complaint_id} 分办至 {unit.name}",
           before=before, after={"unit": unit.code, "kind": complaint.kind, "urgency": complaint.urgency,
                                 "category": complaint.category, "due_date": complaint.due_date,
                                 "suggestion_accepted": accepted})  # fmt: skip
    _tell(
        unit,
        f"新{complaint.get_kind_display()}{complaint.complaint_id}待办理，办理期限：{complaint.due_date:%Y-%m-%d}。",
        at,
    )
    return complaint


@transaction.atomic
def do_dismiss(actor: Actor, complaint: Complaint, reason: str, at: datetime | None = None) -> Complaint:
    """不予受理: nothing to handle (empty, abusive, not a government matter); the reason is kept."""
    check_allowed(actor, TRIAGE_COMPLAINTS, complaint)
    complaint = _locked(complaint)
    reason = _required(reason, "请说明不予受理的理由")
    _move(complaint, Status.DISMISSED)
    at = at or timezone.now()
    complaint.closed_at = at
    _save(complaint)
    watching.follow(complaint, at)
    _step(complaint, at, "dismissed", actor, reason)
    record(
        actor,
        "complaint.dismiss",
        complaint,
        summary=f"投诉 {complaint.complaint_id} 不予受理",
        after={"reason": reason},
    )
    return complaint


@transaction.atomic
def do_callback(
    actor: Actor, complaint: Complaint, *, result: str, note: str, at: datetime | None = None
) -> Complaint:
    """回访: the office asks the complainant whether the reply settled it."""
    check_allowed(actor, CLOSE_COMPLAINTS, complaint)
    complaint = _locked(complaint)
    if result not in Complaint.Callback.values:
        raise ComplaintError("请选择回访结果")
    note = _required(note, "请填写回访情况（时间、方式、群众意见）")
    _move(complaint, Status.CALLED_BACK)
    at = at or timezone.now()
    complaint.callback_result, complaint.callback_note, complaint.called_back_at = result, note, at
    _save(complaint)
    label = Complaint.Callback(result).label
    _step(complaint, at, "called_back", actor, f"回访结果：{label}。{note}")
    record(actor, "complaint.callback", complaint, summary=f"投诉 {complaint.complaint_id} 回访：{label}",
           after={"result": result, "note": note})  # fmt: skip
    return complaint


@transaction.atomic
def do_close(actor: Actor, complaint: Complaint, comment: str = "", at: datetime | None = None) -> Complaint:
    """办结: the office closes the complaint after the callback."""
    check_allowed(actor, CLOSE_COMPLAINTS, complaint)
    complaint = _locked(complaint)
    _move(complaint, Status.CLOSED)
    at = at or timezone.now()
    complaint.closed_at = at
    complaint.closed_on_time = deadlines.on_time(at, complaint.due_date)
    _save(complaint)
    watching.follow(complaint, at)
    comment = (comment or "").strip()
    _step(complaint, at, "closed", actor, comment or "办结")
    record(actor, "complaint.close", complaint, summary=f"投诉 {complaint.complaint_id} 办结",
           after={"comment": comment, "on_time": complaint.closed_on_time})  # fmt: skip
    return complaint


@transaction.atomic
def do_reopen(actor: Actor, complaint: Complaint, reason: str, at: datetime | None = None) -> Complaint:
    """重新办理: the complainant is not satisfied; the unit handles it again, with a deadline of the
    complaint's kind counted afresh from today."""
    check_allowed(actor, CLOSE_COMPLAINTS, complaint)
    complaint = _locked(complaint)
    reason = _required(reason, "请说明重新办理的理由")
    _move(complaint, Status.ASSIGNED, "重新办理")
    at = at or timezone.now()
    previous = {
        "finding": complaint.finding,
        "callback": complaint.callback_result,
        "due_date": complaint.due_date,
    }
    deadlines.schedule(complaint, local_date(at))
    complaint.reopened_count += 1
    complaint.finding = complaint.finding_text = complaint.reply = complaint.callback_result = (
        complaint.callback_note
    ) = ""
    complaint.found_at = complaint.replied_at = complaint.called_back_at = None
    _save(complaint)
    watching.follow(complaint, at)
    _step(complaint, at, "reopened", actor, f"{reason}（新的办理期限 {complaint.due_date:%Y-%m-%d}）")
    record(actor, "complaint.reopen", complaint, summary=f"投诉 {complaint.complaint_id} 重新办理",
           before=previous, after={"reason": reason, "due_date": complaint.due_date})  # fmt: skip
    _tell(
        complaint.unit,
        f"{complaint.complaint_id}经回访群众不满意，请重新办理，办理期限：{complaint.due_date:%Y-%m-%d}。",
        at,
    )
    return complaint


# -- the unit ---------------------------------------------------------------------------------------


@transaction.atomic
def do_send_back(actor: Actor, complaint: Complaint, reason: str, at: datetime | None = None) -> Complaint:
    """退回: the unit shows the complaint is not its own; the office triages it again. The clock
    keeps running: the complainant's wait does not start over."""
    check_allowed(actor, HANDLE_COMPLAINTS, complaint)
    complaint = _locked(complaint)
    reason = _required(reason, "请说明退回理由（如不属于本单位职责，应由哪个单位办理）")
    previous = complaint.unit
    _move(complaint, Status.RECEIVED)
    at = at or timezone.now()
    complaint.unit = None
    _save(complaint)
    watching.follow(complaint, at)
    _step(complaint, at, "sent_back", actor, f"{previous.name if previous else ''}退回：{reason}")
    record(actor, "complaint.send_back", complaint, summary=f"投诉 {complaint.complaint_id} 被退回",
           after={"unit": previous.code if previous else None, "reason": reason})  # fmt: skip
    return complaint


@transaction.atomic
def do_find(
    actor: Actor,
    complaint: Complaint,
    *,
    finding: str,
    text: str,
    files: Files = (),
    at: datetime | None = None,
) -> Complaint:
    """核查: what the unit found, with evidence; for a complaint or a report, whether it holds."""
    check_allowed(actor, HANDLE_COMPLAINTS, complaint)
    complaint = _locked(complaint)
    text = _required(text, "请填写核查（办理）情况")
    if complaint.finding_applies and finding not in Complaint.Finding.values:
        raise ComplaintError("请选择核查结论（属实、部分属实或不属实）")
    if finding and finding not in Complaint.Finding.values:
        raise ComplaintError("核查结论无效")
    _move(complaint, Status.FOUND)
    at = at or timezone.now()
    complaint.finding, complaint.finding_text, complaint.found_at = finding or "", text, at
    _save(complaint)
    verdict = f"核查结论：{Complaint.Finding(finding).label}。" if finding else ""
    _step(complaint, at, "found", actor, f"{verdict}{text}", files)
    record(actor, "complaint.find", complaint, summary=f"投诉 {complaint.complaint_id} 登记核查结论",
           after={"finding": finding, "text": text, "attachments": [n for n, _ in files]})  # fmt: skip
    return complaint


@transaction.atomic
def do_reply(
    actor: Actor, complaint: Complaint, *, reply: str, files: Files = (), at: datetime | None = None
) -> Complaint:
    """答复: what the unit told the complainant; the citizen reads it through their receipt."""
    check_allowed(actor, HANDLE_COMPLAINTS, complaint)
    complaint = _locked(complaint)
    reply = _required(reply, "请填写答复内容")
    _move(complaint, Status.REPLIED)
    at = at or timezone.now()
    complaint.reply, complaint.replied_at = reply, at
    _save(complaint)
    _step(complaint, at, "replied", actor, reply, files)
    record(actor, "complaint.reply", complaint, summary=f"投诉 {complaint.complaint_id} 答复群众",
           after={"reply": reply, "attachments": [n for n, _ in files]})  # fmt: skip
    return complaint


# -- what the complainant reads through their receipt ------------------------------------------------

# Plain words, no staff names, no internal notes.
_PUBLIC_TEXTS = {
    Status.RECEIVED: "您的诉求已受理，正在分派给承办单位",
    Status.ASSIGNED: "承办单位正在核查办理",
    Status.FOUND: "承办单位已核查，正在答复您",
    Status.REPLIED: "承办单位已答复，工作人员将回访听取您的意见",
    Status.CALLED_BACK: "已回访，正在审核办结",
    Status.CLOSED: "已办结",
    Status.DISMISSED: "经审核，您的诉求不属于受理范围，不予受理",
}


def progress(complaint: Complaint) -> dict:
    """Where a complaint stands, for its receipt page: `status` (a code), `text` (plain Chinese),
    `steps` [(local moment, words)] the citizen may see, `reply` (once replied, else ""),
    `finished`, `due_date`."""
    shown = {"received": "受理", "triaged": "分派承办单位", "found": "核查", "replied": "答复", "called_back": "回访",
             "closed": "办结", "reopened": "回访不满意，重新办理", "dismissed": "不予受理"}  # fmt: skip
    steps = [
        (timezone.localtime(at), shown[kind])
        for at, kind in complaint.steps.filter(kind__in=list(shown))
        .order_by("at", "id")
        .values_list("at", "kind")
    ]
    if not steps:  # imported: its source took it
        steps = [(timezone.localtime(complaint.at), "受理")]
    reply = complaint.reply if complaint.status in (Status.REPLIED, Status.CALLED_BACK, Status.CLOSED) else ""
    return {
        "status": complaint.status,
        "text": _PUBLIC_TEXTS[Status(complaint.status)],
        "steps": steps,
        "reply": pii.redact(reply),
        "finished": complaint.status in Complaint.DONE,
        "due_date": complaint.due_date,
    }
