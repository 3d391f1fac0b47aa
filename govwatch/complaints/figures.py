"""Complaint figures per unit and period (GovWatch's extension of the contract's figures, appended
after them in `govwatch report kpi` and shown on the reports page).

For a period [from, to] (local dates, both included), under the complaint's unit (the unit that
handles it; a complaint not yet triaged counts nowhere until it is):
- complaints_received: complaints whose `at` is in the period;
- complaint_matters: of those, the first complaint of each matter (not a repeat, contract section 7:
  a matter is counted once);
- complaint_repeats: of those, the repeats;
- complaints_closed: complaints closed in the period; complaints_closed_on_time: of those, closed on
  or before their deadline; complaint_on_time_rate = on time / closed;
- complaints_substantiated: of the closed complaints and reports with a finding, those found
  substantiated or partly substantiated (complaints_found: with a finding at all);
- complaint_callbacks: complaints closed in the period whose complainant was reached at the
  callback (satisfied, basically or not satisfied; "unreachable" is not a callback);
  complaint_callbacks_satisfied: of those, satisfied or basically satisfied;
  complaint_satisfaction_rate = satisfied / callbacks.
A rate whose denominator is 0 is None.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from govwatch.core.bulk import plain_dicts
from govwatch.core.localtime import local_date, local_tz

from .models import Complaint

FIGURES = (
    "complaints_received",
    "complaint_matters",
    "complaint_repeats",
    "complaints_closed",
    "complaints_closed_on_time",
    "complaint_on_time_rate",
    "complaints_substantiated",
    "complaint_substantiated_rate",
    "complaint_callbacks",
    "complaint_callbacks_satisfied",
    "complaint_satisfaction_rate",
)
RATES = frozenset({"complaint_on_time_rate", "complaint_substantiated_rate", "complaint_satisfaction_rate"})
LABELS = {
    "complaints_received": "投诉受理量",
    "complaint_matters": "投诉事项数",
    "complaint_repeats": "重复投诉数",
    "complaints_closed": "投诉办结量",
    "complaints_closed_on_time": "投诉按期办结量",
    "complaint_on_time_rate": "投诉按期办结率",
    "complaints_substantiated": "投诉属实数",
    "complaint_substantiated_rate": "投诉属实率",
    "complaint_callbacks": "投诉回访数",
    "complaint_callbacks_satisfied": "回访满意数",
    "complaint_satisfaction_rate": "投诉回访满意率",
}
# The counts behind the figures (summed for a total, then the rates recomputed).
COUNTS = (
    "complaints_received",
    "complaint_matters",
    "complaint_repeats",
    "complaints_closed",
    "complaints_closed_on_time",
    "complaints_found",
    "complaints_substantiated",
    "complaint_callbacks",
    "complaint_callbacks_satisfied",
)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def counts(start: datetime, end: datetime, only: QuerySet | None = None) -> dict[int, dict[str, int]]:
    """{unit id: {count: n}} for the moments [start, end) and the units `only` (None: all)."""
    base = Complaint.objects.filter(unit__isnull=False)
    if only is not None:
        base = base.filter(unit__in=only)
    result: dict[int, dict[str, int]] = {}
    received = _received(base, start, end)
    reached = ~Q(callback_result="") & ~Q(callback_result=Complaint.Callback.UNREACHABLE)
    closed = (
        base.filter(status=Complaint.Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .order_by()
        .values("unit")
        .annotate(
            complaints_closed=Count("pk"),
            complaints_closed_on_time=Count("pk", filter=Q(closed_on_time=True)),
            complaints_found=Count("pk", filter=~Q(finding="")),
            complaints_substantiated=Count(
                "pk", filter=Q(finding__in=[Complaint.Finding.SUBSTANTIATED, Complaint.Finding.PARTLY])
            ),
            complaint_callbacks=Count("pk", filter=reached),
            complaint_callbacks_satisfied=Count(
                "pk", filter=Q(callback_result__in=list(Complaint.SATISFIED))
            ),
        )
    )
    for rows in (received, closed):
        for row in plain_dicts(rows):
            result.setdefault(row.pop("unit"), {}).update(row)
    return result


def _received(base: QuerySet, start: datetime, end: datetime) -> QuerySet:
    return (
        base.filter(at__gte=start, at__lt=end)
        .order_by()
        .values("unit")
        .annotate(
            complaints_received=Count("pk"),
            complaint_matters=Count("pk", filter=Q(repeat_of__isnull=True)),
            complaint_repeats=Count("pk", filter=Q(repeat_of__isnull=False)),
        )
    )


def stale_days(
    complaints: Iterable[tuple[int | None, datetime, datetime | None] | None],
) -> list[tuple[int, date]]:
    """The (unit id, local day) marks (govwatch.cases.stale) of complaints given as (unit, at,
    closed_at) whose counts changed: under its unit, the day it was received and the day it was
    closed. A change marks the complaint as it was and as it is (a send-back moves it off a unit)."""
    tz = local_tz()
    marks = []
    for complaint in complaints:
        if complaint is None or complaint[0] is None:
            continue
        unit_id, at, closed_at = complaint
        marks.append((unit_id, local_date(at, tz)))
        if closed_at is not None:
            marks.append((unit_id, local_date(closed_at, tz)))
    return marks


def counts_by_month(
    complaints: QuerySet, since: datetime, month_of: Callable[[datetime], date]
) -> dict[tuple[int, date], list[int]]:
    """COUNTS, in their order, of each unit and month (`month_of` a moment: its month's first day) of
    `complaints` received or closed from `since` on, counted as `counts` counts them over a period,
    one complaint at a time: what the pre-computed figures (govwatch.figures) keep per month."""
    out: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    handled = complaints.filter(unit__isnull=False).order_by()
    for unit_id, at, repeat_of in handled.filter(at__gte=since).values_list("unit", "at", "repeat_of"):
        row = out[unit_id, month_of(at)]
        row[0] += 1
        row[1 if repeat_of is None else 2] += 1
    closed = handled.filter(status=Complaint.Status.CLOSED, closed_at__gte=since)
    substantiated = (Complaint.Finding.SUBSTANTIATED, Complaint.Finding.PARTLY)
    for unit_id, closed_at, on_time, finding, callback in closed.values_list(
        "unit", "closed_at", "closed_on_time", "finding", "callback_result"
    ):
        row = out[unit_id, month_of(closed_at)]
        row[3] += 1
        row[4] += on_time is True
        row[5] += finding != ""
        row[6] += finding in substantiated
        row[7] += callback not in ("", Complaint.Callback.UNREACHABLE)
        row[8] += callback in Complaint.SATISFIED
    return out


def row(c: dict[str, int]) -> dict[str, Any]:
    """The figures of one row from its counts."""
    return {
        "complaints_received": c["complaints_received"],
        "complaint_matters": c["complaint_matters"],
        "complaint_repeats": c["complaint_repeats"],
        "complaints_closed": c["complaints_closed"],
        "complaints_closed_on_time": c["complaints_closed_on_time"],
        "complaint_on_time_rate": _rate(c["complaints_closed_on_time"], c["complaints_closed"]),
        "complaints_substantiated": c["complaints_substantiated"],
        "complaint_substantiated_rate": _rate(c["complaints_substantiated"], c["complaints_found"]),
        "complaint_callbacks": c["complaint_callbacks"],
        "complaint_callbacks_satisfied": c["complaint_callbacks_satisfied"],
        "complaint_satisfaction_rate": _rate(c["complaint_callbacks_satisfied"], c["complaint_callbacks"]),
    }
