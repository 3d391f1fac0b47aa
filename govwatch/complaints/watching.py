"""A complaint's deadline under e-supervision (contract section 7): one watched deadline of kind
`complaint` (govwatch.supervision.watches), so that its yellow and red cards, their messages and
the supervision order of an overdue complaint come from the same scan, routing and outbox as every
other deadline's. The deadline itself is `deadlines.due`'s, and nothing here computes it again.

The watch follows the complaint while it is open: the handling unit answers for it, or the
region's service center while the complaint waits for triage (the office owes the triage); a
closed or dismissed complaint's watch ends. A complaint overdue for more than
ORDER_AFTER_RED_WORKDAYS working days becomes one supervision order, as a case does, and the order
is a step on the complaint's own timeline. Registered by ComplaintsConfig.ready().
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models.functions import Length

from govwatch.audit.log import record
from govwatch.core.choices import ComplaintKind, UnitKind
from govwatch.core.datewords import document_date
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.supervision.kinds import WatchKind, register_kind
from govwatch.supervision.models import SupervisionOrder, Watch
from govwatch.supervision.watches import (
    WORKER,
    card_of_subject,
    close_watch,
    subjects_with_card,
    watch,
    watch_new,
)

from .deadlines import YELLOW_DAYS
from .models import Complaint, ComplaintStep

COMPLAINT = "complaint"
TEXTS = {
    "yellow": "{label}即将到期，办理期限：{due_date}，{remaining}，请及时办理。",
    "red": "{label}已超过办理期限（{due_date}），责任单位：{unit_name}，请及时办理并登录系统跟踪督察。",
    "reminder": "{label}办理期限：{due_date}，{remaining}，请按期办结。",
}


def service_center() -> Unit | None:
    """Who answers for a complaint not yet triaged: the region's service center (the center unit
    nearest the root), or the region's root unit where there is none."""
    units = Unit.objects.order_by(Length("path"), "path")
    return units.filter(kind=UnitKind.CENTER).first() or units.filter(parent__isnull=True).first()


def label(complaint: Complaint) -> str:
    return f"{ComplaintKind(complaint.kind).label}{complaint.complaint_id}"


def follow(complaint: Complaint, at: datetime, center: Unit | None = None) -> None:
    """Keep the complaint's deadline watched while it is open (in the caller's transaction, the
    complaint's row locked); end the watch once it is closed or dismissed."""
    unit = complaint.unit or center or service_center()
    if not complaint.is_open or complaint.due_date is None or unit is None:
        close_watch(complaint, at, kind=COMPLAINT)
        return
    watch(
        complaint, kind=COMPLAINT, unit=unit, due_date=complaint.due_date, label=label(complaint), at=at,
        case=complaint.case_id,
    )  # fmt: skip


def follow_new(complaints: Iterable[Complaint]) -> int:
    """Watch the open ones among complaints just inserted (an import's, in its transaction), in
    bulk: they have no watch yet. Each is watched from its own moment, as if GovWatch took it."""
    center = service_center()
    rows = [
        (c.pk, c.unit_id or center.pk, c.due_date, label(c), c.case_id, c.at)
        for c in complaints
        if c.is_open and c.due_date is not None and (c.unit_id or center)
    ]
    return watch_new(Complaint, rows, kind=COMPLAINT)


def with_card(complaints):
    """The complaints, each with `card`: its watched deadline's card at the last scan."""
    return complaints.annotate(card=card_of_subject(Complaint, COMPLAINT))


def carded(complaints, card: str):
    """The complaints whose watched deadline shows `card` (yellow or red) at the last scan."""
    return complaints.filter(pk__in=subjects_with_card(Complaint, COMPLAINT, card))


def demand(watched: Watch) -> str:
    """The order's demand: which complaint, since when, and what is owed (the triage while it
    names no unit, else the handling)."""
    complaint = Complaint.objects.get(pk=watched.object_id)
    owed = "分办" if complaint.unit_id is None else "办理"
    return (
        f"{label(complaint)}（{complaint.get_source_display()}，{document_date(local_date(complaint.at))}受理）"
        f"已超过办理期限（{document_date(watched.due_date)}）未办结，请立即{owed}并说明超时原因，同时回复本督办单。"
    )


def record_supervision(watched: Watch, order: SupervisionOrder, at: datetime) -> None:
    """The order on the complaint's timeline, naming the deadline that was missed (the kind's
    `on_order`, in the order's transaction)."""
    complaint = Complaint.objects.get(pk=watched.object_id)
    ComplaintStep.objects.create(
        complaint=complaint, at=at, kind="supervised", actor=WORKER.label, due=watched.due_date, order=order,
        text=f"超过办理期限，下发督办单 {order.number} 至 {watched.unit.name}",
    )  # fmt: skip
    record(WORKER, "complaint.supervise", complaint,
           summary=f"投诉 {complaint.complaint_id} 超期，下发督办单 {order.number}",
           after={"due_date": watched.due_date, "order": order.number, "unit": watched.unit.code})  # fmt: skip


def register() -> None:
    # Overdue like a case: the handling unit and the supervisors are told (contract section 7), and
    # ordered after the same number of working days as a case.
    register_kind(
        WatchKind(
            COMPLAINT, "投诉办理", yellow_days=YELLOW_DAYS, texts=TEXTS,
            order_after_workdays=settings.ORDER_AFTER_RED_WORKDAYS,
            order_origin=SupervisionOrder.Origin.COMPLAINT_OVERDUE, demand=demand, on_order=record_supervision,
        )
    )  # fmt: skip
