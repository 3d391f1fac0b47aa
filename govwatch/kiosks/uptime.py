"""Kiosk uptime over opening hours (在线时长): the seed's "19台24小时自助服务终端在线时长达99.5%".

One rule, in `up_spans`: a kiosk is up at a moment when its latest signal by then says up and is
younger than the kiosk's heartbeat timeout (a timeout of 0: a status feed, up until the next down).
The opening hours are the kiosk's `hours` (all day when empty) on every day, or on working days
only. Uptime = time up within the opening hours / the opening hours, both cut at the moment of
asking (the future is neither up nor down). Computed from the signals each time, never stored.

Time is in epoch seconds; spans are half-open [start, end). The overlap of a kiosk's up spans with
its opening spans is a difference of a cumulative sum (numpy), whatever their numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db.models import Max, QuerySet

from govwatch.core.localtime import end_of_day, start_of_day
from govwatch.orgs.hours import parse_hours
from govwatch.workcal.calendar import WorkCalendar, get_calendar

from .models import Kiosk, KioskSignal

UP = KioskSignal.Status.UP


def opening_spans(kiosk: Kiosk, start: date, end: date, cal: WorkCalendar) -> np.ndarray:
    """The kiosk's opening spans from `start` to `end` (dates, inclusive), epoch seconds, (n, 2)."""
    spans = parse_hours(kiosk.opening)
    rows = []
    day = start
    while day <= end:
        if kiosk.every_day or cal.is_workday(day):
            midnight = start_of_day(day).timestamp()
            rows.extend((midnight + a, midnight + b) for a, b in spans)
        day += timedelta(days=1)
    return np.array(rows, dtype=np.float64).reshape(-1, 2)


def up_spans(times: np.ndarray, up: np.ndarray, timeout: int) -> np.ndarray:
    """The spans a kiosk was up, from its signals sorted by time (epoch seconds, and whether each
    says up): each up signal holds until the next signal, and at most `timeout` seconds (0: no
    limit). The spans are sorted and disjoint; the last one may run to infinity."""
    nxt = np.append(times[1:], np.inf)
    ends = np.minimum(nxt, times + timeout) if timeout else nxt
    spans = np.stack([times, ends], axis=1)[up.astype(bool)]
    return spans[spans[:, 1] > spans[:, 0]]


def overlap(up: np.ndarray, opening: np.ndarray) -> float:
    """Seconds of `opening` covered by `up` (both (n, 2), sorted; `up` disjoint)."""
    if not len(up) or not len(opening):
        return 0.0
    # A span still running (no later signal, no timeout) counts up to the last opening moment.
    starts, finite = up[:, 0], np.minimum(up[:, 1], max(opening[:, 1].max(), up[:, 0].max()))
    cum = np.concatenate([[0.0], np.cumsum(finite - starts)])

    def covered(x: np.ndarray) -> np.ndarray:
        """Seconds of `up` before x."""
        k = np.searchsorted(starts, x, side="right")
        last = np.maximum(k - 1, 0)
        beyond = np.where(k > 0, np.maximum(finite[last] - x, 0.0), 0.0)
        return cum[k] - beyond

    return float(np.sum(covered(opening[:, 1]) - covered(opening[:, 0])))


def gaps(up: np.ndarray, opening: np.ndarray) -> list[tuple[float, float]]:
    """The spans within opening hours not covered by `up` (one kiosk's outages), in order."""
    out: list[tuple[float, float]] = []
    for a, b in opening:
        cursor = a
        for s, e in up[(up[:, 1] > a) & (up[:, 0] < b)]:
            if s > cursor:
                out.append((cursor, min(s, b)))
            cursor = max(cursor, e)
        if cursor < b:
            out.append((cursor, b))
    # An outage over midnight in a 24-hour kiosk is one outage, not two.
    merged: list[tuple[float, float]] = []
    for a, b in out:
        if merged and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


@dataclass
class KioskUptime:
    kiosk: Kiosk
    open_seconds: float
    up_seconds: float
    outages: list[tuple[datetime, datetime]] = field(default_factory=list)
    last_signal: datetime | None = None
    up_now: bool = False

    @property
    def rate(self) -> float | None:
        return self.up_seconds / self.open_seconds if self.open_seconds else None

    @property
    def down_seconds(self) -> float:
        return self.open_seconds - self.up_seconds


def _signals(kiosks: list[Kiosk], since: datetime, until: datetime) -> dict[int, list[tuple[float, bool]]]:
    """Each kiosk's signals in [since, until), and the last one before `since` (its state then)."""
    ids = [k.pk for k in kiosks]
    out: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    last = dict(
        KioskSignal.objects.filter(kiosk_id__in=ids, at__lt=since)
        .values("kiosk_id")
        .annotate(last=Max("at"))
        .values_list("kiosk_id", "last")
        .order_by()
    )
    prior = [
        row
        for row in KioskSignal.objects.filter(kiosk_id__in=ids, at__in=set(last.values())).values_list(
            "kiosk_id", "at", "status"
        )
        if last.get(row[0]) == row[1]
    ]
    rows = KioskSignal.objects.filter(kiosk_id__in=ids, at__gte=since, at__lt=until).order_by(
        "kiosk_id", "at"
    )
    for kiosk_id, at, status in [*prior, *rows.values_list("kiosk_id", "at", "status")]:
        out[kiosk_id].append((at.timestamp(), status == UP))
    for signals in out.values():
        signals.sort()
    return out


def uptime(
    kiosks: QuerySet[Kiosk] | list[Kiosk],
    start: date,
    end: date,
    at: datetime,
    cal: WorkCalendar | None = None,
    with_outages: bool = False,
) -> list[KioskUptime]:
    """Each kiosk's uptime over its opening hours from `start` to `end`, as known at `at`."""
    cal = cal or get_calendar()
    kiosks = list(kiosks)
    since, until = start_of_day(start), min(end_of_day(end), at)
    signals = _signals(kiosks, since, until) if kiosks else {}
    now = at.timestamp()
    out = []
    for kiosk in kiosks:
        opening = opening_spans(kiosk, start, end, cal)
        opening = np.clip(opening, None, now)
        opening = opening[opening[:, 1] > opening[:, 0]]
        rows = signals.get(kiosk.pk, [])
        times = np.array([t for t, _ in rows], dtype=np.float64)
        up = up_spans(times, np.array([u for _, u in rows], dtype=bool), kiosk.heartbeat_seconds)
        result = KioskUptime(kiosk, float(np.sum(opening[:, 1] - opening[:, 0])), 0.0)
        if rows:
            result.last_signal = datetime.fromtimestamp(rows[-1][0], UTC)
            result.up_now = bool(len(up)) and bool(up[-1, 0] <= now < up[-1, 1])
        up = np.clip(up, None, now)
        result.up_seconds = overlap(up, opening)
        if with_outages:
            result.outages = [
                (datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC)) for a, b in gaps(up, opening)
            ]
        out.append(result)
    return out


def overall(rows: list[KioskUptime]) -> float | None:
    """The region's figure: time up over time open, summed over its kiosks."""
    total = sum(r.open_seconds for r in rows)
    return sum(r.up_seconds for r in rows) / total if total else None
