from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import access, scope
from govwatch.cases.deadlines import remaining_workdays
from govwatch.cases.models import Case
from govwatch.complaints.models import Complaint
from govwatch.core.choices import Card, CaseStatus
from govwatch.core.keyset import keyset_page
from govwatch.core.localtime import start_of_day
from govwatch.core.tree import subtree
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit
from govwatch.prediction.models import CaseRisk, PredictedWarning
from govwatch.supervision.models import CardChange
from govwatch.workcal.calendar import get_calendar

from ..forms import IN_PROGRESS, NOTABLE_RISK, RISK_NOTABLE, RISK_WARNED, CaseFilterForm
from ..timeline import case_timeline, order_makes_sense

PAGE_SIZE = 50
OPEN_STATUSES = [CaseStatus.OPEN, CaseStatus.SUSPENDED]


def filter_cases(cases: QuerySet[Case], data: dict, user) -> QuerySet[Case]:
    """Every filter maps onto an indexed column of Case, so lists stay fast at province scale."""
    if data["unit"]:
        cases = cases.filter(
            unit__in=Unit.objects.visible_to(scope(user)).filter(subtree(data["unit"].path)).values("pk")
        )
    if data["item"]:
        cases = cases.filter(item=data["item"])
    if data["status"] == IN_PROGRESS:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif data["status"]:
        cases = cases.filter(status=data["status"])
    if data["card"]:
        cases = cases.filter(card=data["card"])
    if data["card_since"]:
        # The card the case has now, shown at a scan since that day (the flip is its CardChange).
        shown = CardChange.objects.filter(
            case=OuterRef("case_no"), card=OuterRef("card"), at__gte=start_of_day(data["card_since"])
        )
        cases = cases.exclude(card=Card.NONE).filter(Exists(shown))
    if data["risk"] == RISK_WARNED:
        cases = cases.filter(risk__warn=True)
    elif data["risk"] == RISK_NOTABLE:
        cases = cases.filter(risk__risk__gte=NOTABLE_RISK)
    if data["overdue"]:
        cases = cases.filter(status=CaseStatus.OPEN, due_date__lt=timezone.localdate())
    if data["accepted_from"]:
        cases = cases.filter(accepted_on__gte=data["accepted_from"])
    if data["accepted_to"]:
        cases = cases.filter(accepted_on__lte=data["accepted_to"])
    if data["closed_from"]:
        cases = cases.filter(closed_on__gte=data["closed_from"])
    if data["closed_to"]:
        cases = cases.filter(closed_on__lte=data["closed_to"])
    return cases


@member_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, user=request.user)
    mine = scope(request.user)
    cases = Case.objects.visible_to(mine)
    # The same rows for the total, counted inside the (unit, ...) indexes: joined to the unit tree,
    # a unit's count walked every case of the region (0.9 s on a fifth of a province).
    counted = Case.objects.counted_for(mine)
    if form.is_bound and not form.is_valid():
        cases = counted = cases.none()
    elif form.is_bound and form.cleaned_data["q"].strip():
        # A case number is exact: the other filters do not narrow it further.
        cases = cases.filter(case_no=form.cleaned_data["q"].strip())
        found = cases.first()
        if found is not None:
            return redirect("case-detail", case_no=found.case_no)
        messages.warning(request, f"未找到业务编号为“{form.cleaned_data['q'].strip()}”的办件。")
        counted = cases
    elif form.is_bound:
        cases = filter_cases(cases, form.cleaned_data, request.user)
        counted = filter_cases(counted, form.cleaned_data, request.user)
    rows = cases.select_related("item", "unit", "risk")
    # Filtered by risk, the riskiest first: what a unit should look at before the yellow cards.
    at_risk = form.is_bound and form.is_valid() and form.cleaned_data["risk"]
    order = ("-risk__risk", "-pk") if at_risk else ("-accepted_on", "-pk")
    # Keyset pages: page 2,000 of a province's cases costs what page 1 does.
    page = keyset_page(rows, order, request.GET, PAGE_SIZE, counted=counted)
    return render(request, "web/case_list.html", {"nav": "cases", "form": form, "page": page})


@member_required
def case_detail(request: HttpRequest, case_no: str) -> HttpResponse:
    user = request.user
    case = access(user, Case.objects.select_related("item", "unit"), case_no=case_no)
    remaining = None
    if case.status == CaseStatus.OPEN:
        remaining = remaining_workdays(case.due_date, timezone.now(), get_calendar())
    context = {
        "nav": "cases",
        "case": case,
        "risk": CaseRisk.objects.filter(case=case).first() if case.status == CaseStatus.OPEN else None,
        "warning": PredictedWarning.objects.filter(case=case).first(),
        "remaining": remaining,
        "overdue": case.status == CaseStatus.OPEN and remaining is None,
        "timeline": [(entry, entry.label) for entry in case_timeline(case, scope(user))],
        "order_makes_sense": order_makes_sense(case),
        "suspensions": case.suspensions.order_by("started_at"),
        # The ciphertexts are read to show the identities masked (templatetag masked_enc).
        "evaluations": Evaluation.objects.visible_to(scope(user))
        .filter(case=case)
        .defer("evaluator_hash")
        .order_by("at"),
        "complaints": Complaint.objects.visible_to(scope(user))
        .filter(case=case)
        .defer("contact_hash")
        .order_by("at"),
    }
    return render(request, "web/case_detail.html", context)
