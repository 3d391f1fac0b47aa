from __future__ import annotations

from django import forms

from govwatch.core.forms import ALL, DATE, MONTH, ChineseForm, MultipleFileField
from govwatch.supervision.forms import ScopedForm
from govwatch.supervision.forms import _unit_field as unit_field

from .progress import State


class ProjectFilterForm(ScopedForm):
    state = forms.ChoiceField(label="状态", required=False, choices=ALL + list(State.LABELS.items()))
    unit = unit_field("责任单位（含下级）")
    q = forms.CharField(label="项目名称或编号", required=False, max_length=100)


class MilestoneForm(ChineseForm):
    actual_date = forms.DateField(label="实际完成日期", widget=DATE, required=False)
    note = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.TextInput(attrs={"placeholder": "说明"})
    )


class ReportForm(ChineseForm):
    month = forms.DateField(label="月份", widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d"])
    percent = forms.IntegerField(label="累计完成进度（%）", min_value=0, max_value=100)
    invested = forms.DecimalField(
        label="累计完成投资（万元）", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    text = forms.CharField(label="本月进展", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    problems = forms.CharField(
        label="存在问题", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    photos = MultipleFileField(
        label="现场照片（JPG 或 PNG，可多选）", required=False,
        widget=MultipleFileField.widget(attrs={"accept": "image/jpeg,image/png"}),
    )  # fmt: skip


class LetterEditForm(ChineseForm):
    subject = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 12}), max_length=20000)


class LetterReplyForm(ChineseForm):
    reply = forms.CharField(
        label="滞后原因、整改措施和完成时限", widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )


class LetterCloseForm(ChineseForm):
    comment = forms.CharField(label="审核意见", required=False, max_length=2000)


class LetterReturnForm(ChineseForm):
    comment = forms.CharField(label="退回理由", max_length=2000)
