"""Which organ speaks for a unit's region: the supervisor unit (纪检监察) that issues and signs
the orders and letters addressed to the unit."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Length

from govwatch.core.choices import UnitKind

from .models import Unit

FALLBACK_ORGAN = "纪检监察机关"  # the words a document signs with where the tree has no supervisor unit


def ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and of each unit above it: "/P/D1/B2/" → "/P/", "/P/D1/", "/P/D1/B2/"."""
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def supervisor_of(unit: Unit) -> Unit | None:
    """The supervisor unit of the region that holds `unit`: of the supervisor units whose parent's
    subtree holds it (those its red cards reach), the nearest one — a district's commission for
    the district's departments, not the province's, and never another district's."""
    return (
        Unit.objects.filter(kind=UnitKind.SUPERVISOR)
        .filter(Q(parent__path__in=ancestor_paths(unit.path)) | Q(parent=None))
        .order_by(Length("parent__path").desc(nulls_last=True), "path")
        .first()
    )


def nearest_supervisor_ids(unit_model=Unit) -> dict[int, int]:
    """`supervisor_of` for the whole tree at once, as ids; it takes the model so that a migration
    can pass its historical one."""
    supervisors = [
        (parent_path or "", path, pk)
        for pk, path, parent_path in unit_model.objects.filter(kind=UnitKind.SUPERVISOR).values_list(
            "pk", "path", "parent__path"
        )
    ]
    nearest = {}
    for pk, path in unit_model.objects.values_list("pk", "path"):
        holding = [(-len(parent), own, sid) for parent, own, sid in supervisors if path.startswith(parent)]
        if holding:
            nearest[pk] = min(holding)[2]  # the deepest region; between equals, as supervisor_of
    return nearest


def organ_name(issuer: Unit | None) -> str:
    return issuer.name if issuer is not None else FALLBACK_ORGAN
