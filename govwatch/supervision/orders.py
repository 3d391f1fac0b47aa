"""Supervision orders (督办单): issued, replied, checked, escalated, closed.

Every change goes through one of the `do_*` functions below, in one transaction, with its timeline
step, its audit entry and its notifications, so the pages, the API, the CLI and the worker share
the same rules. The allowed steps are `SupervisionOrder.TRANSITIONS`, checked in `_move`; who may
take each is checked by `check_actor` in the step itself. `access_order` fetches an order as a
person sees it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from govwatch.accounts.permissions import ACCEPT_ORDERS, ISSUE_ORDERS, REPLY_ORDERS, access, check_actor
from govwatch.audit.log import Actor, record
from govwatch.cases.models import Case
from govwatch.core.attachments import AttachmentRefused, check_attachments
from govwatch.core.choices import Card
from govwatch.core.datewords import document_date
from govwatch.core.localtime import end_of_day, local_date
from govwatch.orgs.models import Unit
from govwatch.orgs.organs import supervisor_of
from govwatch.workcal.calendar import get_calendar

from .models import DocumentCounter, Notification, OrderAttachment, OrderStep, SupervisionOrder, Watch
from .routing import message_to

Order = SupervisionOrder
Status = SupervisionOrder.Status


class OrderError(Exception):
    """A step the order's state or the rules do not allow; the message is for the user."""


def access_order(user, pk: int, action: str | None = None) -> Order:
    """The order as `user` sees it: 404 outside their scope, 403 without the role for `action`."""
    return access(
        user, Order.objects.select_related("unit", "case__item", "case__unit", "watch"), action, pk=pk
    )


def access_order_attachment(user, pk: int) -> OrderAttachment:
    """A reply's evidence, seen with its order."""
    return access(user, OrderAttachment.objects.all(), pk=pk)


def next_number(series: str, year: int) -> str:
    """The next running number of a series, e.g. 督办〔2026〕第0001号, never given twice."""
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{series}〔{year}〕第{counter.last:04d}号"


def _reply_due(at: datetime, days: int):
    due = get_calendar().add_workdays(local_date(at), days).date
    return due, end_of_day(due)


def _step(order: Order, at: datetime, kind: str, actor: Actor, text: str = "") -> OrderStep:
    return OrderStep.objects.create(order=order, at=at, kind=kind, actor=actor.label, text=text)


def _notify(order: Order, units: list[Unit], text: str, at: datetime) -> None:
    Notification.objects.bulk_create(
        [message_to(u, "order", text, at=at, case_no=order.case_id) for u in units]
    )


def _move(order: Order, status: str) -> None:
    if not order.can_move_to(status):
        raise OrderError(f"督办单{order.get_status_display()}，不能{Status(status).label}")
    order.status = status


@transaction.atomic
def do_issue_order(
    actor: Actor,
    unit: Unit,
    demand: str,
    *,
    case: Case | None = None,
    origin: str = Order.Origin.SUPERVISOR,
    level: int = Order.Level.REMINDER,
    reply_days: int | None = None,
    at: datetime | None = None,
    watch: Watch | None = None,
) -> Order:
    check_actor(actor, ISSUE_ORDERS, unit)
    if not demand.strip():
        raise OrderError("督办要求不能为空")
    at = at or timezone.now()
    days = settings.ORDER_REPLY_WORKDAYS if reply_days is None else reply_days
    if days < 1:
        raise OrderError("回复时限至少为 1 个工作日")
    due, escalate_after = _reply_due(at, days)
    order = Order.objects.create(
        number=next_number("督办", local_date(at).year), unit=unit, case=case, origin=origin, level=level,
        demand=demand.strip(), issued_at=at, issued_by=actor.label, issuer=supervisor_of(unit), reply_days=days,
        reply_due=due, escalate_after=escalate_after, watch=watch,
    )  # fmt: skip
    _step(order, at, "issued", actor, demand.strip())
    subject = f"，业务编号：{case.case_no}" if case else ""
    _notify(order, [unit], f"{order.number}：请于{due:%Y年%m月%d日}前回复督办事项{subject}。", at)
    record(
        actor,
        "order.issue",
        order,
        summary=f"下发督办单 {order.number} 至 {unit.name}",
        after={"number": order.number, "unit": unit.code, "level": level, "reply_due": due.isoformat()},
    )
    return order


@transaction.atomic
def do_reply(
    actor: Actor,
    order: Order,
    measures: str,
    result: str,
    files: list[tuple[str, bytes]] = (),
    at: datetime | None = None,
) -> Order:
    check_actor(actor, REPLY_ORDERS, order.unit)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not measures.strip() or not result.strip():
        raise OrderError("请填写整改措施和办理结果")
    try:
        check_attachments(files)
    except AttachmentRefused as exc:
        raise OrderError(str(exc)) from None
    _move(order, Status.REPLIED)
    at = at or timezone.now()
    order.measures, order.result, order.replied_at, order.escalate_after = (
        measures.strip(),
        result.strip(),
        at,
        None,
    )
    order.save()
    step = _step(order, at, "replied", actor, f"措施：{order.measures}\n结果：{order.result}")
    # Each reply's files stay with that reply (a sent-back order is answered again, in a new round).
    for name, content in files:
        OrderAttachment.keep(name, content, order=order, step=step)
    record(
        actor,
        "order.reply",
        order,
        summary=f"回复督办单 {order.number}",
        after={"measures": order.measures, "result": order.result, "attachments": [n for n, _ in files]},
    )
    return order


@transaction.atomic
def do_accept(actor: Actor, order: Order, comment: str = "", at: datetime | None = None) -> Order:
    check_actor(actor, ACCEPT_ORDERS, order.unit)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Status.REPLIED:
        raise OrderError("单位尚未回复，不能验收办结")
    _move(order, Status.CLOSED)
    at = at or timezone.now()
    order.closed_at, order.escalate_after = at, None
    order.save()
    _step(order, at, "closed", actor, comment or "验收通过，督办办结")
    record(actor, "order.close", order, summary=f"验收办结督办单 {order.number}", after={"comment": comment})
    return order


@transaction.atomic
def do_send_back(actor: Actor, order: Order, comment: str, at: datetime | None = None) -> Order:
    check_actor(actor, ACCEPT_ORDERS, order.unit)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not comment.strip():
        raise OrderError("退回时请说明理由")
    _move(order, Status.RETURNED)
    at = at or timezone.now()
    order.reply_due, order.escalate_after = _reply_due(at, order.reply_days)
    order.save()
    _step(order, at, "returned", actor, comment.strip())
    _notify(
        order,
        [order.unit],
        f"{order.number} 的回复被退回：{comment.strip()}。请于{order.reply_due:%Y年%m月%d日}前重新回复。",
        at,
    )
    record(
        actor, "order.return", order, summary=f"退回督办单 {order.number}", after={"comment": comment.strip()}
    )
    return order


def escalated() -> Exists:
    """Orders raised up the ladder for a late reply (an "escalated" step), as against issued high."""
    return Exists(OrderStep.objects.filter(order=OuterRef("pk"), kind="escalated"))


def escalate_overdue(at: datetime | None = None) -> int:
    """Raise every order whose reply is overdue one step up the ladder and tell the unit's parent."""
    at = at or timezone.now()
    done = 0
    due = Order.objects.filter(status__in=[Status.ISSUED, Status.RETURNED], escalate_after__lte=at)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            order = Order.objects.select_for_update(of=("self",)).select_related("unit__parent").get(pk=pk)
            if (
                order.escalate_after is None
                or order.escalate_after > at
                or order.status not in (Status.ISSUED, Status.RETURNED)
            ):
                continue  # another worker got there first
            order.level = min(order.level + 1, Order.Level.TALK)
            order.reply_due, order.escalate_after = _reply_due(at, order.reply_days)
            order.save()
            level = Order.Level(order.level).label
            text = f"{order.number} 逾期未回复，升级为{level}，请于{order.reply_due:%Y年%m月%d日}前回复。"
            _step(order, at, "escalated", Actor("system:worker"), text)
            _notify(order, [u for u in (order.unit, order.unit.parent) if u is not None], text, at)
            record(
                Actor("system:worker"), "order.escalate", order, summary=text, after={"level": order.level}
            )
            done += 1
    return done


def issue_for_overdue_cases(at: datetime | None = None) -> int:
    """An order to the handling unit for each case red for more than N working days without one."""
    at = at or timezone.now()
    cal = get_calendar()
    n = settings.ORDER_AFTER_RED_WORKDAYS
    today = local_date(at)
    # Red for more than n working days: more than n working days in (due date, today].
    latest_due = cal.first_date_within(today, n)
    open_order = Order.objects.filter(case=OuterRef("case_no")).exclude(status=Status.CLOSED)
    cases = (
        Case.objects.filter(card=Card.RED, due_date__lt=latest_due)
        .exclude(Exists(open_order))
        .select_related("unit", "item")
    )
    actor = Actor("system:worker")
    issued = 0
    for case in cases.iterator(chunk_size=500):
        do_issue_order(
            actor, case.unit,
            f"办件 {case.case_no}（{case.item.name}）已超过办理期限 {document_date(case.due_date)}，请立即办理并说明超时原因。",
            case=case, origin=Order.Origin.OVERDUE, at=at,
        )  # fmt: skip
        issued += 1
    return issued


def issue_for_failed_deliveries(at: datetime | None = None) -> int:
    """A red alert that could not reach a supervisor becomes an order, so the case is not missed."""
    at = at or timezone.now()
    already = Order.objects.filter(case=OuterRef("case_id"), origin=Order.Origin.DELIVERY_FAILED)
    failed = (
        Notification.objects.filter(status=Notification.Status.FAILED, kind=Card.RED, unit__kind="supervisor")
        .exclude(case=None)
        .exclude(Exists(already))
        .select_related("case__unit", "case__item")
    )
    issued = 0
    seen: set[str] = set()
    for message in failed.iterator(chunk_size=500):
        case = message.case
        if case.case_no in seen:
            continue
        seen.add(case.case_no)
        do_issue_order(
            Actor("system:worker"), case.unit,
            f"办件 {case.case_no}（{case.item.name}）已超时，超时提醒未能送达纪检监察（{message.last_error}），"
            "请立即办理并回复。",
            case=case, origin=Order.Origin.DELIVERY_FAILED, at=at,
        )  # fmt: skip
        issued += 1
    return issued
