"""What the region's history says at a moment: late rates of items and units, and backlogs.

The outcome of a case becomes known at one moment: when it is completed (or rejected, withdrawn)
on time, or at the first moment after its due date while it is still open (it is late from then,
whatever happens next). `History` keeps these outcomes, and the acceptances and closings, as sorted
arrays per item and per unit, so that "how many of this item's cases became known in the 91 days
before t, and how many of them late" is two binary searches, for millions of (case, moment) pairs
at once. Every figure at a moment t counts only what was known before t.

"Level" is how far into its time a case is: 0 at acceptance, 1 after a quarter of its promised
working days, ... 4 on its due date. A case's outcome counts at every level it reached while open,
so "of the item's cases still open at level 2, how many ran late" is one more group of the same
arrays. A `Snapshot` is the same figures taken once for every item and unit (what a stored model
carries, so that `predict` need not read the history again).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govwatch.workcal.calendar import WorkCalendar

from .frame import DAY, NEVER, CaseFrame, local_ordinal, midnight

LEVELS = 5
WINDOW = 91 * DAY  # "近三月": the item's and the unit's recent record
YEAR = 365 * DAY  # the longer record, steadier for items with few cases
RECENT = 14 * DAY  # the unit's last two weeks: an episode of slowness shows here first
USUAL_DAYS = 28  # a unit's usual backlog: the mean of its open cases at each midnight of four weeks


LONGEST_CLASS = 10  # items of more promised days than this share one record


def length_class(promised: np.ndarray) -> np.ndarray:
    return np.minimum(promised, LONGEST_CLASS).astype(np.int64)


def case_level(used: np.ndarray, promised: np.ndarray) -> np.ndarray:
    """0..4: the quarter of its promised working days a case has used (4 from its due date on)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.where(promised > 0, np.floor((LEVELS - 1) * used / np.maximum(promised, 1)), 0)
    return np.clip(level, 0, LEVELS - 1).astype(np.int64)


@dataclass
class Outcomes:
    known: np.ndarray
    late: np.ndarray
    at: np.ndarray  # when the outcome became known
    level: np.ndarray  # the highest level reached while open
    due: np.ndarray  # the due date as of the frame's moment
    pace: np.ndarray  # thousandths of the promised days used by a case finished on time (0 otherwise)


def outcomes(frame: CaseFrame, cal: WorkCalendar) -> Outcomes:
    rows = np.arange(len(frame))
    at = np.full(len(frame), frame.as_of, dtype=np.int64)
    due, suspended, _ = frame.due_at(cal, rows, at)
    red = midnight(due + 1)
    closed = frame.closed_at != NEVER
    late_closed = closed & (frame.closed_on > due)
    late_open = ~closed & ~suspended & (red <= frame.as_of)
    late = late_closed | late_open
    known = closed | late_open
    used = frame.promised - cal.workdays_between_many(np.where(closed, frame.closed_on, due), due)
    level = np.where(late, LEVELS - 1, case_level(used, frame.promised))
    paced = closed & ~late & (frame.promised > 0)
    pace = np.where(paced, np.round(1000 * used / np.maximum(frame.promised, 1)), 0).astype(np.int64)
    return Outcomes(known, late, np.where(late, red, frame.closed_at), level, due, pace)


def _dense(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct groups, sorted, and each value's index among them (np.unique's answer, without
    its sort when the groups are ids of a compact range, as items' and units' are)."""
    if groups.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lo, hi = int(groups.min()), int(groups.max())
    if hi - lo >= max(4 * groups.size, 1 << 20):
        ids, dense = np.unique(groups, return_inverse=True)
        return ids, dense.ravel()
    present = np.zeros(hi - lo + 1, dtype=bool)
    present[groups - lo] = True
    code = np.cumsum(present) - 1
    return np.flatnonzero(present) + lo, code[groups - lo]


def search(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """np.searchsorted(haystack, needles, side="left"), the needles sorted first when there are many:
    each search then starts where the last ended, in memory already read (several times faster on
    millions of events)."""
    if needles.size < 4096:
        return np.searchsorted(haystack, needles, side="left")
    order = np.argsort(needles)
    pos = np.empty(needles.size, dtype=np.int64)
    pos[order] = np.searchsorted(haystack, needles[order], side="left")
    return pos


class Timeline:
    """Events of many groups in time, with running sums: window sums per (group, moment) pair.

    A value may be a matrix (events, k): its window sums are then taken in one column per query, the
    column it names (`window(..., column=...)`): "of the item's cases that reached level 2".
    """

    def __init__(self, groups: np.ndarray, times: np.ndarray, values: dict[str, np.ndarray]):
        self.ids, dense = _dense(np.asarray(groups, dtype=np.int64))
        # One key per event, (group, time) in one int64: one sort, and one binary search per query.
        key = dense.astype(np.int64) * (2**33) + np.clip(times, 0, 2**33 - 1)
        order = np.argsort(key)
        self.keys = key[order]
        self.sums = {}
        for name, v in values.items():
            v = np.asarray(v)[order]
            # Counts of a region's cases fit in 32 bits: half the memory to add up and to read.
            small = (
                v.dtype.itemsize <= 4 and v.shape[0] < 2**31 and (v.size == 0 or 0 <= v.min() <= v.max() <= 1)
            )
            sums = np.empty((v.shape[0] + 1, *v.shape[1:]), dtype=np.int32 if small else np.int64)
            sums[0] = 0
            np.cumsum(v, axis=0, out=sums[1:])
            self.sums[name] = sums

    def _positions(self, groups: np.ndarray, times: np.ndarray) -> np.ndarray:
        if self.ids.size == 0:
            return np.zeros(groups.size, dtype=np.int64)
        dense = np.searchsorted(self.ids, groups)
        dense = np.minimum(dense, self.ids.size - 1)
        found = self.ids[dense] == groups
        pos = search(self.keys, dense.astype(np.int64) * (2**33) + np.clip(times, 0, 2**33 - 1))
        # A group never seen has no events: point both ends of its window at the same place.
        return np.where(found, pos, 0)

    def _sums(
        self, start: np.ndarray, end: np.ndarray, column: np.ndarray | None, names
    ) -> dict[str, np.ndarray]:
        result = {}
        for name in names or self.sums:
            s = self.sums[name]
            if s.ndim == 2:
                pick = np.zeros(start.size, dtype=np.int64) if column is None else column
                result[name] = s[end, pick] - s[start, pick]
            else:
                result[name] = s[end] - s[start]
        return result

    def window(
        self, groups: np.ndarray, times: np.ndarray, width: int, column: np.ndarray | None = None, names=None
    ) -> dict[str, np.ndarray]:
        """Sums of each value (of `names`, all by default) over events of the group with time in
        [t - width, t); of a matrix value, its `column` (0 when not given)."""
        end = self._positions(groups, times)
        start = self._positions(groups, times - width)
        return self._sums(start, end, column, names)

    def before(self, groups: np.ndarray, times: np.ndarray) -> dict[str, np.ndarray]:
        """Sums over events of the group with time <= t."""
        end = self._positions(groups, times + 1)
        start = self._positions(groups, np.zeros_like(times))
        return self._sums(start, end, None, None)


def _at_levels(known: Outcomes) -> dict[str, np.ndarray]:
    """Each known outcome counted at every level it reached: columns L = 0..LEVELS-1 of "n_at" say
    whether the case reached level L (so a window's column L counts the cases still open at level
    L), of "late_at" whether it also ran late."""
    reached = known.level[:, None] >= np.arange(LEVELS)[None, :]
    return {"n_at": reached.astype(np.int32), "late_at": (reached & known.late[:, None]).astype(np.int32)}


class History:
    """Figures of items, units and the region at any moment up to the frame's."""

    def __init__(self, frame: CaseFrame, cal: WorkCalendar):
        self.frame = frame
        self.cal = cal
        out = outcomes(frame, cal)
        self.outcomes = out
        k = out.known
        known = Outcomes(k[k], out.late[k], out.at[k], out.level[k], out.due[k], out.pace[k])
        levels = _at_levels(known)
        self.items = Timeline(frame.item[k], known.at, levels)
        # How fast the unit finishes what it finishes on time: slower than usual is a warning sign.
        paced = (known.pace > 0).astype(np.int32)
        self.units = Timeline(frame.unit[k], known.at, {**levels, "paced": paced, "pace": known.pace})
        self.region = Timeline(np.zeros(int(k.sum()), dtype=np.int64), known.at, levels)
        late = known.late.astype(np.int32)
        self.lengths = Timeline(
            length_class(frame.promised[k]), known.at, {"n": np.ones_like(late), "late": late}
        )
        self.accepted = Timeline(frame.unit, frame.accepted_at, {"n": np.ones(len(frame), dtype=np.int32)})
        closed = frame.closed_at != NEVER
        self.closed = Timeline(
            frame.unit[closed], frame.closed_at[closed], {"n": np.ones(int(closed.sum()), dtype=np.int32)}
        )
        self._daily_open()

    # -- backlogs --

    def _daily_open(self) -> None:
        """Open cases of each unit at each local midnight of the frame's span, and their running sum."""
        frame = self.frame
        self.unit_ids = np.unique(frame.unit)
        if len(frame) == 0:
            self.first_day, self.open_at, self.open_cum = 0, np.zeros((0, 1)), np.zeros((0, 2))
            return
        self.first_day = int(frame.accepted_on.min())
        days = int(local_ordinal(np.array([frame.as_of]))[0]) - self.first_day + 2
        u = np.searchsorted(self.unit_ids, frame.unit)
        change = np.zeros((self.unit_ids.size, days + 1), dtype=np.int64)
        # Open at midnight of d: accepted on an earlier date, not closed on an earlier date.
        np.add.at(change, (u, np.clip(frame.accepted_on - self.first_day + 1, 0, days)), 1)
        closed = frame.closed_at != NEVER
        np.add.at(change, (u[closed], np.clip(frame.closed_on[closed] - self.first_day + 1, 0, days)), -1)
        self.open_at = np.cumsum(change, axis=1)[:, :days]
        self.open_cum = np.concatenate(
            [np.zeros((self.open_at.shape[0], 1)), np.cumsum(self.open_at, axis=1)], axis=1
        )

    def _unit_rows(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.unit_ids.size == 0:
            return np.zeros(units.size, dtype=np.int64), np.zeros(units.size, dtype=bool)
        u = np.minimum(np.searchsorted(self.unit_ids, units), self.unit_ids.size - 1)
        return u, self.unit_ids[u] == units

    def open_count(self, units: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Cases of the unit open at each moment (accepted by then, not closed by then)."""
        return self.accepted.before(units, times)["n"] - self.closed.before(units, times)["n"]

    def open_at_midnight(self, units: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Cases of the unit open when each date began; NaN outside the frame's span."""
        u, found = self._unit_rows(units)
        col = days - self.first_day
        ok = found & (col >= 0) & (col < self.open_at.shape[1])
        result = np.full(units.size, np.nan)
        result[ok] = self.open_at[u[ok], col[ok]]
        return result

    def usual_open(self, units: np.ndarray, days: np.ndarray) -> np.ndarray:
        """The unit's mean open cases over the USUAL_DAYS midnights before each date; NaN where the
        frame does not reach back that far."""
        u, found = self._unit_rows(units)
        end = days - self.first_day
        start = end - USUAL_DAYS
        ok = found & (start >= 0) & (end < self.open_cum.shape[1])
        result = np.full(units.size, np.nan)
        if ok.any():
            result[ok] = (self.open_cum[u[ok], end[ok]] - self.open_cum[u[ok], start[ok]]) / USUAL_DAYS
        return result

    # -- records --

    def item_record(self, items: np.ndarray, levels: np.ndarray, times: np.ndarray) -> dict[str, np.ndarray]:
        return _record(self.items, items, levels, times)

    def unit_record(self, units: np.ndarray, levels: np.ndarray, times: np.ndarray) -> dict[str, np.ndarray]:
        record = _record(self.units, units, levels, times)
        recent = self.units.window(units, times, RECENT, names=("n_at", "late_at"))
        record.update(recent_n=recent["n_at"], recent_late=recent["late_at"])
        record["done"] = self.units.window(units, times, USUAL_DAYS * DAY, names=("n_at",))["n_at"]
        for name, width in (("pace_recent", RECENT), ("pace_usual", WINDOW)):
            sums = self.units.window(units, times, width, names=("pace", "paced"))
            record[name] = sums["pace"]
            record[name + "_n"] = sums["paced"]
        return record

    def region_record(self, levels: np.ndarray, times: np.ndarray) -> dict[str, np.ndarray]:
        return _record(self.region, np.zeros_like(levels), levels, times)

    def length_record(self, promised: np.ndarray, times: np.ndarray) -> dict[str, np.ndarray]:
        """The record of all items with the same promised days (longer ones pooled)."""
        return self.lengths.window(length_class(promised), times, WINDOW)


def _record(
    timeline: Timeline, groups: np.ndarray, levels: np.ndarray, times: np.ndarray
) -> dict[str, np.ndarray]:
    names = ("n_at", "late_at")
    end = timeline._positions(groups, times)
    start = timeline._positions(groups, times - WINDOW)
    all_ = timeline._sums(start, end, None, names)
    at = timeline._sums(start, end, levels, names)
    year = timeline._sums(timeline._positions(groups, times - YEAR), end, None, names)
    return {
        "n": all_["n_at"], "late": all_["late_at"], "n_level": at["n_at"], "late_level": at["late_at"],
        "n_year": year["n_at"], "late_year": year["late_at"],
    }  # fmt: skip
