"""统计报表: the figures of contract section 4 (and GovWatch's closed-loop figures and ranking of
negative reasons) for the units a user may see, and their exports.

The page and its CSV and XLSX exports take the same rows from `kpi_rows`, limited to
`Unit.objects.visible_to(scope(user))`: a unit's staff see their subtree and its total, leaders and supervisors of
the region see everything.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.core.choices import EvalLevel
from govwatch.orgs.models import Unit

from .exports import CONTENT_TYPES, export_file
from .figures import evaluations_by_channel, kpi_rows, selected_units, top_negative_tags
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


@member_required
def kpi(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    context: dict[str, Any] = {"nav": "reports", "form": form}
    selection = _selection(form)
    if selection is not None:
        date_from, date_to, unit_code = selection
        units = Unit.objects.visible_to(scope(request.user))
        *rows, total = kpi_rows(date_from, date_to, unit_code, units_qs=units)
        selection_units = selected_units(unit_code, units)
        paths = dict(selection_units.values_list("code", "path"))
        # Indented from the top of what is shown, which for a unit's staff is not the region's root.
        top = min((path.count("/") for path in paths.values()), default=0)
        for row in rows:
            row["depth"] = paths[row["unit_code"]].count("/") - top
        context.update(
            date_from=date_from,
            date_to=date_to,
            rows=rows,
            total=total,
            channels=evaluations_by_channel(date_from, date_to, unit_code, units_qs=units),
            level_labels=[level.label for level in EvalLevel],
            top_tags=top_negative_tags(date_from, date_to, selection_units),
            query=request.GET.urlencode(),
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
