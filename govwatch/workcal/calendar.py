"""The working-day calendar: the one module every deadline in GovWatch is computed with.

A date is a working day when it is Monday to Friday and not a listed holiday, or when it is a listed
make-up working day. The calendar keeps, for every date of its range, the cumulative number of
working days up to and including that date. Adding N working days to D is then a search for the
first date whose count reaches count(D) + N: O(log n) for one date, and vectorised with numpy's
`searchsorted` for a million (numpy's own `busday_offset` cannot represent make-up working days).

Dates in a year without an imported schedule follow the weekday rule; a result that depends on one
is provisional (contract section 3).
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

# numpy is imported where arrays are made, not at import: Django's set-up imports this module, and
# a command that makes no array (checksum, health, backup...) then starts without numpy (about 0.15 s of CPU).
if TYPE_CHECKING:
    import numpy as np

FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2199, 12, 31)
_FIRST_ORD = FIRST_DAY.toordinal()
_LAST_ORD = LAST_DAY.toordinal()


class OutOfCalendar(ValueError):
    """A date outside the range the calendar covers."""


@dataclass(frozen=True)
class Deadline:
    date: date
    provisional: bool


class WorkCalendar:
    """Working days from holiday and make-up-day lists, with exact O(log n) arithmetic."""

    def __init__(self, holidays: Iterable[date], workdays: Iterable[date], scheduled_years: Iterable[int]):
        import numpy as np

        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.scheduled_years = frozenset(scheduled_years)
        n = _LAST_ORD - _FIRST_ORD + 1
        ordinals = np.arange(_FIRST_ORD, _LAST_ORD + 1, dtype=np.int64)
        # date.toordinal() % 7: 1 is Monday ... 0 is Sunday.
        weekday = (ordinals % 7 + 6) % 7  # 0 Monday .. 6 Sunday
        is_work = weekday < 5
        for d in self.holidays:
            if FIRST_DAY <= d <= LAST_DAY:
                is_work[d.toordinal() - _FIRST_ORD] = False
        for d in self.workdays:
            if FIRST_DAY <= d <= LAST_DAY:
                is_work[d.toordinal() - _FIRST_ORD] = True
        self.is_work = is_work
        # cum[i]: working days in [FIRST_DAY, day i], inclusive.
        self.cum = np.cumsum(is_work, dtype=np.int64)
        unscheduled = np.ones(n, dtype=bool)
        for year in self.scheduled_years:
            lo = date(year, 1, 1).toordinal() - _FIRST_ORD
            hi = date(year, 12, 31).toordinal() - _FIRST_ORD
            if hi >= 0 and lo < n:
                unscheduled[max(lo, 0) : min(hi, n - 1) + 1] = False
        self.unscheduled_cum = np.cumsum(unscheduled, dtype=np.int64)
        # Plain lists for the scalar path: indexing numpy from Python is slower than a list.
        self._cum = self.cum.tolist()
        self._ucum = self.unscheduled_cum.tolist()

    # -- one date -------------------------------------------------------------------------------

    @staticmethod
    def _index(d: date) -> int:
        i = d.toordinal() - _FIRST_ORD
        if i < 0 or d > LAST_DAY:
            raise OutOfCalendar(f"日期 {d} 超出工作日历范围({FIRST_DAY}至{LAST_DAY})")
        return i

    def is_workday(self, d: date) -> bool:
        return bool(self.is_work[self._index(d)])

    def add_workdays(self, d: date, n: int) -> Deadline:
        """The n-th working day after d (d not counted); n = 0 gives d itself."""
        if n < 0:
            raise ValueError("n must be >= 0")
        i = self._index(d)
        if n == 0:
            return Deadline(d, False)
        target = self._cum[i] + n
        j = bisect_left(self._cum, target, lo=i)
        if j >= len(self._cum):
            raise OutOfCalendar(f"{d} 加 {n} 个工作日超出工作日历范围")
        return Deadline(date.fromordinal(j + _FIRST_ORD), self._ucum[j] != self._ucum[i])

    def workdays_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end <= start)."""
        if end <= start:
            return 0
        return self._cum[self._index(end)] - self._cum[self._index(start)]

    def first_date_within(self, end: date, n: int) -> date:
        """The earliest date T with at most n working days in (T, end]."""
        i = self._index(end)
        return date.fromordinal(bisect_left(self._cum, self._cum[i] - n) + _FIRST_ORD)

    def is_provisional_span(self, start: date, end: date) -> bool:
        """Whether any date in (start, end] lies in a year with no imported schedule."""
        if end <= start:
            return False
        return self._ucum[self._index(end)] != self._ucum[self._index(start)]

    # -- many dates at once ---------------------------------------------------------------------

    def add_workdays_many(self, ordinals: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised add_workdays over arrays of date ordinals and day counts.

        Returns (result ordinals, provisional flags).
        """
        import numpy as np

        idx = np.asarray(ordinals, dtype=np.int64) - _FIRST_ORD
        n = np.asarray(n, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self.cum.size):
            raise OutOfCalendar("日期超出工作日历范围")
        target = self.cum[idx] + n
        j = np.searchsorted(self.cum, target, side="left")
        j = np.where(n == 0, idx, j)
        if j.size and j.max() >= self.cum.size:
            raise OutOfCalendar("结果超出工作日历范围")
        provisional = self.unscheduled_cum[j] != self.unscheduled_cum[idx]
        return j + _FIRST_ORD, provisional

    def workdays_between_many(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Vectorised workdays_between over arrays of date ordinals (0 where end <= start)."""
        import numpy as np

        count = (
            self.cum[np.asarray(end, dtype=np.int64) - _FIRST_ORD]
            - self.cum[np.asarray(start, dtype=np.int64) - _FIRST_ORD]
        )
        return np.maximum(count, 0)

    def is_provisional_span_many(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Vectorised is_provisional_span over arrays of date ordinals (False where end <= start)."""
        import numpy as np

        start = np.asarray(start, dtype=np.int64)
        end = np.asarray(end, dtype=np.int64)
        crossed = self.unscheduled_cum[end - _FIRST_ORD] != self.unscheduled_cum[start - _FIRST_ORD]
        return crossed & (end > start)

    def first_date_within_many(self, end: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Vectorised first_date_within: for each end date (ordinal), the earliest date with at most n
        working days in (date, end]."""
        import numpy as np

        idx = np.asarray(end, dtype=np.int64) - _FIRST_ORD
        return (
            np.searchsorted(self.cum, self.cum[idx] - np.asarray(n, dtype=np.int64), side="left") + _FIRST_ORD
        )


def day_by_day_add(is_workday, d: date, n: int) -> date:
    """The plain reference: step one day at a time. Used by tests and the benchmark."""
    current = d
    remaining = n
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


# -- the process-wide calendar, loaded from the database ---------------------------------------

_lock = threading.Lock()
_cached: tuple[WorkCalendar, tuple, float] | None = None
# How long a process trusts its copy before asking the database whether the schedule changed.
RECHECK_SECONDS = 30.0


def _db_version() -> tuple:
    from django.db.models import Count, Max

    from .models import CalendarDay, ScheduledYear

    years = ScheduledYear.objects.aggregate(n=Count("year"), m=Max("updated_at"))
    days = CalendarDay.objects.aggregate(n=Count("date"), m=Max("date"))
    return (years["n"], years["m"], days["n"], days["m"])


def _load() -> WorkCalendar:
    from .models import CalendarDay, DayKind, ScheduledYear

    holidays: list[date] = []
    workdays: list[date] = []
    for d, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).append(d)
    years = ScheduledYear.objects.values_list("year", flat=True)
    return WorkCalendar(holidays, workdays, years)


def get_calendar() -> WorkCalendar:
    """The calendar of the database, reloaded when another process changed the schedule."""
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached is not None and now - _cached[2] < RECHECK_SECONDS:
            return _cached[0]
        version = _db_version()
        if _cached is not None and _cached[1] == version:
            _cached = (_cached[0], version, now)
            return _cached[0]
        cal = _load()
        _cached = (cal, version, now)
        return cal


def invalidate() -> None:
    """Forget the cached calendar (after this process changed the schedule, and between tests)."""
    global _cached
    with _lock:
        _cached = None
