from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.cases.models import Case
from govwatch.catalog.figures import catalog_figures
from govwatch.catalog.models import Item
from govwatch.core.choices import Card, CaseStatus
from govwatch.figures.read import scope_totals
from govwatch.orgs.models import Unit

from ..todo import for_request


@member_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cases = Case.objects.visible_to(scope(request.user))
    # Separate counts rather than one aggregate with filters: each is then an indexed lookup
    # (status/due_date, closed_on, card) instead of a scan of every case of the province.
    counts = {
        "open": cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.SUSPENDED]).count(),
        "suspended": cases.filter(status=CaseStatus.SUSPENDED).count(),
        "overdue": cases.filter(status=CaseStatus.OPEN, due_date__lt=today).count(),
        # From the daily figures: a year of a province's completions is not counted case by case.
        "completed_this_year": scope_totals(
            date(today.year, 1, 1), today, Unit.objects.visible_to(scope(request.user))
        )["completed"],
        "yellow": cases.filter(card=Card.YELLOW, status=CaseStatus.OPEN).count(),
        "red": cases.filter(card=Card.RED, status=CaseStatus.OPEN).count(),
        # Cases the model warns of before any card (contract section 13): the few to handle first.
        "at_risk": cases.filter(risk__warn=True).count(),
    }
    groups = for_request(request)
    context = {
        "nav": "home",
        # 我的待办: what waits for this person in every area, then (for leaders) the figures that moved.
        "todo_groups": [g for g in groups if g.count and not g.figure],
        "moved_figures": [g for g in groups if g.figure],
        "today": today,
        "unit_count": Unit.objects.visible_to(scope(request.user)).count(),
        "counts": counts,
        "figures": catalog_figures(Item.objects.visible_to(scope(request.user))),
    }
    return render(request, "web/home.html", context)
