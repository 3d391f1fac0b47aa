"""A level of the org tree summed in SQL: the rows of a unit's subtree added up by the unit they lie
under, the unit itself (its own rows) or one of its children (that child's whole subtree, 含下级).

The reports page shows one level at a time. Reading every unit's figures below it and summing them
in Python (a province: 16,000 units, a row each per table) cost a hundred milliseconds a page; here
each table returns one row per unit shown. A child's subtree is a few ranges of unit ids (one, when
the units were loaded in tree order), found once from the path index; the rows of one period are
summed per range from the index that leads with the period and the unit (`Under.table`). Rows of a
range of periods are grouped instead by the child read from each unit's materialised path (the
path's next segment after the parent's: "D01/" under "/P00/", "" for the parent itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr

from govwatch.core.bulk import plain_rows
from govwatch.orgs.models import Unit

from .tables import UnitTable

# Unit ids looked up per query (under the databases' parameter limits).
IDS_PER_QUERY = 5000


def _beyond(path: str) -> str:
    """The first path after every path that begins with `path` (compared byte by byte)."""
    return path[:-1] + chr(ord(path[-1]) + 1)


# Stand-ins compiled into a statement's parameters, replaced by each run's bounds and row (ids are
# positive: no real value is negative).
_FIRST, _LAST, _ROW = -7_000_001, -7_000_002, -7_000_003
# Ranges summed per statement (SQLite's limit of terms in a compound SELECT is 500).
RUNS_PER_QUERY = 400


def _stand_in(param: object, stand_ins: dict[int, int]) -> bool:
    """Whether a compiled parameter is one of the stand-ins. psycopg 3 gets a Value's integer
    wrapped (`Int4`, a subclass of int): a plain `type(p) is int` left it in place on PostgreSQL,
    and every range's row was keyed to no unit. Booleans (also ints) are never stand-ins."""
    return isinstance(param, int) and not isinstance(param, bool) and int(param) in stand_ins


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as runs of consecutive ids (first, last)."""
    runs: list[tuple[int, int]] = []
    for pk in ids:
        if runs and runs[-1][1] == pk - 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    return runs


@dataclass(frozen=True)
class Under:
    """The units `children` (ids) of `parent` and `parent` itself, each standing for the rows it
    sums: the parent its own, a child its whole subtree. `runs`: (first id, last id, unit shown) of
    the ranges of unit ids that make up each one's rows (a unit's subtree, loaded in tree order, is
    one range of ids; one added later is a range of its own)."""

    parent: Unit
    children: dict[str, int]  # the segment of each child's path after the parent's -> its id
    whole: bool  # the parent's subtree is every unit: its rows need no filter
    runs: tuple[tuple[int, int, int], ...] = ()

    @classmethod
    def of(cls, parent: Unit, children: list[Unit]) -> Under:
        prefix = parent.path
        whole = not Unit.objects.filter(Q(path__lt=prefix) | Q(path__gte=_beyond(prefix))).exists()
        kids = [c for c in children if c.path.startswith(prefix)]
        return cls(parent, {c.path[len(prefix) :]: c.pk for c in kids}, whole, _subtree_runs(parent, kids))

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

    def table(self, qs: QuerySet, *, ranged: bool = False, **aggregates) -> UnitTable:
        """`aggregates` (counts and integer sums) of the subtree's rows of `qs` (rows with a `unit`),
        one line per unit shown (the parent: its own rows; a child: its subtree's), keyed by that
        unit's id.

        Each range of unit ids is summed on its own, from the index that leads with the period and
        the unit where there is one (one period: an equality), without looking up a unit or sorting
        the rows. Rows of a range of periods (`ranged`: the overdue changes up to a day) would be
        read again for each range of ids: they are summed in one pass instead, grouped by the child
        read from each unit's path."""
        if ranged:
            return self._grouped(qs, **aggregates)
        template = (
            qs.order_by()
            .filter(unit__gte=_FIRST, unit__lte=_LAST)
            .annotate(_row=Value(_ROW, output_field=IntegerField()))
            .values("_row")
            .annotate(**aggregates)
        )
        sql, params = template.query.sql_with_params()
        stand_ins = {_FIRST: 0, _LAST: 1, _ROW: 2}
        rows: list[tuple] = []
        for start in range(0, len(self.runs), RUNS_PER_QUERY):
            chunk = self.runs[start : start + RUNS_PER_QUERY]
            every = [
                run[stand_ins[int(p)]] if _stand_in(p, stand_ins) else p for run in chunk for p in params
            ]
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join([sql] * len(chunk)), every)
                rows += cursor.fetchall()
        return UnitTable.of(tuple(aggregates), rows)

    def _grouped(self, qs: QuerySet, **aggregates) -> UnitTable:
        grouped = (
            self.rows(qs, "unit")
            .order_by()
            .annotate(_under=self._key("unit"))
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


def _subtree_runs(parent: Unit, children: list[Unit]) -> tuple[tuple[int, int, int], ...]:
    """The `Under.runs` of `parent` and `children`: each child's subtree's ids as runs, found by one
    statement (the first and last id and the number of units of each subtree, read from the path
    index), and the ids themselves only of a subtree that is not one run."""
    runs = [(parent.pk, parent.pk, parent.pk)]
    if not children:
        return tuple(runs)
    q = connection.ops.quote_name
    part = f"SELECT MIN({q('id')}), MAX({q('id')}), COUNT(*) FROM {q(Unit._meta.db_table)} WHERE {q('path')} >= %s AND {q('path')} < %s"
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join([part] * len(children)),
            [p for c in children for p in (c.path, _beyond(c.path))],
        )
        found = cursor.fetchall()
    for child, (first, last, n) in zip(children, found, strict=True):
        if n == last - first + 1:
            runs.append((first, last, child.pk))
            continue
        ids = Unit.objects.filter(path__gte=child.path, path__lt=_beyond(child.path)).order_by("pk")
        runs += [(a, b, child.pk) for a, b in _runs(list(ids.values_list("pk", flat=True)))]
    return tuple(runs)
