"""What the window pages share: the navigation entry and tabs, the period form, the rows a user sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from govwatch.accounts.permissions import scope
from govwatch.core.tree import subtree
from govwatch.orgs.models import Unit

from ..forms import PeriodForm
from ..models import Staff, Window

# Staff shown at once on the attendance page; the CSV has them all.
PAGE = 50


@dataclass(frozen=True)
class Period:
    form: PeriodForm
    start: date
    end: date
    unit: Unit | None

    @property
    def query(self) -> str:
        """The period as GET parameters, for links that keep it."""
        q = f"date_from={self.start:%Y-%m-%d}&date_to={self.end:%Y-%m-%d}"
        return q + (f"&unit={self.unit.code}" if self.unit else "")


def period_of(request: HttpRequest, form_class=PeriodForm, dates_only: bool = False) -> Period:
    form = form_class(request.GET, user=request.user, dates_only=dates_only)
    start, end, unit = form.period()
    return Period(form, start, end, unit)


def within(rows, period: Period, via: str = "unit"):
    """Rows limited to the chosen unit's subtree (the scope has already limited them)."""
    return rows.filter(subtree(period.unit.path, via)) if period.unit else rows


def visible_windows(request: HttpRequest, period: Period | None = None):
    rows = Window.objects.visible_to(scope(request.user)).select_related("unit")
    return within(rows, period) if period else rows


def visible_staff(request: HttpRequest, period: Period | None = None):
    rows = Staff.objects.visible_to(scope(request.user)).select_related("unit", "window")
    return within(rows, period) if period else rows


def base_unit(request: HttpRequest, period: Period) -> Unit | None:
    """The unit whose children the tables break the figures down by: the chosen one, else the top
    of what the viewer sees."""
    if period.unit:
        return period.unit
    mine = scope(request.user)
    if mine.path is None:
        return None
    if mine.everything:
        roots = list(Unit.objects.filter(parent=None)[:2])
        return roots[0] if len(roots) == 1 else None
    return Unit.objects.filter(path=mine.path).first()


def children_of(base: Unit | None, unit_ids) -> tuple[list[Unit], dict[int, Unit]]:
    """The units one level below `base` (itself included when it has rows of its own) and, for
    each unit id given, the one of them that holds it: figures summed per branch of the tree."""
    units = {u.pk: u for u in Unit.objects.filter(pk__in=set(unit_ids)).only("id", "path", "code", "name")}
    branches = list(Unit.objects.filter(parent=base).order_by("path")) if base else []
    holder: dict[int, Unit] = {}
    for pk, unit in units.items():
        found = next((b for b in branches if unit.path.startswith(b.path)), None)
        holder[pk] = found or (base if base and unit.path.startswith(base.path) else unit)
    shown = [b for b in ([base] if base else []) + branches if b in holder.values()]
    shown += sorted({u for u in holder.values() if u not in shown}, key=lambda u: u.path)
    return shown, holder


def context(request: HttpRequest, section: str, **values) -> dict:
    return {"nav": "windows", "section": section, **values}


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def staff_url(staff_id: int) -> str:
    return reverse("windows:staff-detail", args=[staff_id])
