from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.cases.models import Case
from govwatch.figures.catalog import kept_figures
from govwatch.figures.read import scope_totals
from govwatch.orgs.models import Unit

from ..todo import for_request


@member_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mine = scope(request.user)
    units = Unit.objects.visible_to(mine)
    cases = Case.objects.visible_to(mine)
    counts = {
        # What is in hand (half a million open cases in a province), counted inside indexes.
        **Case.objects.counted_for(mine).in_hand_counts(today),
        # From the daily figures: a year of a province's completions is not counted case by case.
        "completed_this_year": scope_totals(date(today.year, 1, 1), today, units)["completed"],
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
        "unit_count": units.count(),
        "counts": counts,
        # Summed from the catalog's counts kept per unit, not from a province's 200,000 items.
        "figures": kept_figures(None if Unit.objects.all_visible_to(mine) else units.values("pk")),
    }
    return render(request, "web/home.html", context)
