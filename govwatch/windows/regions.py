"""The region of a unit: the district that numbers its hall's windows.

Window codes are unique within a region, not across regions (case events, evaluations and queue
tickets name a window by code alone, and every district numbers its own from 01). A unit's region
is the deepest unit of kind district on its path, itself included; a tree with no district kind
above a unit uses its root.
"""

from __future__ import annotations

from govwatch.core.choices import UnitKind
from govwatch.core.tree import codes
from govwatch.orgs.models import Unit

from .models import Window


def region_code(path: str, districts: set[str]) -> str:
    """The code of the region holding the unit at `path`, given the codes of the district units."""
    chain = codes(path)
    return next((code for code in reversed(chain) if code in districts), chain[0])


def region_ids() -> dict[int, int]:
    """{unit id: its region's id} for the whole tree (the importers' look-up)."""
    units = list(Unit.objects.values_list("id", "code", "kind", "path"))
    ids = {code: pk for pk, code, _, _ in units}
    districts = {code for _, code, kind, _ in units if kind == UnitKind.DISTRICT}
    return {pk: ids[region_code(path, districts)] for pk, _, _, path in units if codes(path)[0] in ids}


def region_of(unit: Unit) -> Unit:
    chain = codes(unit.path)
    districts = set(
        Unit.objects.filter(code__in=chain, kind=UnitKind.DISTRICT).values_list("code", flat=True)
    )
    code = region_code(unit.path, districts)
    return unit if code == unit.code else Unit.objects.get(code=code)


def regions() -> list[Unit]:
    """The regions that have windows, for choosing one (the gold-medal ranking is per region)."""
    return list(Unit.objects.filter(pk__in=Window.objects.values("region_id")).order_by("path"))
