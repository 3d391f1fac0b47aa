"""回访抽查 pages, for the supervisors: the plans, a new plan, and a plan's call sheet (masked
numbers, the audited reveal, the outcome of each call) with each unit's figures."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required
from govwatch.accounts.permissions import SAMPLE_CALLBACKS, scope
from govwatch.audit.log import Actor, record
from govwatch.core import pii
from govwatch.supervision.views.common import paginate

from . import sampling
from .forms import CallForm, PlanForm
from .models import SampledCall, SamplingPlan

Plan = SamplingPlan


def _plans(request: HttpRequest):
    return Plan.objects.visible_to(scope(request.user)).select_related("unit")


def _context(**values) -> dict:
    return {"nav": "complaints", "section": "sampling", **values}


@action_required(SAMPLE_CALLBACKS)
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "complaints/sampling_plan_list.html", _context(plans=paginate(request, _plans(request)))
    )


@action_required(SAMPLE_CALLBACKS)
def plan_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"date_from": today.replace(day=1), "date_to": today, "name": f"{today:%Y年%m月}回访抽查"}
    form = PlanForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = sampling.do_create_plan(
                Actor.of_request(request), name=data["name"], date_from=data["date_from"], date_to=data["date_to"],
                evaluation_share=data["evaluation_share"] / 100, complaint_share=data["complaint_share"] / 100,
                seed=data["seed"], minimum=data["minimum"], unit=data["unit"],
            )  # fmt: skip
        except sampling.SamplingError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("complaints:plan", pk=plan.pk)
    return render(request, "complaints/sampling_plan_new.html", _context(form=form))


def _plan_page(request: HttpRequest, plan: Plan, bound: dict | None = None) -> HttpResponse:
    calls = plan.calls.select_related("unit", "evaluation__case", "complaint")
    unit = request.GET.get("unit", "")
    if unit:
        calls = calls.filter(unit__code=unit)
    listing = paginate(request, calls)
    rows = [(call, (bound or {}).get(call.pk) or CallForm(initial={"outcome": call.outcome if call.outcome != "pending" else None, "note": call.note})) for call in listing.page]  # fmt: skip
    figures = [f for f in sampling.figures(plan) if not unit or f.unit_code == unit]
    context = _context(plan=plan, figures=figures, calls=listing, rows=rows, unit=unit,
                       open=plan.status == Plan.Status.DRAWN)  # fmt: skip
    return render(request, "complaints/sampling_plan_detail.html", context)


@action_required(SAMPLE_CALLBACKS)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, get_object_or_404(_plans(request), pk=pk))


def _plan_step(run, done: str):
    @action_required(SAMPLE_CALLBACKS)
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_object_or_404(_plans(request), pk=pk)
        try:
            run(Actor.of_request(request), plan)
        except sampling.SamplingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return redirect("complaints:plan", pk=plan.pk)

    return view


draw = _plan_step(sampling.do_draw, "已按种子抽取样本，请逐一回访")
finish = _plan_step(sampling.do_finish, "回访抽查已完成")


def _call(request: HttpRequest, pk: int) -> SampledCall:
    return get_object_or_404(
        SampledCall.objects.filter(plan__in=_plans(request)).select_related("plan"), pk=pk
    )


@action_required(SAMPLE_CALLBACKS)
@require_POST
def call(request: HttpRequest, pk: int) -> HttpResponse:
    sampled = _call(request, pk)
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            sampling.do_record_call(Actor.of_request(request), sampled, outcome=form.cleaned_data["outcome"],
                                    note=form.cleaned_data["note"])  # fmt: skip
        except sampling.SamplingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记回访结果")
            return redirect(
                f"{request.POST.get('back') or sampled.plan.get_absolute_url()}#call-{sampled.pk}"
            )
    return _plan_page(request, sampled.plan, {sampled.pk: form})


@action_required(SAMPLE_CALLBACKS)
@require_POST
@never_cache
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The number to call, in clear, while the plan is being worked; audited (the entry names the
    call, never the number)."""
    sampled = _call(request, pk)
    if sampled.plan.status != Plan.Status.DRAWN:
        messages.error(request, "该计划已完成，不能再查看号码")
        return redirect("complaints:plan", pk=sampled.plan_id)
    record(Actor.of_request(request), "sampling.reveal", sampled,
           summary=f"回访抽查查看号码：{sampled.unit.name} {sampled.get_subject_display()} #{sampled.pk}")  # fmt: skip
    value = pii.decrypt(sampled.phone_enc) if sampled.phone_enc else ""
    return render(request, "complaints/sampling_reveal.html", _context(call=sampled, value=value))
