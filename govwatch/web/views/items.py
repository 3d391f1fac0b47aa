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
        "nav": "items", "form": form, "page": page, "figures": catalog_figures(items), "service": service_figures(items),
    }  # fmt: skip
    return render(request, "web/item_list.html", context)
