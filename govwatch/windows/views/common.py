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


def period_of(request: HttpRequest, form_class=PeriodForm) -> Period:
    form = form_class(request.GET, user=request.user)
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


def context(request: HttpRequest, section: str, **values) -> dict:
    return {"nav": "windows", "section": section, **values}


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def staff_url(staff_id: int) -> str:
    return reverse("windows:staff-detail", args=[staff_id])
