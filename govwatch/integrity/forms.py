"""Forms of the integrity risk points."""

from __future__ import annotations

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .models import RiskPoint


class ChineseForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


def _unit(label: str, required: bool) -> UnitChoiceField:
    return UnitChoiceField(
        Unit.objects.none(), to_field_name="code", required=required, label=label,
        empty_label="请选择单位" if required else "全部单位",
        error_messages={"required": "请选择单位", "invalid_choice": "没有这个单位，或不在您的范围内"},
    )  # fmt: skip


class RiskForm(ChineseForm):
    unit = _unit("单位（科室）", True)
    post = forms.CharField(label="岗位", max_length=100, error_messages={"required": "请填写岗位"})
    risk = forms.CharField(label="风险点", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "请填写风险点"})  # fmt: skip
    level = forms.ChoiceField(label="风险等级", choices=RiskPoint.Level.choices, widget=forms.RadioSelect,
                              initial=RiskPoint.Level.MEDIUM)  # fmt: skip
    controls = forms.CharField(label="防控措施", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"required": "请填写防控措施"})  # fmt: skip

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")


class ReviewForm(ChineseForm):
    note = forms.CharField(label="复核意见", max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "请填写复核意见（防控措施是否落实、风险是否变化）"})  # fmt: skip


class RiskFilterForm(ChineseForm):
    unit = _unit("单位（含下级）", False)
    level = forms.ChoiceField(
        label="风险等级", choices=[("", "全部"), *RiskPoint.Level.choices], required=False
    )
    due = forms.BooleanField(label="仅看需复核", required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")
