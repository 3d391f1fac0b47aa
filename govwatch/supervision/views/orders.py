"""督办单: the list, one order with its timeline and the actions open to the viewer, new orders,
the printed notice and the reply's attachments.

Each action is its own POST address; a refused or failed action shows the order page again with
the form as it was filled in, so nothing typed is lost.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import ACCEPT_ORDERS, ISSUE_ORDERS, REPLY_ORDERS, access, may, scope
from govwatch.audit.log import Actor
from govwatch.cases.models import Case
from govwatch.core import pii
from govwatch.core.attachments import download
from govwatch.core.choices import Card
from govwatch.core.downloads import document_download
from govwatch.core.forms import files_read
from govwatch.core.tree import subtree

from ..documents import order_notice
from ..forms import WAITING as WAITING_FILTER
from ..forms import AcceptForm, IssueOrderForm, OrderFilterForm, ReplyForm, SendBackForm
from ..models import SupervisionOrder
from ..orders import (
    OrderError,
    access_order,
    access_order_attachment,
    do_accept,
    do_issue_order,
    do_reply,
    do_send_back,
    escalated,
)
from .common import page_context, paginate

Order = SupervisionOrder
Status = Order.Status
STEP_LABELS = {
    "issued": "下发督办",
    "replied": "单位回复",
    "returned": "退回重办",
    "escalated": "逾期升级",
    "closed": "验收办结",
    "notified": "通知",
}
WAITING = (Status.ISSUED, Status.RETURNED)


def _orders(request: HttpRequest) -> QuerySet[Order]:
    return Order.objects.visible_to(scope(request.user)).select_related(
        "unit", "case__item", "case__unit", "watch"
    )


@member_required
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None, user=request.user)
    orders = _orders(request)
    if form.is_bound and not form.is_valid():
        orders = orders.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["status"] == WAITING_FILTER:
            orders = orders.filter(status__in=WAITING)
        elif data["status"]:
            orders = orders.filter(status=data["status"])
        if data["escalated"]:
            orders = orders.filter(escalated())
        if data["level"] is not None:
            orders = orders.filter(level=data["level"])
        if data["unit"]:
            orders = orders.filter(subtree(data["unit"].path, "unit"))
        if data["origin"]:
            orders = orders.filter(origin=data["origin"])
    context = page_context(
        request, "orders",
        form=form,
        orders=paginate(request, orders.order_by("-issued_at", "-id")),
        today=timezone.localdate(),
        waiting=WAITING,
        can_issue=may(request.user, ISSUE_ORDERS),
    )  # fmt: skip
    return render(request, "supervision/order_list.html", context)


def _order_page(request: HttpRequest, order: Order, **forms) -> HttpResponse:
    """The order page, with the action forms the viewer may use now (bound ones kept as filled)."""
    user = request.user
    mine = scope(user)
    can_reply = order.status in WAITING and may(user, REPLY_ORDERS)
    can_check = order.status == Status.REPLIED and may(user, ACCEPT_ORDERS)
    all_steps = list(order.steps.prefetch_related("attachments"))
    steps = [(step, STEP_LABELS.get(step.kind, step.kind)) for step in all_steps]
    # The files of each reply round (第 n 次回复), and those kept before rounds were told apart.
    rounds = [
        (n, step, list(step.attachments.all()))
        for n, step in enumerate((s for s in all_steps if s.kind == "replied"), start=1)
    ]
    earlier = list(order.attachments.filter(step__isnull=True).order_by("uploaded_at", "id"))
    context = page_context(
        request, "orders",
        order=order,
        steps=steps,
        attachment_url="supervision:attachment",
        rounds=[r for r in rounds if r[2]],
        earlier_attachments=earlier,
        # The linked case is shown only to those who may see it (it is the order unit's own case).
        case=order.case if order.case_id and mine.contains(order.case.unit) else None,
        unit_phone=pii.mask(order.unit.phone),
        # The overdue deadline the order came from, linked to its subject's own page.
        watched=order.watch,
        watched_url=order.watch.subject_url() if order.watch_id else "",
        overdue=order.status in WAITING and order.reply_due < timezone.localdate(),
        reply_form=forms.get("reply_form", ReplyForm()) if can_reply else None,
        accept_form=forms.get("accept_form", AcceptForm()) if can_check else None,
        send_back_form=forms.get("send_back_form", SendBackForm()) if can_check else None,
    )  # fmt: skip
    return render(request, "supervision/order_detail.html", context)


@member_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, access_order(request.user, pk))


def _done(request: HttpRequest, order: Order, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("supervision:order-detail", pk=order.pk)


@member_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order(request.user, pk, REPLY_ORDERS)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        files = files_read(form.cleaned_data["attachments"])
        try:
            do_reply(
                Actor.of_request(request),
                order,
                form.cleaned_data["measures"],
                form.cleaned_data["result"],
                files,
            )
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            return _done(request, order, f"已回复督办单 {order.number}，等待验收")
    order.refresh_from_db()
    return _order_page(request, order, reply_form=form)


@member_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order(request.user, pk, ACCEPT_ORDERS)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            do_accept(Actor.of_request(request), order, form.cleaned_data["comment"])
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            return _done(request, order, f"督办单 {order.number} 已验收办结")
    order.refresh_from_db()
    return _order_page(request, order, accept_form=form)


@member_required
@require_POST
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order(request.user, pk, ACCEPT_ORDERS)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            do_send_back(Actor.of_request(request), order, form.cleaned_data["comment"])
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            return _done(request, order, f"督办单 {order.number} 已退回单位重新办理")
    order.refresh_from_db()
    return _order_page(request, order, send_back_form=form)


def _default_demand(case: Case) -> str:
    if case.card == Card.RED:
        return f"办件 {case.case_no}（{case.item.name}）已超过办理期限 {case.due_date:%Y-%m-%d}，请立即办理并说明超时原因。"
    return f"办件 {case.case_no}（{case.item.name}）办理期限为 {case.due_date:%Y-%m-%d}，请加快办理，确保按期办结。"


@action_required(ISSUE_ORDERS)
def order_new(request: HttpRequest) -> HttpResponse:
    """A new order: about a case (?case=CASE_NO, from the case page) or to a unit."""
    user = request.user
    case_no = request.GET.get("case", "").strip()
    case = None
    if case_no:
        case = access(user, Case.objects.select_related("unit", "item"), case_no=case_no)
    initial = {"demand": _default_demand(case)} if case else {}
    form = IssueOrderForm(request.POST or None, user=user, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = do_issue_order(
                Actor.of_request(request), case.unit if case else data["unit"], data["demand"],
                case=case, level=data["level"], reply_days=data["reply_days"],
            )  # fmt: skip
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            return _done(request, order, f"已下发督办单 {order.number}，回复期限 {order.reply_due:%Y-%m-%d}")
    context = page_context(
        request, "orders",
        form=form,
        case=case,
        case_orders=case.orders.exclude(status=Status.CLOSED).order_by("-issued_at") if case else [],
    )  # fmt: skip
    return render(request, "supervision/order_new.html", context)


@member_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """督办通知单 as a Word document (or PDF)."""
    order = access_order(request.user, pk)
    back = reverse("supervision:order-detail", args=[order.pk])
    return document_download(request, order_notice(order), f"督办通知单-{order.number}", back)


@member_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A reply's evidence, always as a download: an uploaded page must never render as ours."""
    return download(access_order_attachment(request.user, pk))
