"""互联网+监管: the figures of a period per department (coverage, double-random coverage, returned
items, supervision and joint actions, registered officers) and the regulatory items with what was
done about each."""

from __future__ import annotations

from datetime import date

from django import forms
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.core.forms import ALL, DATE
from govwatch.core.localtime import local_date
from govwatch.core.tree import subtree
from govwatch.orgs.models import Unit
from govwatch.supervision.forms import ScopedForm
from govwatch.supervision.forms import _unit_field as unit_field
from govwatch.supervision.views.common import paginate

from .figures import figures
from .models import RegulatoryItem, ReturnReason

COVERAGE = [("covered", "本期有监管行为"), ("uncovered", "本期无监管行为"), ("returned", "已退回")]


class PeriodForm(ScopedForm):
    date_from = forms.DateField(label="自", widget=DATE, required=False)
    date_to = forms.DateField(label="至", widget=DATE, required=False)
    unit = unit_field("部门（含下级）")

    def period(self, today: date) -> tuple[date, date]:
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to.replace(month=1, day=1)
        return (date_from, date_to) if date_from <= date_to else (date_to, date_from)


class ItemFilterForm(PeriodForm):
    coverage = forms.ChoiceField(label="监管情况", choices=ALL + COVERAGE, required=False)
    random_check = forms.BooleanField(label="仅双随机事项", required=False)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def coverage_chart(rows) -> dict:
    """An ECharts option: each department's coverage and double-random coverage, in percent."""
    names = [r.unit_name for r in rows]
    return {
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "legend": {"top": 4},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 40, "width": 90, "overflow": "truncate"}},
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {"type": "bar", "name": "监管事项覆盖率", "data": [_percent(r.coverage) for r in rows], "itemStyle": {"color": "#1565c0"}},
            {"type": "bar", "name": "双随机覆盖率", "data": [_percent(r.random_coverage) for r in rows], "itemStyle": {"color": "#ef6c00"}},
        ],
    }  # fmt: skip


def _units(request: HttpRequest, form: PeriodForm):
    units = Unit.objects.visible_to(scope(request.user))
    if form.is_valid() and form.cleaned_data.get("unit"):
        units = units.filter(subtree(form.cleaned_data["unit"].path, ""))
    return units


@member_required
def figures_page(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, user=request.user)
    date_from, date_to = form.period(local_date(timezone.now()))
    rows, total = figures(_units(request, form), date_from, date_to)
    context = {
        "nav": "regulation", "form": form, "rows": rows, "total": total, "date_from": date_from, "date_to": date_to,
        "reasons": ReturnReason.choices, "chart": coverage_chart(rows) if rows else None,
    }  # fmt: skip
    return render(request, "regulation/figures.html", context)


@member_required
def item_list(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET or None, user=request.user)
    date_from, date_to = form.period(local_date(timezone.now()))
    in_period = Q(actions__on__gte=date_from, actions__on__lte=date_to)
    items = (
        RegulatoryItem.objects.filter(unit__in=_units(request, form))
        .select_related("unit")
        .annotate(actions_in_period=Count("actions", filter=in_period), last_action=Max("actions__on"))
    )
    if form.is_valid():
        wanted = form.cleaned_data["coverage"]
        if wanted == "covered":
            items = items.filter(return_reason="", actions_in_period__gt=0)
        elif wanted == "uncovered":
            items = items.filter(return_reason="", actions_in_period=0)
        elif wanted == "returned":
            items = items.exclude(return_reason="")
        if form.cleaned_data["random_check"]:
            items = items.filter(random_check=True)
    context = {
        "nav": "regulation", "form": form, "items": paginate(request, items.order_by("unit__path", "code")),
        "date_from": date_from, "date_to": date_to,
    }  # fmt: skip
    return render(request, "regulation/item_list.html", context)
