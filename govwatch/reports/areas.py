"""Figures of the other areas per unit and period, beside those of contract section 4: what the
ranking, the big screen and the bulletin add to the cases' and evaluations' figures.

- complaints: complaints whose `at` is in the period, under the unit they name, or else the unit of
  the case they concern (a complaint naming neither counts for the region only).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce

from govwatch.complaints.models import Complaint
from govwatch.orgs.models import Unit

from .figures import Period


def complaints_in(date_from: date, date_to: date, units: QuerySet[Unit] | None = None) -> QuerySet[Complaint]:
    """The complaints of the period about `units` (None: every complaint of the region)."""
    period = Period(date_from, date_to)
    complaints = Complaint.objects.filter(at__gte=period.start, at__lt=period.end)
    if units is not None:
        complaints = complaints.annotate(about=Coalesce("unit", "case__unit")).filter(
            about__in=units.values("pk")
        )
    return complaints


def complaint_counts(date_from: date, date_to: date, units: QuerySet[Unit] | None = None) -> dict[int, int]:
    """Unit id -> complaints of the period about it."""
    counts: dict[int, int] = defaultdict(int)
    rows = (
        complaints_in(date_from, date_to, units)
        .annotate(about_unit=Coalesce("unit", "case__unit"))
        .order_by()
        .values_list("about_unit")
        .annotate(n=Count("pk"))
    )
    for unit_id, n in rows:
        if unit_id is not None:
            counts[unit_id] += n
    return dict(counts)
