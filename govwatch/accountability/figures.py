"""The figures of accountability, like the seed's (16 problems, 31 people held accountable, 7 of
them sanctioned, 15 institutional fixes): per unit and in total over a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from .models import AccountabilityRecord, Action, InstitutionalFix


@dataclass
class AccountabilityFigures:
    matters: int = 0
    people: int = 0
    sanctioned: int = 0
    fixes: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    by_unit: dict[int, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"matters": self.matters, "people": self.people, "sanctioned": self.sanctioned, "fixes": self.fixes,
                "by_action": self.by_action}  # fmt: skip


def accountability_figures(
    date_from: date, date_to: date, units: QuerySet | None = None
) -> AccountabilityFigures:
    """Records decided in [date_from, date_to]: the matters they arose from (each counted once),
    the people held accountable, those given a disciplinary sanction (党纪政务处分); and the fixes
    (建章立制) adopted in the period."""
    records = AccountabilityRecord.objects.filter(decided_on__gte=date_from, decided_on__lte=date_to)
    fixes = InstitutionalFix.objects.filter(adopted_on__gte=date_from, adopted_on__lte=date_to)
    if units is not None:
        records, fixes = records.filter(unit__in=units), fixes.filter(unit__in=units)
    figures = AccountabilityFigures(by_action={a.label: 0 for a in Action})
    matters: set[str] = set()
    unit_matters: dict[int, set[str]] = {}
    for r in records.only(*(f.attname for f in AccountabilityRecord._meta.concrete_fields)):
        row = figures.by_unit.setdefault(r.unit_id, {"matters": 0, "people": 0, "sanctioned": 0, "fixes": 0})
        key = r.matter_key
        matters.add(key)
        unit_matters.setdefault(r.unit_id, set()).add(key)
        figures.people += 1
        row["people"] += 1
        figures.by_action[Action(r.action).label] += 1
        if r.sanctioned:
            figures.sanctioned += 1
            row["sanctioned"] += 1
    for unit_id, n in ((u, len(m)) for u, m in unit_matters.items()):
        figures.by_unit[unit_id]["matters"] = n
    for unit_id in fixes.values_list("unit_id", flat=True):
        figures.fixes += 1
        figures.by_unit.setdefault(unit_id, {"matters": 0, "people": 0, "sanctioned": 0, "fixes": 0})[
            "fixes"
        ] += 1
    figures.matters = len(matters)
    return figures
