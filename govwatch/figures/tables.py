"""Counts per unit held as columns (numpy), for the readers that handle every unit of a province.

A grouped query over 16,000 or 80,000 units returns that many rows; building a dict per unit from
them, summing them into a tree's levels or scoring them for a ranking cost more than the query
itself in Python. A `UnitTable` keeps them as one integer matrix beside the sorted unit ids, so
sums, roll-ups and scores are array operations and dicts are built only for the rows shown.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from govwatch.core.bulk import plain_rows

# numpy is imported where arrays are made, not at import: Django's set-up imports this module, and
# a command that makes no array (checksum, health, backup...) then starts without numpy (about 0.15 s of CPU).
if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class UnitTable:
    """`values[i, j]`: the count `names[j]` of the unit `ids[i]`; ids sorted and unique."""

    names: tuple[str, ...]
    ids: np.ndarray
    values: np.ndarray

    @classmethod
    def empty(cls, names: Sequence[str]) -> UnitTable:
        import numpy as np

        return cls(tuple(names), np.zeros(0, np.int64), np.zeros((0, len(names)), np.int64))

    @classmethod
    def of(cls, names: Sequence[str], rows: Iterable[Sequence[int | None]]) -> UnitTable:
        """From rows (unit id, *counts in the order of `names`); a unit's rows are added up and
        rows without a unit left out. A count read as NULL (a sum over no row) is 0."""
        import numpy as np

        rows = rows if isinstance(rows, list) else list(rows)
        width = len(names) + 1
        try:
            # One pass over the values (a province's 10,000 rows of 18 counts): a fifth of the time
            # np.array takes to find the shape of a list of tuples.
            array = np.fromiter(itertools.chain.from_iterable(rows), np.int64, len(rows) * width)
            kept = rows
        except TypeError:  # a NULL (a row without a unit, a sum over no row): rare, so checked only when met
            kept = [r for r in rows if r[0] is not None]
            array = np.array([[0 if v is None else v for v in r] for r in kept], dtype=np.int64)
        if not len(kept):
            return cls.empty(names)
        array = array.reshape(len(kept), width)
        ids, inverse = np.unique(array[:, 0], return_inverse=True)
        if len(ids) == len(kept):
            values = np.empty((len(ids), len(names)), np.int64)
            values[inverse] = array[:, 1:]
        else:
            values = np.zeros((len(ids), len(names)), np.int64)
            np.add.at(values, inverse, array[:, 1:])
        return cls(tuple(names), ids, values)

    @classmethod
    def grouped(cls, qs, unit_field: str, **aggregates) -> UnitTable:
        """The table of a grouped query: `aggregates` (counts and integer sums) per `unit_field`."""
        rows = plain_rows(qs.order_by().values_list(unit_field).annotate(**aggregates))
        return cls.of(tuple(aggregates), rows)

    def __len__(self) -> int:
        return len(self.ids)

    def column(self, name: str) -> np.ndarray:
        return self.values[:, self.names.index(name)]

    def on(self, ids: np.ndarray) -> np.ndarray:
        """The matrix of the units `ids` (any order), a row of zeros for a unit not in the table."""
        import numpy as np

        ids = np.asarray(ids, dtype=np.int64)
        out = np.zeros((len(ids), len(self.names)), np.int64)
        if not len(self.ids) or not len(ids):
            return out
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        found = self.ids[at] == ids
        out[found] = self.values[at[found]]
        return out

    def joined(self, *others: UnitTable) -> UnitTable:
        """One table of the columns of this and `others`, over the units of any of them."""
        import numpy as np

        tables = (self, *others)
        # Sorted and deduplicated by hand: np.unique without indices imports numpy.ma (14 ms of a
        # short command's start-up) to ask whether the array is masked.
        ids = np.sort(np.concatenate([t.ids for t in tables]))
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))] if len(ids) else ids
        names = tuple(name for t in tables for name in t.names)
        return UnitTable(names, ids, np.hstack([t.on(ids) for t in tables]))

    def total(self) -> dict[str, int]:
        return dict(zip(self.names, self.values.sum(axis=0).tolist(), strict=True))

    def as_dicts(self) -> dict[int, dict[str, int]]:
        """{unit id: {name: count}}, as the dict readers return them."""
        return {
            unit_id: dict(zip(self.names, values, strict=True))
            for unit_id, values in zip(self.ids.tolist(), self.values.tolist(), strict=True)
        }
