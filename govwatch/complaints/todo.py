"""What waits in complaint handling (govwatch.core.todo): the office's complaints to triage and
callbacks due, the unit's complaints to investigate and to answer with the working days left, and
the supervisors' callback sample calls still to make."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse

from govwatch.accounts.permissions import (
    CLOSE_COMPLAINTS,
    HANDLE_COMPLAINTS,
    SAMPLE_CALLBACKS,
    TRIAGE_COMPLAINTS,
    scope,
)
from govwatch.core.localtime import local_date
from govwatch.core.todo import SHOWN, TodoGroup, TodoItem, grouped_counts
from govwatch.workcal.calendar import get_calendar

from .models import Complaint, SampledCall, SamplingPlan

Status = Complaint.Status
NAV = "complaints"
# (action, status, label) of what waits for whom; each complaint's deadline is the whole complaint's.
GROUPS = [
    (TRIAGE_COMPLAINTS, Status.RECEIVED, "待分办的投诉"),
    (HANDLE_COMPLAINTS, Status.ASSIGNED, "待核查的投诉"),
    (HANDLE_COMPLAINTS, Status.FOUND, "待答复的投诉"),
    (CLOSE_COMPLAINTS, Status.REPLIED, "待回访的投诉"),
    (CLOSE_COMPLAINTS, Status.CALLED_BACK, "已回访待办结的投诉"),
]


def _items(complaints: QuerySet[Complaint], at: datetime) -> list[TodoItem]:
    cal, today = get_calendar(), local_date(at)
    items = []
    for c in complaints.select_related("unit")[:SHOWN]:
        label = f"{c.complaint_id} · {c.get_kind_display()}{'（紧急）' if c.urgency == 'urgent' else ''}"
        note = c.unit.name if c.unit else c.get_source_display()
        url = c.get_absolute_url()
        # A complaint stored without a deadline (an old row) is listed all the same.
        items.append(
            TodoItem.due(label, url, c.due_date, today, cal, note)
            if c.due_date
            else TodoItem(label, url, note=note)
        )
    return items


def _counts(mine, statuses: list[Status], at: datetime) -> dict[str, tuple[int, int]]:
    """(how many, how many past their deadline) of the complaints `mine` sees in each status."""
    if not statuses:
        return {}
    complaints = Complaint.objects.visible_to(mine).filter(status__in=statuses)
    return grouped_counts(complaints, "status", late=Q(due_date__lt=local_date(at)))


def _group(mine, status: Status, label: str, at: datetime, counts: tuple[int, int]) -> TodoGroup | None:
    n, late = counts
    if not n:
        return None
    complaints = Complaint.objects.visible_to(mine).filter(status=status).order_by("due_date", "at", "id")
    return TodoGroup(
        f"complaints.{status.value}", label, n, reverse("complaints:list") + "?" + urlencode({"status": status.value}),
        items=lambda: _items(complaints, at), nav=NAV, tone="red" if late else "",
    )  # fmt: skip


def _calls(mine) -> TodoGroup | None:
    plans = SamplingPlan.objects.visible_to(mine).filter(status=SamplingPlan.Status.DRAWN)
    pending = SampledCall.objects.filter(plan__in=plans, outcome=SampledCall.Outcome.PENDING)
    n = pending.count()
    if not n:
        return None
    by_plan = list(plans.order_by("drawn_at", "id")[:SHOWN])
    counts = {p.pk: pending.filter(plan=p).count() for p in by_plan}
    return TodoGroup(
        "complaints.sample-calls", "待回访的抽查记录", n, reverse("complaints:plans"),
        items=[TodoItem(p.name, p.get_absolute_url(), note=f"待回访 {counts[p.pk]} 条") for p in by_plan if counts[p.pk]],
        nav=NAV,
    )  # fmt: skip


def waiting(user, at: datetime) -> list[TodoGroup]:
    mine = scope(user)
    mine_groups = [(status, label) for action, status, label in GROUPS if mine.may(action)]
    counts = _counts(mine, [status for status, _ in mine_groups], at)
    groups = [
        _group(mine, status, label, at, counts.get(status.value, (0, 0))) for status, label in mine_groups
    ]
    if mine.may(SAMPLE_CALLBACKS):
        groups.append(_calls(mine))
    return [g for g in groups if g is not None]
