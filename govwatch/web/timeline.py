"""One timeline per case (办件全过程): its events, each card, each message sent, the supervision
orders with their replies and acceptance, the evaluations with their reasons and their
rectification's steps, in the order they happened, each linked to its own page where the viewer
may open it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from govwatch.accounts.permissions import Scope
from govwatch.cases.deadlines import overdue_workdays
from govwatch.cases.models import Case
from govwatch.core.choices import Card, CaseStatus
from govwatch.evaluations.models import Evaluation, TaskStep
from govwatch.evaluations.views import STEP_LABELS as TASK_STEP_LABELS
from govwatch.supervision.models import CardChange, Notification, OrderStep, SupervisionOrder
from govwatch.supervision.views.orders import STEP_LABELS as ORDER_STEP_LABELS
from govwatch.workcal.calendar import get_calendar

CARD_LABELS = {Card.YELLOW: "亮黄牌（预警）", Card.RED: "亮红牌（超时）", Card.NONE: "撤牌"}
MESSAGE_KINDS = {
    "yellow": "预警短信",
    "red": "超时提醒",
    "order": "督办通知",
    "result": "结果反馈",
    "invite": "评价邀请",
}
CHANNELS = {"sms": "短信", "wecom": "企业微信", "dingtalk": "钉钉", "email": "邮件"}
OPEN_ORDER = (
    SupervisionOrder.Status.ISSUED,
    SupervisionOrder.Status.REPLIED,
    SupervisionOrder.Status.RETURNED,
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # a CSS class: accept, yellow, red, message, order, evaluation ...
    label: str
    text: str = ""
    link: str = ""
    link_text: str = ""


def case_timeline(case: Case, mine: Scope, now: datetime | None = None) -> list[Entry]:
    """Every step of the case the viewer may see, oldest first (ties: in the order they were made)."""
    entries: list[tuple[datetime, int, Entry]] = []

    def add(entry: Entry, seq: int) -> None:
        entries.append((entry.at, seq, entry))

    for e in case.events.order_by("at", "pk"):
        text = f"窗口 {e.window_code}" if e.window_code else ""
        if e.reason:
            text = f"{text}；原因：{e.reason}" if text else f"原因：{e.reason}"
        if e.kind == "accept":
            text = (
                text + "；" if text else ""
            ) + f"承诺 {case.item.promised_days} 个工作日，到期日 {case.due_date:%Y-%m-%d}"
        add(Entry(e.at, e.kind, e.get_kind_display(), text), 0)

    cal = get_calendar()
    end = case.closed_at or now or timezone.now()
    for change in CardChange.objects.filter(case=case).order_by("at", "pk"):
        text = ""
        if change.card == Card.RED:
            days = overdue_workdays(case.due_date, end, cal)
            how = "办结时" if case.closed_at else "至今"
            text = f"到期日 {case.due_date:%Y-%m-%d}，{how}超期 {days} 个工作日"
        elif change.card == Card.YELLOW:
            text = f"到期日 {case.due_date:%Y-%m-%d}"
        add(Entry(change.at, change.card, CARD_LABELS.get(change.card, change.card), text), 1)

    messages = Notification.objects.visible_to(mine).filter(case=case).select_related("unit", "card_change")
    for m in messages.order_by("pk"):
        what = MESSAGE_KINDS.get(m.kind, m.kind)
        to = f"{m.unit.name} " if m.unit_id else ""
        state = m.get_status_display() + (
            f"（{m.last_error}）" if m.status == Notification.Status.FAILED else ""
        )
        if m.sent_at:
            state += f"，{timezone.localtime(m.sent_at):%Y-%m-%d %H:%M}"
        text = f"{CHANNELS.get(m.channel, m.channel)}至 {to}{m.recipient_masked}：{state}"
        # A card's message stands with its card (it is queued in the scan that showed the card).
        moment = m.card_change.at if m.card_change_id else (m.sent_at or m.created_at)
        add(Entry(moment, "message", what, text), 2)

    orders = SupervisionOrder.objects.visible_to(mine).filter(case=case)
    for order in orders.order_by("issued_at"):
        url = reverse("supervision:order-detail", args=[order.pk])
        for step in OrderStep.objects.filter(order=order).order_by("at", "pk"):
            label = "督办单" + ORDER_STEP_LABELS.get(step.kind, step.kind)
            text = order.get_origin_display() if step.kind == "issued" else step.text
            add(Entry(step.at, f"order-{step.kind}", label, text, url, order.number), 3)

    evaluations = Evaluation.objects.visible_to(mine).filter(case=case).select_related("task")
    for ev in evaluations.order_by("at"):
        task = getattr(ev, "task", None) if hasattr(ev, "task") else None
        reasons = "、".join(ev.tag_labels())
        text = f"{ev.get_level_display()}（{ev.get_channel_display()}）" + (
            f"；原因：{reasons}" if reasons else ""
        )
        link = (reverse("evaluations:task-detail", args=[task.pk]), task.number) if task else ("", "")
        add(Entry(ev.at, "evaluation", "群众评价", text, *link), 4)
        if task is None:
            continue
        for step in TaskStep.objects.filter(task=task).exclude(kind="opened").order_by("at", "pk"):
            label = "差评整改：" + TASK_STEP_LABELS.get(step.kind, step.kind)
            add(Entry(step.at, f"task-{step.kind}", label, step.text, *link), 5)

    return [entry for _, _, entry in sorted(entries, key=lambda t: (t[0], t[1]))]


def order_makes_sense(case: Case) -> bool:
    """An order is for an open case (suspended too) that has no order still open: a closed case
    has nothing left to do, and a case already ordered is followed through that order."""
    if case.status not in (CaseStatus.OPEN, CaseStatus.SUSPENDED):
        return False
    return not SupervisionOrder.objects.filter(case=case, status__in=OPEN_ORDER).exists()
