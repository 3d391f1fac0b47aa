"""24小时自助服务: the kiosks with their uptime over the period (the region's figure first), their
state now and their open faults; one kiosk with its outages and items; the fault tickets, each with
its timeline and the steps open to the viewer (report, repair, reopen)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import REPAIR_KIOSKS, access, may, scope
from govwatch.audit.log import Actor
from govwatch.core.tree import subtree
from govwatch.orgs.forms import UnitPeriodForm
from govwatch.supervision.views.common import paginate
from govwatch.supervision.watches import cards_of

from .faults import (
    FaultError,
    do_reopen_fault,
    do_repair_fault,
    do_report_fault,
    late,
    repaired_late,
)
from .forms import FaultFilterForm, FaultForm, NoteForm
from .models import Kiosk, KioskFault
from .uptime import overall, uptime
from .watching import FAULT

STEP_LABELS = {"reported": "报修", "repaired": "修复", "reopened": "故障复发", "supervised": "督办"}


def _context(section: str, **values) -> dict:
    return {"nav": "windows", "section": section, **values}


def _period(request: HttpRequest, dates_only: bool = False):
    form = UnitPeriodForm(request.GET, user=request.user, dates_only=dates_only)
    start, end, unit = form.period()
    return form, start, end, unit


@member_required
def kiosk_list(request: HttpRequest) -> HttpResponse:
    form, start, end, unit = _period(request)
    now = timezone.now()
    kiosks = (
        Kiosk.objects.visible_to(scope(request.user)).select_related("unit").annotate(n_items=Count("items"))
    )
    if unit:
        kiosks = kiosks.filter(subtree(unit.path, "unit"))
    rows = uptime(kiosks.filter(active=True), start, end, now)
    faults = KioskFault.objects.filter(kiosk__in=kiosks)
    open_faults = dict(
        faults.filter(status=KioskFault.Status.OPEN)
        .values("kiosk_id")
        .annotate(n=Count("id"))
        .values_list("kiosk_id", "n")
        .order_by()
    )
    late_now = faults.filter(late(now) & Q(status=KioskFault.Status.OPEN))
    return render(
        request,
        "kiosks/kiosk_list.html",
        _context(
            "kiosks", form=form, start=start, end=end, rows=[(r, open_faults.get(r.kiosk.pk, 0)) for r in rows],
            overall=overall(rows), down_now=sum(1 for r in rows if not r.up_now), open_faults=sum(open_faults.values()),
            late_faults=late_now.count(), can_report=may(request.user, REPAIR_KIOSKS),
        ),
    )  # fmt: skip


def _kiosk_page(request: HttpRequest, kiosk: Kiosk, **bound) -> HttpResponse:
    form, start, end, _ = _period(request, dates_only=True)
    [row] = uptime([kiosk], start, end, timezone.now(), with_outages=True)
    return render(
        request,
        "kiosks/kiosk_detail.html",
        _context(
            "kiosks", kiosk=kiosk, form=form, start=start, end=end, row=row,
            outages=[(a, b, round((b - a).total_seconds() / 60)) for a, b in row.outages],
            items=kiosk.items.order_by("code"), faults=kiosk.faults.all()[:30],
            fault_form=bound.get("fault_form", FaultForm()) if may(request.user, REPAIR_KIOSKS) else None,
        ),
    )  # fmt: skip


@member_required
def kiosk_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _kiosk_page(request, access(request.user, Kiosk.objects.select_related("unit"), code=code))


@member_required
@require_POST
def fault_report(request: HttpRequest, code: str) -> HttpResponse:
    kiosk = access(request.user, Kiosk.objects.select_related("unit"), REPAIR_KIOSKS, code=code)
    form = FaultForm(request.POST)
    if form.is_valid():
        try:
            fault = do_report_fault(Actor.of_request(request), kiosk, **form.cleaned_data)
        except FaultError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已报修 {fault.number}，修复期限 {fault.due_date:%Y-%m-%d}")
            return redirect("kiosks:fault-detail", pk=fault.pk)
    return _kiosk_page(request, kiosk, fault_form=form)


@member_required
def fault_list(request: HttpRequest) -> HttpResponse:
    form = FaultFilterForm(request.GET or None)
    now = timezone.now()
    faults = KioskFault.objects.visible_to(scope(request.user)).select_related("kiosk__unit")
    if form.is_valid():
        if form.cleaned_data["status"]:
            faults = faults.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["late"]:
            faults = faults.filter(late(now))
    listing = paginate(request, faults)
    cards = cards_of(KioskFault, FAULT, (f.pk for f in listing.page))
    rows = [(f, cards.get(f.pk, "none"), repaired_late(f)) for f in listing.page]
    return render(
        request, "kiosks/fault_list.html", _context("faults", form=form, listing=listing, rows=rows)
    )


def _fault_page(request: HttpRequest, fault: KioskFault, **bound) -> HttpResponse:
    repairs = may(request.user, REPAIR_KIOSKS)
    is_open = fault.status == KioskFault.Status.OPEN
    return render(
        request,
        "kiosks/fault_detail.html",
        _context(
            "faults", fault=fault, card=cards_of(KioskFault, FAULT, [fault.pk]).get(fault.pk, "none"),
            repaired_late=repaired_late(fault),
            steps=[(s, STEP_LABELS.get(s.kind, s.kind)) for s in fault.steps.all()],
            repair_form=bound.get("repair_form", NoteForm()) if repairs and is_open else None,
            reopen_form=bound.get("reopen_form", NoteForm()) if repairs and not is_open else None,
        ),
    )  # fmt: skip


def _fault(request: HttpRequest, pk: int, action: str | None = None) -> KioskFault:
    return access(request.user, KioskFault.objects.select_related("kiosk__unit"), action, pk=pk)


@member_required
def fault_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _fault_page(request, _fault(request, pk))


def _fault_step(request: HttpRequest, pk: int, name: str, act) -> HttpResponse:
    fault = _fault(request, pk, REPAIR_KIOSKS)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            act(Actor.of_request(request), fault, note=form.cleaned_data["note"])
        except FaultError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("kiosks:fault-detail", pk=fault.pk)
    return _fault_page(request, fault, **{name: form})


@member_required
@require_POST
def fault_repair(request: HttpRequest, pk: int) -> HttpResponse:
    return _fault_step(request, pk, "repair_form", do_repair_fault)


@member_required
@require_POST
def fault_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _fault_step(request, pk, "reopen_form", do_reopen_fault)
