"""The forms of the leaders' pages: a month and a unit (bulletins), the ranking's weights, the
office's words of a bulletin."""

from __future__ import annotations

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.core.forms import MONTH, ChineseForm
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .models import COMPONENTS, Bulletin


def _units(user):
    return Unit.objects.visible_to(scope(user)).only("code", "name", "path").order_by("path")


class NewBulletinForm(ChineseForm):
    month = forms.DateField(label="月份", widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d"])
    unit = UnitChoiceField(
        Unit.objects.none(),
        to_field_name="code",
        required=False,
        label="范围",
        empty_label="全区",
        error_messages={"invalid_choice": "没有这个单位，或不在您的查看范围内"},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user)


class WeightsForm(ChineseForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code, label, _default in COMPONENTS:
            self.fields[code] = forms.IntegerField(label=label, min_value=0, max_value=1000)

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not any(data.get(code) for code, _l, _d in COMPONENTS):
            raise forms.ValidationError("至少有一项权重大于 0")
        return data


class BulletinWordsForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["organ", "title", "addressee", "summary", "requirements"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 8}),
            "requirements": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "summary": "通报开头的总体情况，每段一行；数字取自本月指标，可修改措辞",
            "requirements": "下步工作要求，每段一行",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
