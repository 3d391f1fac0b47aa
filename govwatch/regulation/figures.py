"""The figures of Internet-plus regulation for a period [from, to], per department and in total,
each rule one function:

- coverage (监管事项覆盖率) = items with at least one supervision action in the period / items;
- random_coverage (双随机、一公开覆盖率) = items on the double-random list with at least one
  double-random action in the period / items on that list;
- items are those on the list at the end of the period: returned items (退回事项) are counted
  apart, by reason, and in no rate;
- actions and joint actions (联合监管) in the period; officers with a certificate and those of them
  registered in the system.

A rate whose denominator is 0 is None (shown as —), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from govwatch.orgs.models import Unit

from .models import ActionKind, EnforcementOfficer, RegulatoryItem, ReturnReason, SupervisionAction


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Row:
    unit_code: str
    unit_name: str
    items: int = 0
    covered: int = 0
    random_items: int = 0
    random_covered: int = 0
    returned: dict[str, int] = field(default_factory=lambda: {r.value: 0 for r in ReturnReason})
    actions: int = 0
    joint_actions: int = 0
    officers: int = 0
    certified: int = 0
    registered: int = 0

    @property
    def coverage(self) -> float | None:
        return rate(self.covered, self.items)

    @property
    def random_coverage(self) -> float | None:
        return rate(self.random_covered, self.random_items)

    @property
    def registration_rate(self) -> float | None:
        return rate(self.registered, self.certified)

    def add(self, other: Row) -> None:
        for name in ("items", "covered", "random_items", "random_covered", "actions", "joint_actions",
                     "officers", "certified", "registered"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, n in other.returned.items():
            self.returned[reason] += n

    def document(self) -> dict:
        return {
            "unit_code": self.unit_code, "items": self.items, "covered": self.covered, "coverage": self.coverage,
            "random_items": self.random_items, "random_covered": self.random_covered,
            "random_coverage": self.random_coverage, "returned": dict(self.returned), "actions": self.actions,
            "joint_actions": self.joint_actions, "officers": self.officers, "certified": self.certified,
            "registered": self.registered, "registration_rate": self.registration_rate,
        }  # fmt: skip


def listed(items: QuerySet[RegulatoryItem], day: date) -> QuerySet[RegulatoryItem]:
    """Items on the list on `day`: not returned, or returned after it."""
    return items.filter(Q(return_reason="") | Q(returned_on__gt=day))


def covered(items: QuerySet[RegulatoryItem], date_from: date, date_to: date, kind: str | None = None):
    """Of `items`, those with at least one supervision action (of `kind`) in the period."""
    actions = SupervisionAction.objects.filter(on__gte=date_from, on__lte=date_to)
    if kind:
        actions = actions.filter(kind=kind)
    return items.filter(pk__in=actions.values("item_id"))


def figures(units: QuerySet[Unit], date_from: date, date_to: date) -> tuple[list[Row], Row]:
    """One row per unit of `units` holding regulatory items, actions or officers, and the total."""
    items = RegulatoryItem.objects.filter(unit__in=units)
    # Only the columns a row shows: a province's 16,000 units are not built as model instances
    # (each would decrypt its phone number) for the few dozen that hold regulatory items.
    by_id = {
        pk: (code, name, path) for pk, code, name, path in units.values_list("pk", "code", "name", "path")
    }
    rows: dict[int, Row] = {}

    def row(unit_id: int) -> Row:
        if unit_id not in rows:
            rows[unit_id] = Row(*by_id[unit_id][:2])
        return rows[unit_id]

    on_list = listed(items, date_to)
    for name, qs in (
        ("items", on_list),
        ("covered", covered(on_list, date_from, date_to)),
        ("random_items", on_list.filter(random_check=True)),
        ("random_covered", covered(on_list.filter(random_check=True), date_from, date_to, ActionKind.RANDOM)),
    ):
        for unit_id in qs.values_list("unit_id", flat=True):
            r = row(unit_id)
            setattr(r, name, getattr(r, name) + 1)
    returned = items.exclude(return_reason="").filter(returned_on__lte=date_to)
    for unit_id, reason in returned.values_list("unit_id", "return_reason"):
        row(unit_id).returned[reason] += 1
    actions = SupervisionAction.objects.filter(unit__in=units, on__gte=date_from, on__lte=date_to)
    for unit_id, joint in actions.values_list("unit_id", "joint"):
        r = row(unit_id)
        r.actions += 1
        r.joint_actions += int(joint)
    officers = EnforcementOfficer.objects.filter(unit__in=units)
    for unit_id, certificate, registered in officers.values_list("unit_id", "certificate_no", "registered"):
        r = row(unit_id)
        r.officers += 1
        r.certified += int(bool(certificate))
        r.registered += int(bool(certificate) and registered)
    total = Row("total", "合计")
    ordered = [rows[pk] for pk in sorted(rows, key=lambda pk: by_id[pk][2])]
    for r in ordered:
        total.add(r)
    return ordered, total
