"""统计报表: the figures of contract section 4 (and GovWatch's closed-loop figures and ranking of
negative reasons) for the units a user may see, and their exports.

The page shows one level of the org tree at a time (govwatch.figures.read.level_rows: each unit with
its sub-units, 含下级, and its own figures), so it stays small at province scale; the CSV and XLSX
exports are the full table of `kpi_rows` for the same unit's subtree. Both are limited to
`Unit.objects.visible_to(scope(user))`: a unit's staff see their subtree and its total, leaders and
supervisors of the region see everything.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import Scope, scope
from govwatch.complaints import figures as complaint_figures
from govwatch.core import tree
from govwatch.core.choices import EvalLevel
from govwatch.figures.fold import COMPLAINT_VALUES
from govwatch.figures.read import LevelRows, complaint_table, level_rows, unit_filter
from govwatch.orgs.models import Unit

from .exports import CONTENT_TYPES, export_file
from .figures import (
    TOTAL,
    TOTAL_NAME,
    Period,
    channel_rows,
    kpi_rows,
    selected_units,
    top_negative_tags,
)
from .forms import ReportForm, this_month


def _form(request: HttpRequest) -> ReportForm:
    date_from, date_to = this_month(timezone.localdate())
    return ReportForm(
        request.GET or None, user=request.user, initial={"date_from": date_from, "date_to": date_to}
    )


def _selection(form: ReportForm) -> tuple[date, date, str | None] | None:
    """(from, to, unit code) of a valid or unbound form (then the defaults); None when invalid."""
    if not form.is_bound:
        return form.initial["date_from"], form.initial["date_to"], None
    if not form.is_valid():
        return None
    unit = form.cleaned_data["unit"]
    return form.cleaned_data["date_from"], form.cleaned_data["date_to"], unit.code if unit else None


def shortcuts(today: date) -> list[tuple[str, date, date]]:
    """本月, 上月, 本季, 本年: (label, from, to); the current ones end today."""
    month = today.replace(day=1)
    last_month_end = month - timedelta(days=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return [
        ("本月", month, today),
        ("上月", last_month_end.replace(day=1), last_month_end),
        ("本季", quarter, today),
        ("本年", today.replace(month=1, day=1), today),
    ]


def _trail(parent: Unit | None, units) -> list[Unit]:
    """The visible ancestors of `parent`, from the top down, for the drill-down's way back."""
    if parent is None:
        return []
    codes = tree.codes(parent.path)[:-1]
    found = {u.code: u for u in units.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def _single_top(mine: Scope) -> Unit | None:
    """The one unit at the top of what the user sees (the region's root, a unit's own), if one."""
    if mine.path is None:
        return None
    if not mine.everything:
        # A scope is the subtree of the unit at its path.
        return Unit.objects.filter(path=mine.path).first()
    tops = list(Unit.objects.filter(parent__isnull=True)[:2])
    return tops[0] if len(tops) == 1 else None


def _complaint_rows(level: LevelRows, date_from: date, date_to: date) -> tuple[list[dict], dict]:
    """The complaints' figures (govwatch.complaints.figures) of the level shown, each unit with its
    sub-units, and their total, for the complaints table of the page."""
    names = COMPLAINT_VALUES
    rolled, total = level.read(partial(complaint_table, Period(date_from, date_to)))

    def figures(values) -> dict[str, Any]:
        return complaint_figures.row(dict(zip(names, values.tolist(), strict=True)))

    rows = [
        {"unit_code": r.unit.code, "unit_name": r.unit.name, **figures(rolled[i])}
        for i, r in enumerate(level.rows)
    ]
    return rows, {"unit_code": TOTAL, "unit_name": TOTAL_NAME, **figures(total)}


@member_required
def kpi(request: HttpRequest) -> HttpResponse:
    """One level of the tree at a time: each unit below the chosen one (at first, the top of what
    the user sees) with its figures including its sub-units (含下级) and, beside them, its own;
    a unit with sub-units opens the next level. The full table of every unit is the export."""
    form = _form(request)
    context: dict[str, Any] = {"nav": "reports", "form": form}
    selection = _selection(form)
    if selection is not None:
        date_from, date_to, unit_code = selection
        mine = scope(request.user)
        units = Unit.objects.visible_to(mine)
        parent = units.get(code=unit_code) if unit_code else _single_top(mine)
        level = level_rows(parent, date_from, date_to, units)
        selection_units = selected_units(unit_code, units)
        keep = {"unit": unit_code} if unit_code else {}
        # The whole region (a region's office) is read with no unit filter at all.
        only = (
            None if unit_code is None and Unit.objects.all_visible_to(mine) else unit_filter(selection_units)
        )
        complaint_rows, complaint_total = _complaint_rows(level, date_from, date_to)
        context.update(
            date_from=date_from,
            date_to=date_to,
            level=level,
            rows=complaint_rows,
            total=complaint_total,
            trail=_trail(parent, units),
            period_links=[
                (
                    label,
                    f"?{urlencode({'date_from': f, 'date_to': t, **keep})}",
                    (f, t) == (date_from, date_to),
                )
                for label, f, t in shortcuts(timezone.localdate())
            ],
            period_query=urlencode({"date_from": date_from, "date_to": date_to}),
            # From the channel table's month rows: any period, a year as cheaply as a month.
            channels=channel_rows(Period(date_from, date_to), only),
            level_labels=[level.label for level in EvalLevel],
            top_tags=top_negative_tags(date_from, date_to, None if only is None else selection_units),
            query=request.GET.urlencode() or urlencode({"date_from": date_from, "date_to": date_to}),
        )
    return render(request, "reports/kpi.html", context, status=200 if selection is not None else 400)


@member_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    form = _form(request)
    selection = _selection(form)
    if selection is None:
        return render(request, "reports/kpi.html", {"nav": "reports", "form": form}, status=400)
    date_from, date_to, unit_code = selection
    rows = kpi_rows(date_from, date_to, unit_code, units_qs=Unit.objects.visible_to(scope(request.user)))
    content = export_file(fmt, date_from, date_to, rows, unit_code, for_people=True)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = (
        f"统计报表_{date_from.isoformat()}_{date_to.isoformat()}{f'_{unit_code}' if unit_code else ''}.{fmt}"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
