"""Forms of the callback sampling pages, in Chinese."""

from __future__ import annotations

from django import forms

from govwatch.evaluations.forms import ChineseForm, ScopedForm, _text, _unit_field
from govwatch.web.forms import DATE

from .models import SampledCall


class PlanForm(ScopedForm):
    name = forms.CharField(label="计划名称", max_length=200, error_messages={"required": "请填写计划名称"})
    date_from = forms.DateField(label="期间自", widget=DATE, error_messages={"required": "请填写开始日期"})
    date_to = forms.DateField(label="期间至", widget=DATE, error_messages={"required": "请填写结束日期"})
    evaluation_share = forms.DecimalField(
        label="实名评价抽取比例（%）", min_value=0, max_value=100, decimal_places=2, initial=5,
        error_messages={"min_value": "比例不能小于 0", "max_value": "比例不能大于 100"},
    )  # fmt: skip
    complaint_share = forms.DecimalField(
        label="办结投诉抽取比例（%）", min_value=0, max_value=100, decimal_places=2, initial=10,
        error_messages={"min_value": "比例不能小于 0", "max_value": "比例不能大于 100"},
    )  # fmt: skip
    minimum = forms.IntegerField(label="每个单位至少抽取", min_value=0, max_value=100, initial=1)
    seed = forms.IntegerField(
        label="随机种子（选填）", required=False, min_value=1, max_value=2**31 - 1,
        help_text="留空则随机生成；同一种子对同一批记录总是抽出同样的样本，便于复核",
    )  # fmt: skip
    unit = _unit_field("抽查范围（含下级，默认全区）")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("期间的开始日期不能晚于结束日期")
        return data


class CallForm(ChineseForm):
    outcome = forms.ChoiceField(
        label="回访结果", widget=forms.RadioSelect,
        choices=[c for c in SampledCall.Outcome.choices if c[0] != SampledCall.Outcome.PENDING],
        error_messages={"required": "请选择回访结果"},
    )  # fmt: skip
    note = _text("回访情况", rows=2, required=False)
