"""What waits in e-supervision (govwatch.core.todo): orders to answer, replies to accept, new red
cards, escalations, and the alert settings the office must fix."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from govwatch.accounts.permissions import (
    ACCEPT_ORDERS,
    ISSUE_ORDERS,
    MANAGE_CATALOG,
    MANAGE_TEMPLATES,
    REPLY_ORDERS,
    may,
    scope,
)
from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.core.choices import Card, CaseStatus, UnitKind
from govwatch.core.localtime import local_date, start_of_day
from govwatch.core.todo import SHOWN, TodoGroup, TodoItem, grouped_counts
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from .forms import CHANNELS, NOTIFICATION_KINDS
from .models import CardChange, Notification, SupervisionOrder, Watch, WatchFlip
from .orders import escalated
from .transports import KINDS

Order = SupervisionOrder
WAITING = [Order.Status.ISSUED, Order.Status.RETURNED]
NAV = "supervision"


def _url(name: str, **query: object) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _order_items(orders: QuerySet[Order], at: datetime, deadline: bool = True) -> list[TodoItem]:
    cal, today = get_calendar(), local_date(at)
    items = []
    for order in orders.select_related("unit")[:SHOWN]:
        label, url = (
            f"{order.number} · {order.unit.name}",
            reverse("supervision:order-detail", args=[order.pk]),
        )
        if deadline:
            items.append(TodoItem.due(label, url, order.reply_due, today, cal, note=order.demand[:60]))
        else:
            items.append(TodoItem(label, url, note=order.demand[:60]))
    return items


def _case_items(cases: QuerySet[Case], at: datetime) -> list[TodoItem]:
    cal, today = get_calendar(), local_date(at)
    return [
        TodoItem.due(
            f"{c.case_no} · {c.item.name}", c.get_absolute_url(), c.due_date, today, cal, note=c.unit.name
        )
        for c in cases.select_related("item", "unit")[:SHOWN]
    ]


def _failed_items(failed: QuerySet[Notification]) -> list[TodoItem]:
    """The latest messages that failed for good: what they were, to whom (masked) and why."""
    kinds, channels = dict(NOTIFICATION_KINDS), dict(CHANNELS)
    url = _url("supervision:outbox", status=Notification.Status.FAILED)
    rows = failed.defer("recipient_enc", "recipient_hash", "text").select_related("unit").order_by("-id")
    return [
        TodoItem(
            f"{kinds.get(n.kind, n.kind)} · {channels.get(n.channel, n.channel)} · {n.recipient_masked}",
            url,
            note=" · ".join(part for part in (n.unit.name if n.unit else "", n.last_error[:60]) if part),
        )
        for n in rows[:SHOWN]
    ]


def since_last_working_day(at: datetime) -> datetime:
    """The start of the previous working day: "new" is what came since then, so that on a Monday
    Friday's cards are still new."""
    cal = get_calendar()
    day = local_date(at) - timedelta(days=1)
    while not cal.is_workday(day):
        day -= timedelta(days=1)
    return start_of_day(day)


def _new_red_cases(mine, since: datetime) -> QuerySet[Case]:
    turned_red = CardChange.objects.filter(case=OuterRef("case_no"), card=Card.RED, at__gte=since)
    return Case.objects.visible_to(mine).filter(card=Card.RED).filter(Exists(turned_red))


def _new_red_watches(mine, since: datetime) -> QuerySet[Watch]:
    turned_red = WatchFlip.objects.filter(watch=OuterRef("pk"), card=Card.RED, at__gte=since)
    return Watch.objects.visible_to(mine).filter(card=Card.RED).filter(Exists(turned_red))


def waiting(user, at: datetime) -> list[TodoGroup]:
    mine = scope(user)
    orders = Order.objects.visible_to(mine)
    groups = []
    if may(user, REPLY_ORDERS):
        answer = orders.filter(status__in=WAITING).order_by("reply_due", "id")
        owed = answer.order_by().aggregate(
            n=Count("pk"), late=Count("pk", filter=Q(reply_due__lt=local_date(at)))
        )
        groups.append(
            TodoGroup(
                "supervision.orders-to-answer", "待回复的督办单", owed["n"],
                _url("supervision:order-list", status="waiting"),
                items=lambda: _order_items(answer, at), nav=NAV,
                tone="red" if owed["late"] else "",
            )
        )  # fmt: skip
        # The unit's own cases the last scan carded: finish them before (or now that) they are late.
        carded = Case.objects.visible_to(mine).filter(status=CaseStatus.OPEN)
        red = carded.filter(card=Card.RED).order_by("due_date", "id")
        yellow = carded.filter(card=Card.YELLOW).order_by("due_date", "id")
        # Counted inside the (status, unit, card) index, both cards in one statement: on every page,
        # for the navigation's count.
        cards = grouped_counts(
            Case.objects.counted_for(mine).filter(status=CaseStatus.OPEN, card__in=[Card.RED, Card.YELLOW]),
            "card",
        )
        groups += [
            TodoGroup(
                "supervision.red-cases", "超时办件（红牌）", cards.get(Card.RED.value, (0, 0))[0],
                _url("case-list", status=CaseStatus.OPEN, card=Card.RED),
                items=lambda: _case_items(red, at), nav=NAV, tone="red",
            ),
            TodoGroup(
                "supervision.yellow-cases", "即将超时的办件（黄牌）", cards.get(Card.YELLOW.value, (0, 0))[0],
                _url("case-list", status=CaseStatus.OPEN, card=Card.YELLOW),
                items=lambda: _case_items(yellow, at), nav=NAV, tone="yellow",
            ),
        ]  # fmt: skip
    if may(user, ACCEPT_ORDERS):
        replied = orders.filter(status=Order.Status.REPLIED).order_by("replied_at", "id")
        groups.append(
            TodoGroup(
                "supervision.replies-to-accept", "待验收的督办回复", replied.count(),
                _url("supervision:order-list", status=Order.Status.REPLIED),
                items=lambda: _order_items(replied, at, deadline=False), nav=NAV,
            )
        )  # fmt: skip
    if may(user, ISSUE_ORDERS):
        since = since_last_working_day(at)
        new_red = _new_red_cases(mine, since).order_by("due_date", "id")
        groups.append(
            TodoGroup(
                "supervision.new-red-cases", "新增红牌办件", new_red.count(),
                _url("case-list", card=Card.RED, card_since=local_date(since).isoformat()),
                items=lambda: _case_items(new_red, at), nav=NAV, tone="red",
            )
        )  # fmt: skip
        red_watches = _new_red_watches(mine, since).select_related("unit").order_by("due_date", "id")
        groups.append(
            TodoGroup(
                "supervision.new-red-watches", "新增红牌（其他到期事项）", red_watches.count(),
                _url("supervision:watch-list", card=Card.RED, since=local_date(since).isoformat()),
                items=lambda: [
                    TodoItem.due(f"{w.kind_label} · {w.label}", w.subject_url() or reverse("supervision:watch-list"),
                                 w.due_date, local_date(at), get_calendar(), note=w.unit.name)
                    for w in red_watches.prefetch_related("subject")[:SHOWN]
                ],
                nav=NAV, tone="red",
            )
        )  # fmt: skip
        raised = orders.filter(status__in=WAITING).filter(escalated()).order_by("reply_due", "id")
        groups.append(
            TodoGroup(
                "supervision.escalations", "逾期升级的督办单", raised.count(),
                _url("supervision:order-list", status="waiting", escalated="on"),
                items=lambda: _order_items(raised, at), nav=NAV, tone="red",
            )
        )  # fmt: skip
        failed = Notification.objects.visible_to(mine).filter(status=Notification.Status.FAILED)
        n_failed = failed.count()
        groups.append(
            TodoGroup(
                "supervision.failed-messages", "发送失败的提醒", n_failed,
                _url("supervision:outbox", status=Notification.Status.FAILED),
                items=lambda: _failed_items(failed), nav=NAV, tone="red" if n_failed else "",
            )
        )  # fmt: skip
    if may(user, MANAGE_CATALOG):
        groups.append(_units_without_phone(mine))
    if may(user, MANAGE_TEMPLATES):
        groups.append(_sms_templates_missing())
    return groups


# The cloud SMS services send only pre-approved templates, one per kind of message (settings).
PROVIDER_TEMPLATES = {
    "aliyun": ("ALIYUN_SMS", "GOVWATCH_ALIYUN_TEMPLATE_"),
    "tencent": ("TENCENT_SMS", "GOVWATCH_TENCENT_TEMPLATE_"),
}


def _sms_templates_missing() -> TodoGroup:
    """Kinds of message the configured SMS service has no approved template for: each would fail."""
    setting, variable = PROVIDER_TEMPLATES.get(settings.SMS_TRANSPORT, ("", ""))
    templates = getattr(settings, setting, {}).get("templates", {}) if setting else {}
    missing = [kind for kind, code in templates.items() if not code]
    url = _url("supervision:outbox", status=Notification.Status.FAILED)
    return TodoGroup(
        "supervision.sms-templates", "未配置的短信模板", len(missing), url,
        items=[TodoItem(f"{KINDS.get(k, k)}短信", url, note=f"设置环境变量 {variable}{k.upper()}，否则此类短信无法发送")
               for k in missing],
        tone="red" if missing else "",
    )  # fmt: skip


def _units_without_phone(mine) -> TodoGroup:
    """Units that alerts cannot reach (no alert number): each is one click from its admin form."""
    # Alerts go to the units that handle cases (those with items) and to the supervisors.
    handles = Exists(Item.objects.filter(unit=OuterRef("pk")))
    units = (
        Unit.objects.visible_to(mine)
        .filter(phone="")
        .filter(handles | Q(kind=UnitKind.SUPERVISOR))
        .order_by("path")
    )
    return TodoGroup(
        "supervision.units-without-phone", "未设置提醒电话的单位", units.count(),
        _url("admin:orgs_unit_changelist", phone="none"),
        items=lambda: [
            TodoItem(u.name, reverse("admin:orgs_unit_change", args=[u.pk]), note="亮牌和督办短信无法送达")
            for u in units[:SHOWN]
        ],
        tone="yellow",
    )  # fmt: skip
