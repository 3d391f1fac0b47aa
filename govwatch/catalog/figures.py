"""Catalog figures of contract section 4: time-limit reduction and online rates over a set of items.

One aggregate query, so the same function serves a page of the whole region, a unit's page and the
reports. A rate whose denominator is 0 is None (shown as "—"), never 0.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from govwatch.core.choices import Online

from .models import Item


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def reduction(legal_days: int, promised_days: int) -> float | None:
    """1 - promised/legal: how much shorter the promise is than the law (减时限)."""
    r = rate(promised_days, legal_days)
    return None if r is None else 1 - r


def catalog_figures(items: QuerySet[Item]) -> dict[str, int | float | None]:
    """Counts and rates of the catalog figures for `items` (any filtered queryset of Item)."""
    timed = Q(legal_days__gt=0)
    agg = items.order_by().aggregate(
        items=Count("pk"),
        legal_days_sum=Sum("legal_days", filter=timed, default=0),
        promised_days_sum=Sum("promised_days", filter=timed, default=0),
        online_items=Count("pk", filter=Q(online__in=[Online.PARTIAL, Online.FULL])),
        full_online_items=Count("pk", filter=Q(online=Online.FULL)),
    )
    return {
        **agg,
        "time_limit_reduction": reduction(agg["legal_days_sum"], agg["promised_days_sum"]),
        "online_rate": rate(agg["online_items"], agg["items"]),
        "full_online_rate": rate(agg["full_online_items"], agg["items"]),
    }
