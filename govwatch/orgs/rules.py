"""Where a unit may stand: one region, one root, and no unit ever leaves the region's tree.

Every scope is a subtree of the org tree (`govwatch.accounts.permissions.Scope`): the supervisors,
the service office and the leaders are bound to the region's root. A unit placed outside that
tree (a second root, a department detached from its parent) would take its cases and people out of
their sight, so the importer, the API and the admin all ask `placement_refusal` before they place a
unit. Re-parenting inside the tree is a reviewed change (`is_move`): the importer lets only those
with the right through, and every move is audited with its before and after parent (`record_move`).
"""

from __future__ import annotations

from typing import Any

from govwatch.audit.log import Actor, record

from .models import Unit


def region_roots() -> set[str]:
    """The codes of the units without a parent: the region's root (one, in a healthy tree)."""
    return set(Unit.objects.filter(parent__isnull=True).values_list("code", flat=True))


def placement_refusal(
    code: str, *, stored_parent: str | None, new_parent: str, roots: set[str]
) -> str | None:
    """Why unit `code` may not get `new_parent` ("" for none), in the user's words; None if it may.

    `stored_parent` is the unit's parent as stored ("" for a root), None for a unit not stored yet;
    `roots` the region's roots. Whether `new_parent` exists and forms no cycle is the caller's check.
    """
    if new_parent:
        return None
    if stored_parent is None:
        others = sorted(roots - {code})
        if others:
            return f"区域已有根单位 {others[0]}：新单位须填写上级单位编码 parent_code，不能另立根单位"
        return None
    if stored_parent:
        return f"单位不能移出区域的组织树：上级单位编码 parent_code 不能为空（现为 {stored_parent}）"
    return None


def is_move(stored_parent: str | None, new_parent: str) -> bool:
    """A stored unit given another parent: its whole subtree moves with it."""
    return stored_parent is not None and stored_parent != new_parent


def record_move(actor: Actor, unit: Any, before: str, after: str, via: str) -> None:
    """The audit entry of one move, with the parent codes before and after."""
    record(
        actor,
        "unit.move",
        unit,
        summary=f"调整单位隶属关系（{via}）：{unit.code} 的上级单位由 {before or '无'} 改为 {after or '无'}",
        before={"parent": before or None},
        after={"parent": after or None},
    )
