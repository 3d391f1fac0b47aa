"""Forms of the kiosk pages."""

from __future__ import annotations

from django import forms

from govwatch.core.forms import ALL, ChineseForm

from .models import KioskFault


class FaultForm(ChineseForm):
    category = forms.ChoiceField(label="故障类型", choices=KioskFault.Category.choices)
    description = forms.CharField(
        label="故障描述", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class NoteForm(ChineseForm):
    note = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class FaultFilterForm(ChineseForm):
    status = forms.ChoiceField(label="状态", choices=ALL + KioskFault.Status.choices, required=False)
    late = forms.BooleanField(label="仅超期", required=False)
