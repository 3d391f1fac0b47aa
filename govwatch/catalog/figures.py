"""Catalog figures of contract section 4: time-limit reduction and online rates over a set of items.

One aggregate query, so the same function serves a page of the whole region, a unit's page and the
reports. A rate whose denominator is 0 is None (shown as "—"), never 0.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from govwatch.core.choices import CrossRegion, ItemLevel, Online

from .models import Item, split_themes


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


def service_figures(items: QuerySet[Item]) -> dict[str, Any]:
    """The catalog figures the seed reports quote, for `items` (GovWatch's extension):

    - `claimed`: items the units have claimed (事项认领), and `claimed_by_level` per level
      (区级/镇级/村级, in ItemLevel's order);
    - `in_hall`: items handled in the service hall (进驻大厅), `hall_entry_rate` = in_hall / items
      (进驻率), `hall_units`: units with at least one item in the hall (进驻部门);
    - `cross_region`: items handled across regions (any scope but none), `by_scope` per scope
      (圈内/跨市/跨省通办, in CrossRegion's order);
    - `e_licence`: items that accept electronic licences in place of paper (电子证照免提交),
      `e_licence_rate` = e_licence / items;
    - `themes`: the number of one-thing themes (一事联办主题), `themed_items` the items in at least
      one, `by_theme` [(theme, items)] most items first.
    A rate whose denominator is 0 is None.
    """
    items = items.order_by()
    # One pass over an index that holds these columns: the levels and the scopes are few and
    # known, so each is a filtered count of the same aggregate rather than a grouping.
    counted = items.aggregate(
        n_items=Count("pk"),
        n_claimed=Count("pk", filter=Q(claimed=True)),
        n_in_hall=Count("pk", filter=Q(in_hall=True)),
        n_e_licence=Count("pk", filter=Q(e_licence=True)),
        n_themed_items=Count("pk", filter=~Q(themes="")),
        **{f"level_{level.value}": Count("pk", filter=Q(claimed=True, level=level)) for level in ItemLevel},
        **{f"scope_{scope.value}": Count("pk", filter=Q(cross_region=scope)) for scope in CrossRegion},
        # In the same pass: a province's 10,000 units in the hall, kept apart as they are met.
        n_hall_units=Count("unit", distinct=True, filter=Q(in_hall=True)),
    )
    agg = {
        "items": counted["n_items"], "claimed": counted["n_claimed"], "in_hall": counted["n_in_hall"],
        "hall_units": counted["n_hall_units"],
        # Every item has a scope: those across regions are all but the "none" ones (one count fewer).
        "cross_region": counted["n_items"] - counted[f"scope_{CrossRegion.NONE.value}"],
        "e_licence": counted["n_e_licence"],
        "themed_items": counted["n_themed_items"],
    }  # fmt: skip
    levels = {level.value: counted[f"level_{level.value}"] for level in ItemLevel}
    scopes = {scope.value: counted[f"scope_{scope.value}"] for scope in CrossRegion}
    # Few distinct theme lists, however many items: grouped in SQL, split here.
    per_theme: dict[str, int] = {}
    for text, n in items.exclude(themes="").values_list("themes").annotate(n=Count("pk")):
        for theme in split_themes(text):
            per_theme[theme] = per_theme.get(theme, 0) + n
    return {
        **agg,
        "claimed_by_level": [(str(level.label), levels.get(level.value, 0)) for level in ItemLevel],
        "hall_entry_rate": rate(agg["in_hall"], agg["items"]),
        "by_scope": [
            (str(scope.label), scopes.get(scope.value, 0))
            for scope in CrossRegion
            if scope != CrossRegion.NONE
        ],
        "e_licence_rate": rate(agg["e_licence"], agg["items"]),
        "themes": len(per_theme),
        "by_theme": sorted(per_theme.items(), key=lambda tn: (-tn[1], tn[0])),
    }
