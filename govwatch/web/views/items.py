from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.catalog.figures import catalog_figures, reduction, service_figures
from govwatch.catalog.models import Item
from govwatch.core.keyset import keyset_page
from govwatch.core.tree import subtree
from govwatch.figures.catalog import kept_figures
from govwatch.orgs.models import Unit

from ..forms import ItemFilterForm

PAGE_SIZE = 50


def filter_items(items: QuerySet[Item], data: dict, user) -> QuerySet[Item]:
    if data["unit"]:
        items = items.filter(
            unit__in=Unit.objects.visible_to(scope(user)).filter(subtree(data["unit"].path)).values("pk")
        )
    for name in ("type", "level", "online"):
        if data[name]:
            items = items.filter(**{name: data[name]})
    if data["q"]:
        q = data["q"].strip()
        items = items.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return items


# The filters that pick items within the units (any but the unit): the figures of those items are
# counted from them; without one, summed from the catalog's counts kept per unit.
ITEM_FILTERS = ("type", "level", "online", "q")


def _figures(request: HttpRequest, form: ItemFilterForm, items: QuerySet[Item]) -> dict:
    """The catalog figures of `items`, the items the page lists."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and (not data or any(data[name] for name in ITEM_FILTERS)):
        return catalog_figures(items)
    mine = scope(request.user)
    if data.get("unit"):
        return kept_figures(Unit.objects.visible_to(mine).filter(subtree(data["unit"].path)).values("pk"))
    return kept_figures(
        None if Unit.objects.all_visible_to(mine) else Unit.objects.visible_to(mine).values("pk")
    )


@member_required
def item_list(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET or None, user=request.user)
    items = Item.objects.counted_for(scope(request.user))
    if form.is_bound:
        items = filter_items(items, form.cleaned_data, request.user) if form.is_valid() else items.none()
    page = keyset_page(items.select_related("unit"), ("code", "pk"), request.GET, PAGE_SIZE)
    for item in page:
        item.reduction = reduction(item.legal_days, item.promised_days)
    context = {
        "nav": "items", "form": form, "page": page, "figures": _figures(request, form, items),
        "service": service_figures(items),
    }  # fmt: skip
    return render(request, "web/item_list.html", context)
