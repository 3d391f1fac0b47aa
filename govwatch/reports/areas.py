"""Figures of the other areas per unit and period, beside those of contract section 4: what the
ranking, the big screen and the bulletin add to the cases' and evaluations' figures.

- complaints: as `govwatch report kpi` counts them (govwatch.complaints.figures): under the unit
  that handles the complaint, by its `at`; a complaint not yet assigned to a unit counts nowhere.
- data checks (双评议, govwatch.checks): the evaluations named as evidence by the findings of the
  period's months that stand (open, or raised for investigation; not dismissed or cleared), under
  the finding's unit.
- accountability (问责, govwatch.accountability): records decided and fixes adopted in the period.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet

from govwatch.accountability.figures import AccountabilityFigures, accountability_figures
from govwatch.checks.models import Evidence, Finding, Kind
from govwatch.complaints.models import Complaint
from govwatch.orgs.models import Unit

from .figures import Period

STANDING_FINDINGS = (Finding.Status.OPEN, Finding.Status.RAISED)


def complaints_in(date_from: date, date_to: date, units: QuerySet[Unit] | None = None) -> QuerySet[Complaint]:
    """The complaints of the period handled by `units` (None: every unit of the region)."""
    period = Period(date_from, date_to)
    complaints = Complaint.objects.filter(at__gte=period.start, at__lt=period.end, unit__isnull=False)
    return complaints if units is None else complaints.filter(unit__in=units.values("pk"))


def suspect_evaluations(
    date_from: date, date_to: date, units: QuerySet[Unit] | None = None
) -> dict[int, int]:
    """Unit id -> evaluations named by the standing findings of the months of the period."""
    evidence = Evidence.objects.filter(
        cleared=False,
        finding__status__in=STANDING_FINDINGS,
        finding__month__gte=date_from.replace(day=1),
        finding__month__lte=date_to,
    )
    if units is not None:
        evidence = evidence.filter(finding__unit__in=units.values("pk"))
    rows = evidence.order_by().values_list("finding__unit").annotate(n=Count("eval_id", distinct=True))
    return {unit_id: n for unit_id, n in rows if unit_id is not None}


def findings_by_kind(
    date_from: date, date_to: date, units: QuerySet[Unit] | None = None
) -> list[tuple[str, int, int]]:
    """(kind's label, findings standing, findings raised for investigation) of the period's months."""
    findings = Finding.objects.filter(
        month__gte=date_from.replace(day=1), month__lte=date_to, status__in=STANDING_FINDINGS
    )
    if units is not None:
        findings = findings.filter(unit__in=units.values("pk"))
    counts: dict[tuple[str, str], int] = {
        (kind, status): n
        for kind, status, n in findings.order_by().values_list("kind", "status").annotate(n=Count("pk"))
    }
    return [
        (str(kind.label), sum(counts.get((kind.value, s), 0) for s in STANDING_FINDINGS),
         counts.get((kind.value, Finding.Status.RAISED), 0))
        for kind in Kind
    ]  # fmt: skip


def accountability(
    date_from: date, date_to: date, units: QuerySet[Unit] | None = None
) -> AccountabilityFigures:
    return accountability_figures(date_from, date_to, units.values("pk") if units is not None else None)
