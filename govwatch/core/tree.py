"""The org tree's materialised paths: every unit stores the codes from the root down to itself
("/D/SC/"), so a unit's subtree is one indexed prefix query.

`subtree` is the one place a path prefix is matched: the scope of a user, a filter "with its
sub-units" (含下级) and the rules that walk up the tree all go through it.
"""

from __future__ import annotations

from django.db.models import Q


def subtree(path: str, via: str = "") -> Q:
    """Rows in the subtree under `path`: units themselves (`via` ""), or rows whose unit is reached
    through `via` ("unit", "case__unit", "task__unit")."""
    return Q(**{f"{via}__path__startswith" if via else "path__startswith": path})


def within(path: str, ancestor: str) -> bool:
    """Whether the unit at `path` lies in the subtree of the unit at `ancestor` (itself included)."""
    return path.startswith(ancestor)


def depth(path: str) -> int:
    """0 for the root: "/D/" has depth 0, "/D/SC/" depth 1."""
    return max(path.count("/") - 2, 0)


def codes(path: str) -> list[str]:
    """The codes of a path, root first."""
    return [code for code in path.split("/") if code]
