"""Which pushed records an account may write: those of its own unit's subtree.

A system token is bound to a unit (its Membership). A row that touches a unit, item or case outside
that subtree becomes a rejected row ("超出本账号的数据范围") rather than a refused batch, so a
system that mixes in a neighbour's rows still gets its own in. Codes that do not exist at all are
left to the importer, which says so in its own words. An account bound to the region's root is
held to the same rule: its subtree is the region, and nothing outside it (a new root unit, a unit
detached from the tree) is within it. Only a superuser signed in to the pages (never a token,
`govwatch.api.authentication`) sees everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from govwatch.accounts.permissions import Scope, scope
from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.core.choices import EventKind, parse_choice
from govwatch.core.rowfields import RowError
from govwatch.core.tables import Record
from govwatch.core.tree import within
from govwatch.orgs.models import Unit

OUTSIDE = "超出本账号的数据范围"
# A scoped account's complaint must name something in its subtree, or it would be visible to nobody
# but the region.
COMPLAINT_UNANCHORED = f"{OUTSIDE}：请填写本单位或下级单位的被投诉单位编码 unit_code 或业务编号 case_no"


# The readable records of a batch, and the row errors of those refused, by line.
Rows = list[tuple[int, dict[str, str]]]
Refusals = dict[int, RowError]


def _text(values: dict[str, str], name: str) -> str:
    return (values.get(name) or "").strip()


class Guard:
    """The account's subtree, and the checks of each record kind against it."""

    def __init__(self, user) -> None:
        self.scope: Scope = scope(user)
        self.unrestricted = self.scope.everything
        path = self.scope.path
        # The region's own accounts see a complaint that names neither unit nor case; others would not.
        self.region_wide = path is not None and Unit.objects.filter(path=path, parent__isnull=True).exists()

    def filter(self, kind: str, records: list[Record]) -> list[Record]:
        """The records, those outside the subtree replaced by their row error."""
        if self.unrestricted:
            return records
        check: Callable[[Rows], Refusals] = getattr(self, f"_{kind}")
        readable = [(line, values) for line, values in records if not isinstance(values, RowError)]
        refused = check(readable)
        return [(line, refused.get(line, values)) for line, values in records]

    # -- lookups ------------------------------------------------------------------------------

    def _inside(self, path: str) -> bool:
        return self.scope.path is not None and within(path, self.scope.path)

    def _unit_paths(self, codes: Iterable[str]) -> dict[str, str]:
        return dict(Unit.objects.filter(code__in={c for c in codes if c}).values_list("code", "path"))

    def _case_paths(self, case_nos: Iterable[str]) -> dict[str, str]:
        wanted = {c for c in case_nos if c}
        return dict(Case.objects.filter(case_no__in=wanted).values_list("case_no", "unit__path"))

    def _outside_unit(self, code: str, paths: dict[str, str]) -> bool:
        """A known unit outside the subtree (an unknown code is the importer's to report)."""
        return code in paths and not self._inside(paths[code])

    # -- kinds --------------------------------------------------------------------------------

    def _units(self, rows: Rows) -> Refusals:
        stored = {
            code: (path, parent or "")
            for code, path, parent in Unit.objects.filter(
                code__in={_text(v, n) for _, v in rows for n in ("code", "parent_code")}
            ).values_list("code", "path", "parent__code")
        }
        pushed_parent: dict[str, str] = {}
        for _, v in rows:
            pushed_parent.setdefault(_text(v, "code"), _text(v, "parent_code"))

        def placement(code: str, seen: frozenset[str] = frozenset()) -> bool | None:
            """Whether a unit under `code` lands in the subtree; None when the importer will refuse it."""
            if code in stored:
                return self._inside(stored[code][0])
            if code not in pushed_parent or code in seen:
                return None
            parent = pushed_parent[code]
            return placement(parent, seen | {code}) if parent else False

        refused = {}
        for line, v in rows:
            code, parent = _text(v, "code"), _text(v, "parent_code")
            if code in stored and not self._inside(stored[code][0]):
                refused[line] = RowError("code", OUTSIDE)
            elif code in stored and parent == stored[code][1]:
                continue  # its place is unchanged, even for the account's own unit
            elif not parent or placement(parent) is False:
                refused[line] = RowError("parent_code", OUTSIDE)
        return refused

    def _items(self, rows: Rows) -> Refusals:
        units = self._unit_paths(_text(v, "unit_code") for _, v in rows)
        stored = dict(
            Item.objects.filter(code__in={_text(v, "code") for _, v in rows}).values_list(
                "code", "unit__path"
            )
        )
        refused = {}
        for line, v in rows:
            code = _text(v, "code")
            if code in stored and not self._inside(stored[code]):
                refused[line] = RowError("code", OUTSIDE)
            elif self._outside_unit(_text(v, "unit_code"), units):
                refused[line] = RowError("unit_code", OUTSIDE)
        return refused

    def _cases(self, rows: Rows) -> Refusals:
        """A case belongs to the unit of its accept event: stored, or accepted in this batch."""
        units = self._unit_paths(_text(v, "unit_code") for _, v in rows)
        items = dict(
            Item.objects.filter(code__in={_text(v, "item_code") for _, v in rows}).values_list(
                "code", "unit__path"
            )
        )
        cases = self._case_paths(_text(v, "case_no") for _, v in rows)
        refused: Refusals = {}
        outside_cases = {no for no, path in cases.items() if not self._inside(path)}
        for line, v in rows:
            unit_code = _text(v, "unit_code")
            accept = parse_choice(EventKind, _text(v, "event")) == EventKind.ACCEPT
            if self._outside_unit(unit_code, units):
                refused[line] = RowError("unit_code", OUTSIDE)
            elif accept and not unit_code:
                item_path = items.get(_text(v, "item_code"))
                if item_path is not None and not self._inside(item_path):
                    # The handling unit defaults to the item's: a community handles a department's
                    # item (通办) by naming itself in unit_code.
                    refused[line] = RowError("item_code", OUTSIDE)
            if line in refused and accept and _text(v, "case_no") not in cases:
                # A new case accepted outside the subtree: its other events are outside too.
                outside_cases.add(_text(v, "case_no"))
        for line, v in rows:
            if line not in refused and _text(v, "case_no") in outside_cases:
                refused[line] = RowError("case_no", OUTSIDE)
        return refused

    def _facts(self, rows: Rows, *, anchored: bool) -> Refusals:
        units = self._unit_paths(_text(v, "unit_code") for _, v in rows)
        cases = self._case_paths(_text(v, "case_no") for _, v in rows)
        refused = {}
        for line, v in rows:
            unit_code, case_no = _text(v, "unit_code"), _text(v, "case_no")
            if self._outside_unit(unit_code, units):
                refused[line] = RowError("unit_code", OUTSIDE)
            elif case_no in cases and not self._inside(cases[case_no]):
                refused[line] = RowError("case_no", OUTSIDE)
            elif anchored and not unit_code and not case_no:
                refused[line] = RowError("unit_code", COMPLAINT_UNANCHORED)
        return refused

    def _evaluations(self, rows: Rows) -> Refusals:
        # An evaluation without unit and case is refused by the importer (one of them is required).
        return self._facts(rows, anchored=False)

    def _complaints(self, rows: Rows) -> Refusals:
        return self._facts(rows, anchored=not self.region_wide)
