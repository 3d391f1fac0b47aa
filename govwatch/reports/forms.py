"""The report's period and unit, from GET parameters, so that a report has a shareable address."""

from __future__ import annotations

from datetime import date

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.core.forms import DATE, DateField
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit


def this_month(today: date) -> tuple[date, date]:
    """The default period: this month up to today, so that "overdue at the end" means now."""
    return today.replace(day=1), today


class ReportForm(forms.Form):
    date_from = DateField(label="开始日期", widget=DATE)
    date_to = DateField(label="结束日期", widget=DATE)
    unit = UnitChoiceField(
        Unit.objects.none(),
        to_field_name="code",
        required=False,
        label="单位（含下级）",
        empty_label="全部单位",
        error_messages={"invalid_choice": "没有这个单位，或不在您的查看范围内"},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(scope(user)).only("code", "name", "path").order_by("path")
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("开始日期不能晚于结束日期")
        return data
