"""The org tree as pages draw it, from the materialised path of each unit ("/D/SC/")."""

from __future__ import annotations

from django.db.models import QuerySet

from govwatch.orgs.models import Unit


def depth(unit: Unit) -> int:
    """0 for the root: "/D/" has depth 0, "/D/SC/" depth 1."""
    return max(unit.path.count("/") - 2, 0)


def in_subtree(units: QuerySet[Unit], unit: Unit) -> QuerySet[Unit]:
    """The unit and its descendants among `units`: one indexed prefix query."""
    return units.filter(path__startswith=unit.path)
