"""帮办代办 and 上门办理: the list with its figures, a new request, one service with its timeline and
the steps open to the viewer (assign the staff who help, record the outcome, cancel)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import SERVE_ASSISTS, access, may, scope
from govwatch.audit.log import Actor
from govwatch.core.localtime import end_of_day, start_of_day
from govwatch.supervision.views.common import paginate

from .. import assists
from ..forms import AssistAssignForm, AssistFilterForm, AssistFinishForm, AssistRequestForm, ReasonForm
from ..models import AssistedService, Staff
from .common import context, period_of, within

STEP_LABELS = {
    "requested": "登记申请", "assigned": "安排服务人员", "done": "已办成", "unresolved": "未办成", "cancelled": "取消",
}  # fmt: skip


@member_required
def assist_list(request: HttpRequest) -> HttpResponse:
    period = period_of(request, AssistFilterForm)
    services = within(AssistedService.objects.visible_to(scope(request.user)), period).filter(
        requested_at__gte=start_of_day(period.start), requested_at__lt=end_of_day(period.end)
    )
    figures = assists.figures(services)
    helpers = assists.by_helper(services)[:10]
    people = {s.pk: s for s in Staff.objects.filter(pk__in=[h[0] for h in helpers])}
    if period.form.is_valid():
        for name in ("kind", "group", "status"):
            if period.form.cleaned_data[name]:
                services = services.filter(**{name: period.form.cleaned_data[name]})
    return render(
        request,
        "windows/assist_list.html",
        context(
            request, "assists", period=period, figures=figures, services=paginate(request, services.select_related("unit")),
            kinds=[(k, figures.by_kind.get(k.value, 0)) for k in AssistedService.Kind],
            groups=[(g, figures.by_group.get(g.value, 0)) for g in AssistedService.Group],
            helpers=[(people[pk], n, done) for pk, n, done in helpers], can_serve=may(request.user, SERVE_ASSISTS),
        ),
    )  # fmt: skip


@action_required(SERVE_ASSISTS)
def assist_new(request: HttpRequest) -> HttpResponse:
    form = AssistRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            service = assists.do_request(
                Actor.of_request(request), unit=d["unit"], kind=d["kind"], group=d["group"], matter=d["matter"],
                item=d["item"], contact=d["contact"], address=d["address"], scheduled_on=d["scheduled_on"],
            )  # fmt: skip
        except assists.AssistError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记 {service.number}")
            return redirect("windows:assist-detail", pk=service.pk)
    return render(request, "windows/assist_new.html", context(request, "assists", form=form))


def _service(request: HttpRequest, pk: int, action: str | None = None) -> AssistedService:
    return access(request.user, AssistedService.objects.select_related("unit", "item"), action, pk=pk)


def _page(request: HttpRequest, service: AssistedService, **bound) -> HttpResponse:
    serving = may(request.user, SERVE_ASSISTS) and service.is_open
    return render(
        request,
        "windows/assist_detail.html",
        context(
            request, "assists", service=service, helpers=service.helpers.select_related("window"),
            steps=[(s, STEP_LABELS.get(s.kind, s.kind)) for s in service.steps.all()],
            assign_form=bound.get("assign_form", AssistAssignForm(service=service)) if serving else None,
            finish_form=bound.get("finish_form", AssistFinishForm()) if serving else None,
            cancel_form=bound.get("cancel_form", ReasonForm()) if serving else None,
        ),
    )  # fmt: skip


@member_required
def assist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _service(request, pk))


def _step(request: HttpRequest, pk: int, form_name: str, form, act) -> HttpResponse:
    service = _service(request, pk, SERVE_ASSISTS)
    if form.is_valid():
        try:
            act(Actor.of_request(request), service, form.cleaned_data)
        except assists.AssistError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("windows:assist-detail", pk=service.pk)
    return _page(request, service, **{form_name: form})


@member_required
@require_POST
def assist_assign(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service(request, pk, SERVE_ASSISTS)
    form = AssistAssignForm(request.POST, service=service)
    return _step(
        request, pk, "assign_form", form, lambda a, s, d: assists.do_assign(a, s, helpers=d["helpers"])
    )


@member_required
@require_POST
def assist_finish(request: HttpRequest, pk: int) -> HttpResponse:
    form = AssistFinishForm(request.POST)
    return _step(
        request, pk, "finish_form", form,
        lambda a, s, d: assists.do_finish(a, s, done=d["done"], outcome=d["outcome"], case_no=d["case_no"]),
    )  # fmt: skip


@member_required
@require_POST
def assist_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _step(
        request, pk, "cancel_form", form, lambda a, s, d: assists.do_cancel(a, s, reason=d["reason"])
    )
