"""季度考核: the quarterly assessment of responsible units (govwatch.rectification.figures), for the
units a user may see, with its formula beside it."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.orgs.models import Unit
from govwatch.rectification.figures import (
    FORMULA,
    bulletin_section,
    quarter_bounds,
    quarter_of,
    quarterly_scores,
)


class QuarterForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"min_value": "年度不正确", "max_value": "年度不正确"})  # fmt: skip
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


@member_required
def assessment(request: HttpRequest) -> HttpResponse:
    year, quarter = quarter_of(timezone.localdate())
    form = QuarterForm(request.GET or None, initial={"year": year, "quarter": quarter})
    scores = None
    if not form.is_bound or form.is_valid():
        if form.is_bound:
            year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        scores = quarterly_scores(year, quarter, units=Unit.objects.visible_to(scope(request.user)))
    first, last = quarter_bounds(year, quarter)
    # 月通报: the section of last month's bulletin (a month is reported once it is over).
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    bulletin = bulletin_section(last_month, units=Unit.objects.visible_to(scope(request.user)))
    return render(request, "reports/rectification.html", {
        "nav": "reports", "form": form, "scores": scores, "formula": FORMULA, "year": year, "quarter": quarter,
        "first": first, "last": last, "bulletin": bulletin,
    }, status=200 if scores is not None else 400)  # fmt: skip
