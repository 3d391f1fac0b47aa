"""Marks of the unit days whose pre-computed figures are stale (`StaleDay`), written with the facts.

Every writer of the facts behind the figures of contract section 4 (cases and their events,
suspensions, evaluations and their appeals) and of the complaints' figures calls `mark_stale` inside its own transaction with each unit and the
earliest local date whose figures the change may alter: a case's new events from the first new
event's date (its received, completed, on-time and overdue figures from then on), an evaluation
on its own date under its unit and on its case's completion date under the case's unit, an upheld
appeal on its evaluation's date under its unit, an item's new promised days (its open cases
re-derived) from each case's acceptance date, a complaint's change under its unit (before and after)
on the days it was received and closed. The figures
app (govwatch.figures, a floor above) folds the marks; this module only writes them, so the
writers need not import upward.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection

from govwatch.core.bulk import insert_rows

from .models import StaleDay


def mark_stale(marks: Iterable[tuple[int, date]]) -> int:
    """Record (unit id, earliest stale day) pairs, one row per unit (its earliest day); returns how many."""
    earliest: dict[int, date] = {}
    for unit_id, day in marks:
        if unit_id is None or day is None:
            continue
        if unit_id not in earliest or day < earliest[unit_id]:
            earliest[unit_id] = day
    if not earliest:
        return 0
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        insert_rows(cursor, StaleDay, ("unit_id", "day"), [(u, adapt(d)) for u, d in earliest.items()])
    return len(earliest)
