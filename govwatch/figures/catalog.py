"""The catalog's counts per unit (UnitCatalog) kept equal to the items.

The figures of every request count each unit's items (govwatch.figures.rows.item_table); a province
has 200,000 of them, grouped again on every page. So the counts are kept per unit: every change of
an item recounts its unit's row (and its former unit's, when it moved), in the writer's transaction:
a save or delete through the ORM by the signals below (the admin, fixtures), an import's bulk writes
by `refresh` (govwatch.imports.items). `catalog_table` reads them; `govwatch report rebuild`
recounts every unit (`rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet, Sum
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from govwatch.catalog.figures import rate, reduction
from govwatch.catalog.models import Item
from govwatch.core.bulk import insert_rows, plain_rows

from .models import UnitCatalog
from .rows import ITEM_COUNTS, in_units, item_table
from .tables import UnitTable
from .under import Under

# Units recounted per query (under the databases' parameter limits).
UNITS_PER_QUERY = 5000


def refresh(units: Iterable[int | None], items: QuerySet | None = None, model=UnitCatalog) -> None:
    """Recount the rows of `units` from their items (`items`, `model`: the models to use)."""
    ids = sorted({unit for unit in units if unit is not None})
    for start in range(0, len(ids), UNITS_PER_QUERY):
        chunk = ids[start : start + UNITS_PER_QUERY]
        model._default_manager.filter(unit__in=chunk).delete()
        _insert(item_table(chunk, items), model)


def rebuild(items: QuerySet | None = None, model=UnitCatalog) -> None:
    """Every unit's row recounted."""
    model._default_manager.all().delete()
    _insert(item_table(None, items), model)


def _insert(table: UnitTable, model) -> None:
    columns = [table.names.index(name) for name in ITEM_COUNTS]
    values = table.on(table.ids)[:, columns].tolist()
    with connection.cursor() as cursor:
        insert_rows(
            cursor,
            model,
            ("unit_id", *ITEM_COUNTS),
            [(unit, *row) for unit, row in zip(table.ids.tolist(), values, strict=True)],
        )


def catalog_table(only: QuerySet | list[int] | None, under: Under | None = None) -> UnitTable:
    """`govwatch.figures.rows.item_table` of the units `only` (None: every unit), from the kept rows;
    with `under` (govwatch.figures.under), of its parent's subtree summed by the unit shown."""
    if under is not None:
        return under.table(UnitCatalog.objects.all(), **{name: Sum(name) for name in ITEM_COUNTS})
    rows = in_units(UnitCatalog.objects.all(), "unit", only)
    return UnitTable.of(ITEM_COUNTS, plain_rows(rows.order_by().values_list("unit", *ITEM_COUNTS)))


def kept_figures(only: QuerySet | list[int] | None) -> dict[str, int | float | None]:
    """`govwatch.catalog.figures.catalog_figures` of every item of the units `only` (None: every
    unit), summed from the kept rows: one row per unit, not a pass over a province's 200,000 items."""
    rows = in_units(UnitCatalog.objects.all(), "unit", only)
    # One sum in SQL: a province's 16,000 rows are not read one by one.
    counts = rows.order_by().aggregate(**{name: Sum(name, default=0) for name in ITEM_COUNTS})
    return {
        **counts,
        "time_limit_reduction": reduction(counts["legal_days_sum"], counts["promised_days_sum"]),
        "online_rate": rate(counts["online_items"], counts["items"]),
        "full_online_rate": rate(counts["full_online_items"], counts["items"]),
    }


@receiver(pre_save, sender=Item)
def _note_former_unit(sender, instance: Item, raw: bool = False, **kwargs) -> None:
    instance._former_unit_id = (  # type: ignore[attr-defined]
        None
        if instance.pk is None
        else Item.objects.filter(pk=instance.pk).values_list("unit", flat=True).first()
    )


@receiver(post_save, sender=Item)
def _item_saved(sender, instance: Item, raw: bool = False, **kwargs) -> None:
    refresh([instance.unit_id, getattr(instance, "_former_unit_id", None)])


@receiver(post_delete, sender=Item)
def _item_deleted(sender, instance: Item, **kwargs) -> None:
    refresh([instance.unit_id])
