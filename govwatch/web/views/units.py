from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.cases.models import Case
from govwatch.catalog.figures import catalog_figures
from govwatch.catalog.models import Item
from govwatch.core import tree
from govwatch.core.pii import mask
from govwatch.core.tree import codes, subtree
from govwatch.orgs.models import Unit

RECENT_CASES = 20
# The rest of a large unit's catalog is one click away, on the filtered item list.
UNIT_ITEMS_SHOWN = 50
# Units found by a search, per page.
SEARCH_PAGE = 50


def _counts_by_unit(rows: QuerySet) -> dict[int, int]:
    # Grouped separately: counting items and cases in one join would multiply the two.
    return dict(rows.order_by().values_list("unit").annotate(n=Count("pk")))


def _tree_rows(
    units: QuerySet[Unit], items: QuerySet, cases: QuerySet, top_depth: int | None = None
) -> list[dict]:
    """The units with their own items and cases and their number of sub-units, in tree order.

    `items` and `cases` are the scoped querysets; they are narrowed here to the listed units, so
    the counts read the (unit, ...) indexes of the listed units only.
    """
    listed = list(units.order_by("path"))
    ids = [u.pk for u in listed]
    item_counts = _counts_by_unit(items.filter(unit__in=ids))
    case_counts = _counts_by_unit(cases.filter(unit__in=ids))
    sub_units = dict(
        Unit.objects.filter(parent__in=ids).order_by().values_list("parent").annotate(n=Count("pk"))
    )
    top = min((u.depth for u in listed), default=0) if top_depth is None else top_depth
    return [
        {
            "unit": u,
            "depth": u.depth - top,
            "phone": mask(u.phone),
            "items": item_counts.get(u.pk, 0),
            "cases": case_counts.get(u.pk, 0),
            "sub_units": sub_units.get(u.pk, 0),
        }
        for u in listed
    ]


def _tops(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """The topmost units of `units`: those whose parent is not among them (the region's root, or a
    unit's staff's own unit)."""
    return units.exclude(parent__in=units.values("pk"))


def _search(units: QuerySet[Unit], q: str, after: str) -> tuple[list[dict], str | None]:
    """Units whose name contains `q` or whose code starts with it, in tree order, a page at a time
    (keyset on the path: every page costs the same), each with the names of its ancestors."""
    found = units.filter(Q(name__contains=q) | Q(code__startswith=q)).order_by("path")
    if after:
        found = found.filter(path__gt=after)
    page = list(found[: SEARCH_PAGE + 1])
    more = page[SEARCH_PAGE - 1].path if len(page) > SEARCH_PAGE else None
    page = page[:SEARCH_PAGE]
    ancestor_codes = {code for u in page for code in tree.codes(u.path)[:-1]}
    names = dict(Unit.objects.filter(code__in=ancestor_codes).values_list("code", "name"))
    return [
        {
            "unit": u,
            "trail": [names[c] for c in tree.codes(u.path)[:-1] if c in names],
            "phone": mask(u.phone),
        }
        for u in page
    ], more


@member_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """The org tree one level at a time (the units at the top of what the user sees and their
    children; each unit's page lists the next level), and a search over every unit in scope."""
    user = request.user
    units = Unit.objects.visible_to(scope(user))
    q = request.GET.get("q", "").strip()[:100]
    context: dict = {"nav": "units", "q": q}
    if q:
        context["found"], more = _search(units, q, request.GET.get("after", ""))
        context["more"] = f"?{urlencode({'q': q, 'after': more})}" if more else None
    else:
        tops = list(_tops(units).values_list("pk", flat=True))
        shown = units.filter(Q(pk__in=tops) | Q(parent__in=tops))
        context["rows"] = _tree_rows(
            shown, Item.objects.visible_to(scope(user)), Case.objects.visible_to(scope(user))
        )
        context["total_units"] = units.count()
    return render(request, "web/unit_list.html", context)


def _subtree_cases(cases: QuerySet[Case], unit: Unit, subtree_ids: QuerySet) -> QuerySet[Case]:
    """The cases of the unit's subtree. The root of the whole tree needs no filter, and none is
    given: SQLite would otherwise gather every case of the province through the unit index before
    sorting them (14 s) instead of walking the acceptance-date index for the newest (a few ms)."""
    if not Unit.objects.exclude(subtree(unit.path)).exists():
        return cases
    return cases.filter(unit__in=subtree_ids)


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
            top_depth=unit.depth + 1,
        ),
        "items": items.order_by("code")[:UNIT_ITEMS_SHOWN],
        "figures": catalog_figures(items),
        "recent_cases": _subtree_cases(Case.objects.visible_to(scope(user)), unit, subtree_ids)
        .select_related("item", "unit", "risk")
        .order_by("-accepted_on", "-pk")[:RECENT_CASES],
    }
    return render(request, "web/unit_detail.html", context)
