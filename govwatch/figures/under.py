"""A level of the org tree summed in SQL: the rows of a unit's subtree added up by the unit they lie
under, the unit itself (its own rows) or one of its children (that child's whole subtree, 含下级).

The reports page shows one level at a time. Reading every unit's figures below it and summing them
in Python (a province: 16,000 units, a row each per table) cost a few hundred milliseconds a page;
grouped by the child a unit lies under, each table returns one row per unit shown. The child is read
from the unit's materialised path: the path's next segment after the parent's ("D01/" under
"/P00/"; "" for the parent itself), so no list of the subtree's units is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr

from govwatch.core.bulk import plain_rows
from govwatch.orgs.models import Unit

from .tables import UnitTable

# Unit ids looked up per query (under the databases' parameter limits).
IDS_PER_QUERY = 5000


def _beyond(path: str) -> str:
    """The first path after every path that begins with `path` (compared byte by byte)."""
    return path[:-1] + chr(ord(path[-1]) + 1)


@dataclass(frozen=True)
class Under:
    """The units `children` (ids) of `parent` and `parent` itself, each standing for the rows it
    sums: the parent its own, a child its whole subtree."""

    parent: Unit
    children: dict[str, int]  # the segment of each child's path after the parent's -> its id
    whole: bool  # the parent's subtree is every unit: its rows need no filter

    @classmethod
    def of(cls, parent: Unit, children: list[Unit]) -> Under:
        prefix = parent.path
        whole = not Unit.objects.filter(Q(path__lt=prefix) | Q(path__gte=_beyond(prefix))).exists()
        return cls(
            parent, {c.path[len(prefix) :]: c.pk for c in children if c.path.startswith(prefix)}, whole
        )

    def rows(self, qs: QuerySet, via: str = "unit") -> QuerySet:
        """The rows of `qs` whose unit (reached through `via`) is in the parent's subtree."""
        if self.whole:
            return qs
        prefix, field = self.parent.path, f"{via}__path" if via else "path"
        return qs.filter(**{f"{field}__gte": prefix, f"{field}__lt": _beyond(prefix)})

    def _key(self, via: str):
        path = F(f"{via}__path" if via else "path")
        start = len(self.parent.path) + 1
        # The next segment with its slash ("D01/"), or "" for the parent's own path (no slash left).
        return Substr(path, start, StrIndex(Substr(path, start), Value("/")))

    def table(self, qs: QuerySet, via: str = "unit", **aggregates) -> UnitTable:
        """`aggregates` (counts and integer sums) of the subtree's rows of `qs`, one line per unit
        shown (the parent: its own rows; a child: its subtree's), keyed by that unit's id."""
        grouped = (
            self.rows(qs, via)
            .order_by()
            .annotate(_under=self._key(via))
            .values_list("_under")
            .annotate(**aggregates)
        )
        return UnitTable.of(
            tuple(aggregates), [(self._id(key), *values) for key, *values in plain_rows(grouped)]
        )

    def _id(self, key: str) -> int | None:
        return self.parent.pk if key == "" else self.children.get(key)

    def rolled(self, table: UnitTable) -> UnitTable:
        """A table of any units' counts summed the same way: the units of the subtree found by their
        paths (one query per 5,000 of the table's units), the others left out. For the few units a
        table read from raw rows holds (the complaints of a few days)."""
        paths: dict[int, str] = {}
        ids = table.ids.tolist()
        for start in range(0, len(ids), IDS_PER_QUERY):
            chunk = Unit.objects.filter(pk__in=ids[start : start + IDS_PER_QUERY])
            paths.update(plain_rows(self.rows(chunk, "").order_by().values_list("pk", "path")))
        prefix = self.parent.path
        rows = []
        for unit_id, values in zip(ids, table.values.tolist(), strict=True):
            path = paths.get(unit_id)
            if path is None:
                continue
            rest = path[len(prefix) :]
            rows.append((self._id(rest[: rest.find("/") + 1]), *values))
        return UnitTable.of(table.names, rows)
