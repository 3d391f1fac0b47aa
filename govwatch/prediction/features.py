"""The features of a case at a moment: what the model sees, all computable in any region.

Each row is one (case, moment) pair. Everything is taken from the case's own facts up to that moment
(its item's time limit, how much of it is used, its suspensions) and from the region's history
before it (`History`): the item's and the unit's recent late rates, overall and among the cases
still open at the same point of their time, the unit's backlog now and when the case was accepted
against its usual level, and the holidays ahead. Nothing here knows the demo region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from govwatch.workcal.calendar import FIRST_DAY, WorkCalendar

from .frame import DAY, CaseFrame, local_hour, local_ordinal, midnight
from .history import LEVELS, USUAL_DAYS, History, case_level

# Prior weight (in cases) of the level above when an item's or a unit's own record is thin.
SHRINK = 20.0
# The gap between two working days that makes a long holiday (a plain weekend is 3 days).
LONG_BREAK_DAYS = 4

NAMES = (
    "promised_days",
    "remaining_workdays",
    "used_share",
    "level",
    "hours_open",
    "hours_to_red",
    "hour_of_day",
    "weekday",
    "suspensions",
    "length_late_rate",
    "item_late_rate",
    "item_late_rate_year",
    "item_cases",
    "item_late_rate_at_level",
    "item_still_open_share",
    "unit_late_rate",
    "unit_late_rate_year",
    "unit_late_rate_at_level",
    "unit_recent_late_rate",
    "unit_pace_recent",
    "unit_usual_open",
    "unit_backlog_now",
    "unit_backlog_then",
    "unit_backlog_days",
    "long_holiday_ahead",
    "days_off_ahead",
)


@dataclass
class Features:
    """The matrix (float32, one row per pair, columns NAMES) and the named columns reasons use."""

    X: np.ndarray
    due: np.ndarray  # due date at the moment (ordinal)
    today: np.ndarray
    raw: dict[str, np.ndarray] = field(default_factory=dict)  # plain figures, for the reasons in words

    def column(self, name: str) -> np.ndarray:
        return self.X[:, NAMES.index(name)]


@lru_cache(maxsize=4)
def _breaks(cal: WorkCalendar) -> np.ndarray:
    """For each date of the calendar, the first date on or after it that starts a long holiday."""
    work = cal.is_work
    n = work.size
    idx = np.flatnonzero(work)
    gaps = np.diff(idx)
    starts = idx[:-1][gaps >= LONG_BREAK_DAYS] + 1  # the first day off of each long break
    nxt = np.full(n, n + 10**6, dtype=np.int64)
    pos = np.searchsorted(starts, np.arange(n), side="left")
    has = pos < starts.size
    nxt[has] = starts[pos[has]]
    return nxt + FIRST_DAY.toordinal()


def _smooth(late: np.ndarray, n: np.ndarray, prior: np.ndarray) -> np.ndarray:
    return (late + SHRINK * prior) / (n + SHRINK)


def build(
    frame: CaseFrame, rows: np.ndarray, times: np.ndarray, history: History, cal: WorkCalendar
) -> Features:
    """Features of the cases `rows` of `frame` at `times` (one moment per row), from `history`."""
    rows = np.asarray(rows, dtype=np.int64)
    times = np.asarray(times, dtype=np.int64)
    n = rows.size
    promised = frame.promised[rows]
    due, _, suspensions = frame.due_at(cal, rows, times)
    today = local_ordinal(times)
    remaining = cal.workdays_between_many(today, due)
    used = promised - remaining
    level = case_level(used, promised)
    with np.errstate(divide="ignore", invalid="ignore"):
        used_share = np.where(promised > 0, used / np.maximum(promised, 1), 1.0)
    item, unit = frame.item[rows], frame.unit[rows]

    region = history.region_record(level, times)
    region_rate = (region["late"] + 1) / (region["n"] + 50)
    region_rate_level = (region["late_level"] + 1) / (region["n_level"] + 50)
    ur = history.unit_record(unit, level, times)
    region_year = (region["late_year"] + 1) / (region["n_year"] + 50)
    unit_year = _smooth(ur["late_year"], ur["n_year"], region_year)
    unit_rate = _smooth(ur["late"], ur["n"], unit_year)
    unit_rate_level = _smooth(ur["late_level"], ur["n_level"], region_rate_level)
    unit_recent = _smooth(ur["recent_late"], ur["recent_n"], unit_rate)
    lr = history.length_record(promised, times)
    length_rate = _smooth(lr["late"], lr["n"], region_rate)
    ir = history.item_record(item, level, times)
    item_year = _smooth(ir["late_year"], ir["n_year"], unit_year)
    item_rate = _smooth(ir["late"], ir["n"], item_year)
    item_rate_level = _smooth(ir["late_level"], ir["n_level"], unit_rate_level)
    item_open_share = (ir["n_level"] + 1) / (ir["n"] + 1)

    open_now = history.open_count(unit, times)
    usual_now = history.usual_open(unit, today)
    accepted_at = frame.accepted_at[rows]
    # When the case was accepted: the unit's open cases as that day began, against what was usual then.
    open_then = history.open_at_midnight(unit, frame.accepted_on[rows])
    usual_then = history.usual_open(unit, frame.accepted_on[rows])
    backlog_days = open_now / np.maximum(ur["done"] / (USUAL_DAYS * 5 / 7), 0.5)

    next_break = _breaks(cal)[today - FIRST_DAY.toordinal()]
    X = np.empty((n, len(NAMES)), dtype=np.float32)
    columns = {
        "promised_days": promised,
        "remaining_workdays": remaining,
        "used_share": used_share,
        "level": level,
        "hours_open": (times - accepted_at) / 3600.0,
        "hours_to_red": (midnight(due + 1) - times) / 3600.0,
        "hour_of_day": local_hour(times),
        "weekday": (today + 6) % 7,
        "suspensions": suspensions,
        "length_late_rate": length_rate,
        "item_late_rate": item_rate,
        "item_late_rate_year": item_year,
        "item_cases": np.log1p(ir["n"]),
        "item_late_rate_at_level": item_rate_level,
        "item_still_open_share": item_open_share,
        "unit_late_rate": unit_rate,
        "unit_late_rate_year": unit_year,
        "unit_late_rate_at_level": unit_rate_level,
        "unit_recent_late_rate": unit_recent,
        # Share of the promised days the unit has lately used for what it finished on time, over usual.
        "unit_pace_recent": ((ur["pace_recent"] + 5000) / (ur["pace_recent_n"] + 10))
        / ((ur["pace_usual"] + 5000) / (ur["pace_usual_n"] + 10)),
        "unit_usual_open": usual_now,
        "unit_backlog_now": (open_now + 3) / (usual_now + 3),
        "unit_backlog_then": (open_then + 3) / (usual_then + 3),
        "unit_backlog_days": backlog_days,
        "long_holiday_ahead": next_break <= due,
        "days_off_ahead": np.maximum(due - today, 0) - remaining,
    }
    for k, name in enumerate(NAMES):
        X[:, k] = columns[name]
    raw = {
        "item_n": ir["n"], "item_late": ir["late"], "item_n_level": ir["n_level"], "item_late_level": ir["late_level"],
        "unit_n": ur["n"], "unit_late": ur["late"], "unit_n_level": ur["n_level"], "unit_late_level": ur["late_level"],
        "unit_recent_n": ur["recent_n"], "unit_recent_late": ur["recent_late"],
        "region_rate": region_rate, "open_now": open_now, "usual_now": usual_now, "level": level,
        "used_share": used_share, "long_holiday": next_break <= due, "break_day": next_break,
        "length_n": lr["n"], "length_late": lr["late"], "promised": promised, "remaining": remaining,
    }  # fmt: skip
    return Features(X, due, today, raw)


def seconds(days: float) -> int:
    return int(days * DAY)


__all__ = ["NAMES", "Features", "build", "LEVELS"]
