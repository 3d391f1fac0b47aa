"""Accountability (问责), institutional fixes (建章立制) and public exposure (通报曝光) pages.

The supervisors record; the leaders read; a unit's staff see the fixes of their unit (they adopt
them), not the records of people. Published typical cases are public (/exposure/), with names as
姓某 unless a supervisor decided otherwise.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import (
    PUBLISH_EXPOSURE,
    RECORD_ACCOUNTABILITY,
    VIEW_ACCOUNTABILITY,
    may,
    scope,
)
from govwatch.audit.log import Actor
from govwatch.checks.views import form_page, integrity_context
from govwatch.inspections.figures import inspection_figures
from govwatch.orgs.models import Unit
from govwatch.supervision.views.common import paginate

from . import records
from .figures import accountability_figures
from .forms import ExposureForm, FiguresForm, FixForm, FollowUpForm, RecordForm, WithdrawForm
from .models import AccountabilityRecord, InstitutionalFix, TypicalCase


def _context(request: HttpRequest, section: str, **values) -> dict:
    return integrity_context(
        request, section, can_record=may(request.user, RECORD_ACCOUNTABILITY),
        can_publish=may(request.user, PUBLISH_EXPOSURE), **values,
    )  # fmt: skip


def _scoped(request: HttpRequest, qs: QuerySet) -> QuerySet:
    return qs.visible_to(scope(request.user))


def _period(request: HttpRequest) -> tuple[FiguresForm, date, date]:
    today = timezone.localdate()
    form = FiguresForm(request.GET or None)
    first, last = today.replace(month=1, day=1), today
    if form.is_bound and form.is_valid():
        first = form.cleaned_data["date_from"] or first
        last = form.cleaned_data["date_to"] or last
    return form, first, last


@action_required(VIEW_ACCOUNTABILITY)
def record_list(request: HttpRequest) -> HttpResponse:
    """The records and the figures of the period, like the seed's: matters, people, sanctions, fixes."""
    form, first, last = _period(request)
    units = Unit.objects.visible_to(scope(request.user))
    figures = accountability_figures(first, last, units)
    checks = inspection_figures(first, last, units)
    names = dict(
        Unit.objects.filter(pk__in=set(figures.by_unit) | set(checks.by_unit)).values_list("pk", "name")
    )
    per_unit = sorted(
        (
            (names[u], checks.by_unit.get(u, {}).get("inspections", 0), checks.by_unit.get(u, {}).get("problems", 0),
             checks.by_unit.get(u, {}).get("fixed", 0), row.get("matters", 0), row.get("people", 0),
             row.get("sanctioned", 0), row.get("fixes", 0))
            for u, row in ((u, figures.by_unit.get(u, {})) for u in names)
        ),
        key=lambda r: (-r[5], -r[2], r[0]),
    )  # fmt: skip
    records = _scoped(request, AccountabilityRecord.objects.select_related("unit")).filter(
        decided_on__gte=first, decided_on__lte=last
    )
    context = _context(
        request, "accountability", form=form, first=first, last=last, figures=figures, checks=checks,
        per_unit=per_unit, records=paginate(request, records.order_by("-decided_on", "-id")),
    )  # fmt: skip
    return render(request, "accountability/record_list.html", context)


def _matter_initial(request: HttpRequest) -> dict:
    initial = {k: request.GET[k] for k in ("matter", "reference", "unit") if request.GET.get(k)}
    initial.setdefault("decided_on", timezone.localdate())
    initial.setdefault("adopted_on", timezone.localdate())
    return initial


@action_required(RECORD_ACCOUNTABILITY)
def record_new(request: HttpRequest) -> HttpResponse:
    form = RecordForm(request.POST or None, user=request.user, initial=_matter_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = records.resolve_matter(data["matter"], data["reference"])
            row = records.do_record_accountability(
                Actor.of_request(request), data["unit"], person=data["person"], action=data["action"],
                facts=data["facts"], decided_by=data["decided_by"], decided_on=data["decided_on"], matter=matter,
                staff_code=data["staff_code"], post=data["post"], detail=data["detail"],
            )  # fmt: skip
        except records.AccountabilityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记{row.number}")
            return redirect("accountability:record-detail", pk=row.pk)
    return form_page(
        request, "accountability", form, heading="登记问责", submit="登记", crumbs=[("accountability:record-list", "问责")],
        intro="每名被问责人登记一条。问责方式按批评教育、诫勉谈话、通报批评、组织处理、党纪政务处分由轻到重。",
    )  # fmt: skip


@action_required(VIEW_ACCOUNTABILITY)
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(_scoped(request, AccountabilityRecord.objects.select_related("unit")), pk=pk)
    return render(request, "accountability/record_detail.html", _context(request, "accountability", row=row))


# -- 建章立制 -------------------------------------------------------------------------------------


@member_required
def fix_list(request: HttpRequest) -> HttpResponse:
    fixes = _scoped(request, InstitutionalFix.objects.select_related("unit")).order_by("-adopted_on", "-id")
    today = timezone.localdate()
    due = fixes.exclude(status=InstitutionalFix.Status.EFFECTIVE).filter(follow_up_on__lte=today).count()
    context = _context(request, "fixes", fixes=paginate(request, fixes), today=today, due=due)
    return render(request, "accountability/fix_list.html", context)


@action_required(RECORD_ACCOUNTABILITY)
def fix_new(request: HttpRequest) -> HttpResponse:
    form = FixForm(request.POST or None, user=request.user, initial=_matter_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = records.resolve_matter(data["matter"], data["reference"])
            fix = records.do_record_fix(
                Actor.of_request(request), data["unit"], title=data["title"], content=data["content"],
                adopted_on=data["adopted_on"], follow_up_on=data["follow_up_on"], matter=matter,
            )  # fmt: skip
        except records.AccountabilityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记建章立制《{fix.title}》，{fix.follow_up_on:%Y-%m-%d} 回头看")
            return redirect("accountability:fix-detail", pk=fix.pk)
    return form_page(
        request,
        "fixes",
        form,
        heading="登记建章立制",
        submit="登记",
        crumbs=[("accountability:fix-list", "建章立制")],
    )


@member_required
def fix_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fix = get_object_or_404(_scoped(request, InstitutionalFix.objects.select_related("unit")), pk=pk)
    allowed = may(request.user, RECORD_ACCOUNTABILITY) and fix.status != InstitutionalFix.Status.EFFECTIVE
    form = FollowUpForm(request.POST or None) if allowed else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                records.do_follow_up_fix(Actor.of_request(request), fix, effective=form.cleaned_data["effective"],
                                          note=form.cleaned_data["note"])  # fmt: skip
            except records.AccountabilityError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已登记回头看情况")
                return redirect("accountability:fix-detail", pk=fix.pk)
    context = _context(request, "fixes", fix=fix, form=form, today=timezone.localdate())
    return render(request, "accountability/fix_detail.html", context)


# -- 通报曝光 -------------------------------------------------------------------------------------


@action_required(VIEW_ACCOUNTABILITY)
def exposure_list(request: HttpRequest) -> HttpResponse:
    cases = _scoped(request, TypicalCase.objects.select_related("unit")).order_by("-created_at", "-id")
    return render(request, "accountability/exposure_list.html",
                  _context(request, "exposure", cases=paginate(request, cases)))  # fmt: skip


@action_required(PUBLISH_EXPOSURE)
def exposure_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("record"):
        initial["records"] = [request.GET["record"]]
    form = ExposureForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = records.do_draft_exposure(
                Actor.of_request(request), data["unit"], title=data["title"], body=data["body"],
                records=list(data["records"]), show_names=data["show_names"],
            )  # fmt: skip
        except records.AccountabilityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已起草典型案例，请核对公开文本后发布")
            return redirect("accountability:exposure-detail", pk=case.pk)
    return form_page(
        request, "exposure", form, heading="起草典型案例", submit="起草",
        crumbs=[("accountability:exposure-list", "通报曝光")],
    )  # fmt: skip


def _exposure_page(request: HttpRequest, case: TypicalCase, **bound) -> HttpResponse:
    status = TypicalCase.Status(case.status)
    context = _context(
        request, "exposure", case=case,
        public_title=records.public_text(case, case.title), public_body=records.public_text(case, case.body),
        records=case.records.select_related("unit"),
        can_publish_now=may(request.user, PUBLISH_EXPOSURE) and status == TypicalCase.Status.DRAFT,
        withdraw_form=bound.get("withdraw_form", WithdrawForm())
        if may(request.user, PUBLISH_EXPOSURE) and status == TypicalCase.Status.PUBLISHED else None,
    )  # fmt: skip
    return render(request, "accountability/exposure_detail.html", context)


@action_required(VIEW_ACCOUNTABILITY)
def exposure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _exposure_page(
        request, get_object_or_404(_scoped(request, TypicalCase.objects.select_related("unit")), pk=pk)
    )


@action_required(PUBLISH_EXPOSURE)
@require_POST
def exposure_publish(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(_scoped(request, TypicalCase.objects.all()), pk=pk)
    try:
        records.do_publish_exposure(Actor.of_request(request), case)
    except records.AccountabilityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已发布，公开页面和本月通报中可见")
    return redirect("accountability:exposure-detail", pk=case.pk)


@action_required(PUBLISH_EXPOSURE)
@require_POST
def exposure_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(_scoped(request, TypicalCase.objects.select_related("unit")), pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            records.do_withdraw_exposure(Actor.of_request(request), case, form.cleaned_data["reason"])
        except records.AccountabilityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已撤回")
            return redirect("accountability:exposure-detail", pk=case.pk)
    return _exposure_page(request, case, withdraw_form=form)


def _public(case: TypicalCase) -> dict:
    return {"pk": case.pk, "title": records.public_text(case, case.title),
            "body": records.public_text(case, case.body), "unit": case.unit.name, "published_at": case.published_at}  # fmt: skip


def public_list(request: HttpRequest) -> HttpResponse:
    cases = TypicalCase.objects.filter(status=TypicalCase.Status.PUBLISHED).select_related("unit")
    cases = cases.prefetch_related("records").order_by("-published_at")[:100]
    return render(request, "accountability/public_list.html", {"cases": [_public(c) for c in cases]})


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = (
        TypicalCase.objects.filter(status=TypicalCase.Status.PUBLISHED, pk=pk).select_related("unit").first()
    )
    if case is None:
        raise Http404
    return render(request, "accountability/public_detail.html", {"case": _public(case)})
