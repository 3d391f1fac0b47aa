"""E-supervision of complaints: yellow and red cards at the scan, their messages through the
outbox, and a supervision order for an overdue complaint (contract section 7).

The card rule is the case rule (govwatch.complaints.deadlines); messages go to the same outbox with
the same routing as case cards: yellow to the handling unit, red to it and the region's supervisor
units, each unit's alert rule and quiet hours applying. A complaint not yet triaged has no unit: its
messages and order go to the region's service center (the office that owes the triage).

As on cases, each complaint stores the next moment its card may change (`next_card_at`, NULL after
any change of the complaint), so a scan touches only the complaints whose moment has come.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from govwatch.audit.log import Actor, record
from govwatch.core.choices import Card, UnitKind
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.supervision.models import Notification, SupervisionOrder
from govwatch.supervision.orders import do_issue_order
from govwatch.supervision.routing import message_to, recipients
from govwatch.supervision.rules import RuleBook
from govwatch.workcal.calendar import get_calendar

from . import deadlines
from .models import Complaint, ComplaintStep

BATCH = 1000
WORKER = Actor("system:worker")
TEXTS = {
    Card.YELLOW: "{kind}{complaint_id}即将到期，办理期限：{due_date}，请及时办理。",
    Card.RED: "{kind}{complaint_id}已超过办理期限（{due_date}），请及时办理并登录系统跟踪督察。",
}
KINDS = {Card.YELLOW: "complaint_yellow", Card.RED: "complaint_red"}


def service_center() -> Unit | None:
    """The region's service center: the center unit nearest the root."""
    return Unit.objects.filter(kind=UnitKind.CENTER).order_by(Length("path"), "path").first()


def _queue(complaint: Complaint, card: str, at: datetime, book: RuleBook, supervisors: list[Unit]) -> int:
    unit = complaint.unit or service_center()
    if unit is None:
        return 0
    rule = book.for_case(unit, None)
    params = {
        "kind": complaint.get_kind_display(), "complaint_id": complaint.complaint_id,
        "due_date": complaint.due_date.isoformat(), "unit_name": unit.name,
    }  # fmt: skip
    text = TEXTS[card].format(**params)
    release = rule.release_at(at)
    queued = 0
    for recipient in recipients(card, unit, supervisors):
        message = message_to(recipient, KINDS[card], text, at=at)
        message.params = params
        if message.status == Notification.Status.QUEUED:
            message.next_attempt_at = release
        message.save()
        queued += 1
    return queued


def scan(at: datetime | None = None) -> dict[str, int]:
    """Every complaint whose card may have changed by `at`: its card now, each new one recorded on
    its timeline and told. Returns {"complaints", "new_yellow", "new_red", "notifications_queued"}."""
    at = at or timezone.now()
    cal = get_calendar()
    book = RuleBook()
    supervisors = list(Unit.objects.filter(kind=UnitKind.SUPERVISOR).select_related("parent"))
    result = {"complaints": 0, "new_yellow": 0, "new_red": 0, "notifications_queued": 0}
    due = Complaint.objects.filter(Q(next_card_at__isnull=True) | Q(next_card_at__lte=at))
    while True:
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True).select_related("unit").order_by("id")[:BATCH]
            )
            if not batch:
                break
            for complaint in batch:
                result["complaints"] += 1
                card = deadlines.card(complaint.is_open, complaint.due_date, at, cal)
                following = (
                    deadlines.next_change(card, complaint.due_date, cal) if complaint.is_open else None
                )
                if card != complaint.card and card in TEXTS:
                    result[f"new_{card}"] += 1
                    result["notifications_queued"] += _queue(complaint, card, at, book, supervisors)
                    label = "预警（黄牌）" if card == Card.YELLOW else "超时（红牌）"
                    ComplaintStep.objects.create(
                        complaint=complaint, at=at, kind=f"card_{card}", actor=WORKER.label,
                        text=f"{label}：办理期限 {complaint.due_date:%Y-%m-%d}",
                    )  # fmt: skip
                if card != complaint.card:
                    complaint.card_at = at
                complaint.card = card
                # Never at or before `at`: the loop relies on evaluated complaints leaving the query.
                complaint.next_card_at = max(following or deadlines.NEVER, at + timedelta(microseconds=1))
            Complaint.objects.bulk_update(batch, ["card", "card_at", "next_card_at"])
    return result


def supervise_overdue(at: datetime | None = None) -> int:
    """A supervision order for each open complaint red for more than ORDER_AFTER_RED_WORKDAYS
    working days (as for cases), one per deadline: to the handling unit, or to the service center
    while it is not triaged."""
    at = at or timezone.now()
    cal = get_calendar()
    latest_due = cal.first_date_within(local_date(at), settings.ORDER_AFTER_RED_WORKDAYS)
    supervised = ComplaintStep.objects.filter(kind="supervised")
    late = (
        Complaint.objects.filter(card=Card.RED, due_date__lt=latest_due)
        .exclude(status__in=Complaint.DONE)
        .select_related("unit")
    )
    issued = 0
    for complaint in late.iterator(chunk_size=500):
        if supervised.filter(complaint=complaint, due=complaint.due_date).exists():
            continue
        unit = complaint.unit or service_center()
        if unit is None:
            continue
        try:
            with transaction.atomic():
                step = ComplaintStep.objects.create(
                    complaint=complaint, at=at, kind="supervised", actor=WORKER.label, due=complaint.due_date
                )
                stage = "分办" if complaint.unit is None else "办理"
                order = do_issue_order(
                    WORKER, unit,
                    f"{complaint.get_kind_display()}{complaint.complaint_id}（{complaint.get_source_display()}，"
                    f"{local_date(complaint.at):%Y年%m月%d日}受理）已超过办理期限 {complaint.due_date:%Y年%m月%d日}"
                    f"未办结，请立即{stage}并说明超时原因，同时回复本督办单。",
                    origin=SupervisionOrder.Origin.OVERDUE, at=at,
                )  # fmt: skip
                step.order, step.text = order, f"超过办理期限，下发督办单 {order.number} 至 {unit.name}"
                step.save(update_fields=["order", "text"])
                record(WORKER, "complaint.supervise", complaint,
                       summary=f"投诉 {complaint.complaint_id} 超期，下发督办单 {order.number}",
                       after={"due_date": complaint.due_date, "order": order.number, "unit": unit.code})  # fmt: skip
        except IntegrityError:
            continue  # another worker issued it between the check and now
        issued += 1
    return issued
