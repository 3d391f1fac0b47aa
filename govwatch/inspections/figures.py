"""The inspection group's figures, like the seed's (65 checks, 23 problems in 17 units): per unit
and in total over a period, for the units of a selection."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from .models import Inspection, Problem


@dataclass
class InspectionFigures:
    inspections: int = 0
    problems: int = 0
    units_involved: int = 0
    fixed: int = 0
    by_unit: dict[int, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"inspections": self.inspections, "problems": self.problems, "units_involved": self.units_involved,
                "fixed": self.fixed}  # fmt: skip


def inspection_figures(date_from: date, date_to: date, units: QuerySet | None = None) -> InspectionFigures:
    """Inspections conducted in [date_from, date_to], the problems they found, the units those
    problems were in, and how many of the problems are fixed (their feedback form accepted)."""
    inspections = Inspection.objects.filter(conducted_on__gte=date_from, conducted_on__lte=date_to)
    if units is not None:
        inspections = inspections.filter(unit__in=units)
    figures = InspectionFigures()
    for unit_id in inspections.values_list("unit_id", flat=True):
        figures.inspections += 1
        figures.by_unit.setdefault(unit_id, {"inspections": 0, "problems": 0, "fixed": 0})["inspections"] += 1
    involved = set()
    for unit_id, fixed_at in Problem.objects.filter(inspection__in=inspections).values_list(
        "inspection__unit_id", "fixed_at"
    ):
        figures.problems += 1
        involved.add(unit_id)
        row = figures.by_unit[unit_id]
        row["problems"] += 1
        if fixed_at is not None:
            figures.fixed += 1
            row["fixed"] += 1
    figures.units_involved = len(involved)
    return figures
