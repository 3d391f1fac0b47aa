from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.cases.models import Case
from govwatch.catalog.figures import catalog_figures
from govwatch.catalog.models import Item
from govwatch.core.pii import mask
from govwatch.core.tree import codes, subtree
from govwatch.orgs.models import Unit

RECENT_CASES = 20
# The rest of a large unit's catalog is one click away, on the filtered item list.
UNIT_ITEMS_SHOWN = 50


def _counts_by_unit(rows: QuerySet) -> dict[int, int]:
    # Grouped separately: counting items and cases in one join would multiply the two.
    return dict(rows.order_by().values_list("unit").annotate(n=Count("pk")))


def _tree_rows(units: QuerySet[Unit], items: QuerySet, cases: QuerySet) -> list[dict]:
    item_counts = _counts_by_unit(items)
    case_counts = _counts_by_unit(cases)
    return [
        {
            "unit": u,
            "depth": u.depth,
            "phone": mask(u.phone),
            "items": item_counts.get(u.pk, 0),
            "cases": case_counts.get(u.pk, 0),
        }
        for u in units.order_by("path")
    ]


@member_required
def unit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = _tree_rows(
        Unit.objects.visible_to(scope(user)),
        Item.objects.visible_to(scope(user)),
        Case.objects.visible_to(scope(user)),
    )
    return render(request, "web/unit_list.html", {"nav": "units", "rows": rows})


@member_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    units = Unit.objects.visible_to(scope(user))
    unit = get_object_or_404(units.select_related("parent"), code=code)
    subtree_ids = units.filter(subtree(unit.path)).values("pk")
    items = Item.objects.visible_to(scope(user)).filter(unit=unit)
    children = units.filter(parent=unit)
    mine = scope(user)
    # The units above, root first; a link only to those the user may open (else a 404 would wait).
    above = Unit.objects.in_bulk(codes(unit.path)[:-1], field_name="code")
    crumbs = [
        (u.name, u.code if mine.contains(u) else None)
        for code in codes(unit.path)[:-1]
        if (u := above.get(code))
    ]
    context = {
        "nav": "units",
        "unit": unit,
        "crumbs": crumbs,
        "parent_open": mine.contains(unit.parent),
        "phone": mask(unit.phone),
        "children": _tree_rows(
            children,
            Item.objects.visible_to(scope(user)).filter(unit__in=children),
            Case.objects.visible_to(scope(user)).filter(unit__in=children),
        ),
        "items": items.order_by("code")[:UNIT_ITEMS_SHOWN],
        "figures": catalog_figures(items),
        "recent_cases": Case.objects.visible_to(scope(user))
        .filter(unit__in=subtree_ids)
        .select_related("item", "unit", "risk")
        .order_by("-accepted_on", "-pk")[:RECENT_CASES],
    }
    return render(request, "web/unit_detail.html", context)
