"""Figures of a past period kept as computed, served while no fold has rewritten a day of it.

The fold rewrites a unit's rows from a day on (`fold._write`): the rows of the days before are left
as they were. `bump` counts each rewrite under the day it starts from (FoldEpoch); `epoch(last)`, the
sum of those counts over the days up to `last`, therefore changes whenever a figure of a period that
ends on `last` may have changed, and stays put while later days are folded (today's events). A
period's region-wide table read under one epoch (`remembered`) is served again, as stored, for as
long as the epoch stands; a leader's screen and a ranking read the previous period and the months
of the trend that way instead of summing every unit's rows again on each refresh.

Only the aggregates are remembered (UnitDay, UnitMonth, UnitYear and the complaint tables, all
written by the fold alone, and the complaints of the days a period cuts off a month, which their
writers mark stale): the counts read live (the negative loop's tasks, data-check findings,
rectification lists) are read afresh by their callers. A migration that rewrites the aggregates
must call `bump(BEGINNING)` as the rebuild does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import numpy as np
from django.db.models import F, Sum

from .models import FiguresMemo, FoldEpoch
from .tables import UnitTable


def bump(day: date) -> None:
    """Count a rewrite of the rows from `day` on (in the writer's transaction)."""
    FoldEpoch.objects.bulk_create([FoldEpoch(day=day, rewrites=0)], ignore_conflicts=True)
    FoldEpoch.objects.filter(day=day).update(rewrites=F("rewrites") + 1)


def epoch(last: date) -> int:
    """The rewrites of the rows of days up to `last`: it changes when they may have."""
    return FoldEpoch.objects.filter(day__lte=last).aggregate(n=Sum("rewrites"))["n"] or 0


def _encoded(table: UnitTable) -> bytes:
    header = json.dumps({"names": list(table.names), "units": len(table.ids)}).encode()
    ids = table.ids.astype("<i8").tobytes()
    values = table.values.astype("<i8").tobytes()
    return len(header).to_bytes(4, "little") + header + ids + values


def _decoded(data: bytes) -> UnitTable:
    size = int.from_bytes(data[:4], "little")
    header = json.loads(data[4 : 4 + size])
    names, n = tuple(header["names"]), header["units"]
    body = np.frombuffer(data, dtype="<i8", offset=4 + size).astype(np.int64)
    return UnitTable(names, body[:n].copy(), body[n:].reshape(n, len(names)))


def remembered(key: str, last: date, compute: Callable[[], UnitTable]) -> UnitTable:
    """The table stored under `key` if it was computed under the present epoch of `last` (the
    period's last day), else `compute()`, stored. The caller folds the pending marks first.

    The epoch is read before computing: a fold that lands in between leaves the stored table under
    the older epoch, so it is computed again on the next read, never served stale."""
    now = epoch(last)
    found = FiguresMemo.objects.filter(key=key).values_list("epoch", "data").first()
    if found is not None and found[0] == now:
        return _decoded(bytes(found[1]))
    table = compute()
    FiguresMemo.objects.bulk_create(
        [FiguresMemo(key=key, epoch=now, data=_encoded(table))],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["epoch", "data"],
    )
    return table
