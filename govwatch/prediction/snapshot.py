"""The history figures a stored model carries, so that a prediction need not read the history again.

`Snapshot` takes, at the model's moment, every item's and unit's record (the figures `History`
gives for any moment) and each unit's daily open cases of the last weeks. `Present` answers the
feature builder's questions for a later moment from the snapshot, except the one that must be
exact: how many cases each unit has open right now, counted from the open cases just loaded.
A model is at most `GOVWATCH_PREDICT_MODEL_HOURS` old when it is used, so its records lag the
present by at most that much; they never run ahead of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .frame import CaseFrame, local_ordinal
from .history import LEVELS, LONGEST_CLASS, USUAL_DAYS, History, length_class

# Days of daily open cases kept: the acceptance day of a case open now is rarely further back.
SPAN_DAYS = 60
RECORD_KEYS = ("n", "late", "n_year", "late_year")


def _lookup(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if ids.size == 0:
        return np.zeros(wanted.size, dtype=np.int64), np.zeros(wanted.size, dtype=bool)
    pos = np.minimum(np.searchsorted(ids, wanted), ids.size - 1)
    return pos, ids[pos] == wanted


@dataclass
class Table:
    """Per group (item or unit) and level: counts of known outcomes, and of late ones."""

    ids: np.ndarray
    counts: dict[str, np.ndarray]  # name -> (groups, LEVELS) for "n_level"/"late_level", (groups,) else

    def record(self, groups: np.ndarray, levels: np.ndarray) -> dict[str, np.ndarray]:
        pos, found = _lookup(self.ids, groups)
        result = {}
        for name, values in self.counts.items():
            picked = values[pos, levels] if values.ndim == 2 else values[pos]
            result[name] = np.where(found, picked, 0)
        return result


def _table(ids: np.ndarray, fetch, as_of: int) -> Table:
    """Records of every group at every level at `as_of`, from a `History` record function."""
    groups = np.repeat(ids, LEVELS)
    levels = np.tile(np.arange(LEVELS), ids.size)
    rec = fetch(groups, levels, np.full(groups.size, as_of, dtype=np.int64))
    counts = {}
    for name, values in rec.items():
        values = values.reshape(ids.size, LEVELS)
        # Figures of the group as a whole are the same at every level: keep one column of them.
        counts[name] = values.astype(np.int32) if name.endswith("_level") else values[:, 0].astype(np.int32)
    return Table(ids, counts)


@dataclass
class Snapshot:
    as_of: int
    items: Table
    units: Table
    region: Table
    lengths: Table
    unit_ids: np.ndarray
    first_day: int  # the date (ordinal) of column 0 of the daily tables
    open_at: np.ndarray  # (units, days): open cases at each midnight
    usual: np.ndarray  # (units, days): mean open cases over the USUAL_DAYS midnights before

    @classmethod
    def of(cls, history: History) -> Snapshot:
        frame = history.frame
        as_of = frame.as_of
        items = _table(np.unique(frame.item), history.item_record, as_of)
        units = _table(np.unique(frame.unit), history.unit_record, as_of)
        region = _table(np.zeros(1, dtype=np.int64), lambda g, lv, t: history.region_record(lv, t), as_of)
        lengths = _table(np.arange(LONGEST_CLASS + 1), lambda g, lv, t: history.length_record(g, t), as_of)
        today = int(local_ordinal(np.array([as_of]))[0])
        days = np.arange(today - SPAN_DAYS + 1, today + 1)
        ids = history.unit_ids
        grid_units = np.repeat(ids, days.size)
        grid_days = np.tile(days, ids.size)
        open_at = history.open_at_midnight(grid_units, grid_days).reshape(ids.size, days.size)
        usual = history.usual_open(grid_units, grid_days).reshape(ids.size, days.size)
        return cls(
            as_of,
            items,
            units,
            region,
            lengths,
            ids,
            int(days[0]),
            open_at.astype(np.float32),
            usual.astype(np.float32),
        )

    def _daily(self, table: np.ndarray, units: np.ndarray, days: np.ndarray) -> np.ndarray:
        pos, found = _lookup(self.unit_ids, units)
        # Dates after the snapshot take its last day: the freshest figure there is.
        col = np.minimum(days - self.first_day, table.shape[1] - 1)
        ok = found & (col >= 0)
        result = np.full(units.size, np.nan)
        result[ok] = table[pos[ok], col[ok]]
        return result


class Present:
    """What `features.build` asks of the history, for cases open at one moment after a snapshot."""

    def __init__(self, snapshot: Snapshot, open_frame: CaseFrame):
        self.snapshot = snapshot
        self.as_of = open_frame.as_of
        self.today = int(local_ordinal(np.array([self.as_of]))[0])
        units, counts = np.unique(open_frame.unit, return_counts=True)
        self._open_units, self._open_counts = units, counts

    def item_record(self, items, levels, times):
        return self.snapshot.items.record(items, levels)

    def unit_record(self, units, levels, times):
        record = self.snapshot.units.record(units, levels)
        return record

    def region_record(self, levels, times):
        return self.snapshot.region.record(np.zeros_like(levels), levels)

    def length_record(self, promised, times):
        return self.snapshot.lengths.record(length_class(promised), np.zeros_like(promised))

    def open_count(self, units: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Open cases of each unit now (the loaded open cases are all of them)."""
        pos, found = _lookup(self._open_units, units)
        return np.where(found, self._open_counts[pos], 0)

    def open_at_midnight(self, units: np.ndarray, days: np.ndarray) -> np.ndarray:
        result = self.snapshot._daily(self.snapshot.open_at, units, days)
        # Cases accepted after the snapshot's day: their unit's open cases now stand in for then.
        later = days > self.snapshot.first_day + self.snapshot.open_at.shape[1] - 1
        if later.any():
            result[later] = self.open_count(units[later], np.full(int(later.sum()), self.as_of))
        return result

    def usual_open(self, units: np.ndarray, days: np.ndarray) -> np.ndarray:
        return self.snapshot._daily(self.snapshot.usual, units, days)


__all__ = ["Snapshot", "Present", "USUAL_DAYS"]
