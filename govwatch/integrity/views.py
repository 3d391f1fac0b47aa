"""廉政风险点 pages: the points of the viewer's scope by unit and post, adding and editing one, and
its yearly review. A unit's staff keep their own unit's points; the supervisors see and keep all."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import MANAGE_RISKS, may
from govwatch.audit.log import Actor
from govwatch.rectification.views import context
from govwatch.supervision.views.common import paginate

from . import actions
from .forms import ReviewForm, RiskFilterForm, RiskForm


@member_required
def index(request):
    today = timezone.localdate()
    form = RiskFilterForm(request.GET or None, user=request.user)
    points = actions.visible_risks(request.user).filter(active=True)
    due_count = points.filter(next_review__lte=today + timedelta(days=actions.NOTICE_DAYS)).count()
    if form.is_bound and not form.is_valid():
        points = points.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["unit"]:
            points = points.filter(unit__path__startswith=data["unit"].path)
        if data["level"]:
            points = points.filter(level=data["level"])
        if data["due"]:
            points = points.filter(next_review__lte=today + timedelta(days=actions.NOTICE_DAYS))
    return render(request, "integrity/index.html", context(
        request, "risks", form=form, listing=paginate(request, points.order_by("unit__path", "post", "id")),
        today=today, soon=today + timedelta(days=actions.NOTICE_DAYS), due_count=due_count,
        can_keep=may(request.user, MANAGE_RISKS),
    ))  # fmt: skip


@action_required(MANAGE_RISKS)
def edit(request, pk: int | None = None):
    point = get_object_or_404(actions.visible_risks(request.user), pk=pk) if pk else None
    initial = {}
    if point is not None:
        initial = {"unit": point.unit.code, "post": point.post, "risk": point.risk, "level": point.level,
                   "controls": point.controls}  # fmt: skip
    form = RiskForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            point = actions.do_save_risk(Actor.of_request(request), point, unit=data["unit"], post=data["post"],
                                         risk=data["risk"], level=data["level"], controls=data["controls"])  # fmt: skip
        except actions.RiskError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已保存廉政风险点：{point.post}")
            return redirect("integrity:edit", pk=point.pk)
    reviews = point.reviews.all()[:20] if point else []
    return render(request, "integrity/edit.html", context(
        request, "risks", form=form, point=point, reviews=reviews, review_form=ReviewForm() if point else None,
    ))  # fmt: skip


@action_required(MANAGE_RISKS)
@require_POST
def review(request, pk: int):
    point = get_object_or_404(actions.visible_risks(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.do_review(Actor.of_request(request), point, form.cleaned_data["note"])
        except actions.RiskError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记年度复核，下次复核日期顺延一年")
    else:
        messages.error(request, form.errors["note"][0])
    return redirect("integrity:edit", pk=point.pk)
