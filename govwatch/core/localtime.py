"""Local time: the zone of settings.TIME_ZONE, the local date of a moment and the midnights that
bound a local day. Every "today", due date and window in GovWatch is a local date; every stored
moment is UTC. These are the only conversions between the two."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings

# numpy is imported where arrays are made, not at import: Django's set-up imports this module, and
# a command that makes no array (checksum, health, backup...) then starts without numpy (about 0.15 s of CPU).
if TYPE_CHECKING:
    import numpy as np

_DAY_US = 86_400_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def local_tz() -> ZoneInfo:
    # ZoneInfo keeps one instance per key: asking again costs a dictionary look-up.
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime, tz: ZoneInfo | None = None) -> date:
    return moment.astimezone(tz or local_tz()).date()


def local_ordinals(at_us: np.ndarray, tz: ZoneInfo | None = None) -> np.ndarray:
    """`local_date` of many moments given as microseconds since the epoch, as date ordinals.

    The zone's offset is read twice per distinct UTC day, at its start and at its end: equal, it
    holds all day (no zone changes its offset and back within a day); different, that day's moments
    are converted one by one.
    """
    import numpy as np

    zone = tz or local_tz()
    at_us = np.asarray(at_us, dtype=np.int64)
    days, inverse = np.unique(at_us // _DAY_US, return_inverse=True)

    def offset(day: int) -> int:
        return (_EPOCH + timedelta(days=day)).astimezone(zone).utcoffset() // timedelta(microseconds=1)

    starts = [offset(d) for d in days.tolist()]
    ends = [offset(d + 1) for d in days.tolist()]
    offsets = np.asarray(starts, dtype=np.int64)[inverse]
    for k in np.flatnonzero(np.asarray(starts) != np.asarray(ends)).tolist():
        for i in np.flatnonzero(inverse == k).tolist():
            moment = _EPOCH + timedelta(microseconds=int(at_us[i]))
            offsets[i] = moment.astimezone(zone).utcoffset() // timedelta(microseconds=1)
    return (at_us + offsets) // _DAY_US + _EPOCH_ORDINAL


# Bounds as moments are safe far inside these dates: date.min and date.max have no midnight that
# converts to UTC (or a next day), and a filter "from 0001-01-01" must not be a server error.
_FIRST_DAY, _LAST_DAY = date(1, 1, 2), date(9999, 12, 30)


def start_of_day(d: date, tz: ZoneInfo | None = None) -> datetime:
    return datetime.combine(min(max(d, _FIRST_DAY), _LAST_DAY), time(0), tzinfo=tz or local_tz())


def end_of_day(d: date, tz: ZoneInfo | None = None) -> datetime:
    """The first moment after date d, local time: a case due on d is overdue from then."""
    return datetime.combine(
        min(max(d, _FIRST_DAY), _LAST_DAY) + timedelta(days=1), time(0), tzinfo=tz or local_tz()
    )


def clock_of(moment: datetime, tz: ZoneInfo | None = None) -> tuple[date, int]:
    """The local date of a moment and the microseconds since that date's local midnight (what a
    time clock or a queue system reads on its wall)."""
    zone = tz or local_tz()
    day = local_date(moment, zone)
    elapsed = moment - start_of_day(day, zone)
    return day, elapsed // timedelta(microseconds=1)
