"""Figures of a past period kept as computed, served while no fold has rewritten a day of it.

The fold rewrites a unit's rows from a day on (`fold._write`): the rows of the days before are left
as they were. `bump` counts each rewrite under the day it starts from (FoldEpoch). The epoch of a
day, the sum of those counts over the days up to it (`remembered_many`), therefore changes whenever
a figure of a period that ends on that day may have changed, and stays put while later days are
folded (today's events). A period's table read under one epoch (`remembered`; per set of units:
the region, a subtree) is served again, as stored, for as long as the epoch stands. A leader's
screen and a ranking read the previous period and the months of the trend that way instead of
summing every unit's rows again on each refresh.

Only the aggregates are remembered (UnitDay, UnitMonth, UnitYear and the complaint tables, all
written by the fold alone, and the complaints of the days a period cuts off a month, which their
writers mark stale): the counts read live (the negative loop's tasks, data-check findings,
rectification lists) are read afresh by their callers. A migration that rewrites the aggregates
must call `bump(BEGINNING)` as the rebuild does.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import FiguresMemo, FoldEpoch
from .tables import UnitTable

KEPT_FOR = timedelta(days=7)


def bump(day: date) -> None:
    """Count a rewrite of the rows from `day` on (in the writer's transaction)."""
    FoldEpoch.objects.bulk_create([FoldEpoch(day=day, rewrites=0)], ignore_conflicts=True)
    FoldEpoch.objects.filter(day=day).update(rewrites=F("rewrites") + 1)


def _encoded(table: UnitTable) -> bytes:
    """The table as bytes: a JSON header, then the ids and the values, 32-bit when they fit (a
    province's table is read whole on every refresh: half the bytes)."""
    small = all(
        not len(a) or (a.min() >= np.iinfo(np.int32).min and a.max() <= np.iinfo(np.int32).max)
        for a in (table.ids, table.values)
    )
    kind = "<i4" if small else "<i8"
    header = json.dumps({"names": list(table.names), "units": len(table.ids), "type": kind}).encode()
    body = np.concatenate([table.ids.ravel(), table.values.ravel()]).astype(kind).tobytes()
    return len(header).to_bytes(4, "little") + header + body


def _decoded(data: bytes) -> UnitTable:
    size = int.from_bytes(data[:4], "little")
    header = json.loads(data[4 : 4 + size])
    names, n = tuple(header["names"]), header["units"]
    body = np.frombuffer(data, dtype=header["type"], offset=4 + size).astype(np.int64)
    return UnitTable(names, body[:n], body[n:].reshape(n, len(names)))


def remembered(key: str, last: date, compute: Callable[[], UnitTable]) -> UnitTable:
    """The table stored under `key` if it was computed under the present epoch of `last` (the
    period's last day), else `compute()`, stored. The caller folds the pending marks first."""
    return remembered_many([(key, last, compute)])[0]


def remembered_many(wanted: list[tuple[str, date, Callable[[], UnitTable]]]) -> list[UnitTable]:
    """`remembered` of each (key, last, compute), with one query for the epochs and one for the
    stored tables.

    The epochs are read before computing: a fold that lands in between leaves a stored table under
    the older epoch, so it is computed again on the next read, never served stale."""
    rewrites = list(FoldEpoch.objects.order_by("day").values_list("day", "rewrites"))
    days = [day for day, _n in rewrites]
    running = np.cumsum([n for _day, n in rewrites], dtype=np.int64).tolist()

    def epoch_of(last: date) -> int:
        at = bisect_right(days, last)
        return running[at - 1] if at else 0

    stored = dict(
        (key, (found_epoch, data))
        for key, found_epoch, data in FiguresMemo.objects.filter(key__in=[key for key, _l, _c in wanted])
        .order_by()
        .values_list("key", "epoch", "data")
    )
    out, fresh = [], []
    now = timezone.now()
    for key, last, compute in wanted:
        epoch = epoch_of(last)
        found = stored.get(key)
        if found is not None and found[0] == epoch:
            out.append(_decoded(bytes(found[1])))
            continue
        table = compute()
        fresh.append(FiguresMemo(key=key, epoch=epoch, data=_encoded(table), stored_at=now))
        out.append(table)
    # A database opened read-only (the pages benchmark on a region it must not change): computed, not kept.
    if fresh and not getattr(settings, "READ_ONLY", False):
        # Each day's screen has a previous period of its own: the tables no one asked for again
        # within KEPT_FOR are dropped (one still read is computed again, once).
        FiguresMemo.objects.filter(stored_at__lt=now - KEPT_FOR).delete()
        FiguresMemo.objects.bulk_create(
            fresh, update_conflicts=True, unique_fields=["key"], update_fields=["epoch", "data", "stored_at"]
        )
    return out
