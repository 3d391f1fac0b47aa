"""Forms of the clue register, in Chinese."""

from __future__ import annotations

from django import forms

from govwatch.evaluations.forms import ChineseForm, ScopedForm, _text, _unit_field

from .models import Clue

# The sources a supervisor registers by hand (the public page registers its own).
HAND_SOURCES = [c for c in Clue.Source.choices if c[0] != Clue.Source.PUBLIC]


class RegisterForm(ScopedForm):
    source = forms.ChoiceField(label="来源", choices=HAND_SOURCES)
    field = forms.ChoiceField(label="领域", choices=Clue.Field.choices)
    unit = _unit_field("被反映单位")
    subject = forms.CharField(label="被反映人或事项", max_length=200, required=False)
    summary = forms.CharField(label="线索摘要", max_length=200, error_messages={"required": "请填写线索摘要"})
    details = _text("线索内容", rows=6)
    complaint = forms.IntegerField(widget=forms.HiddenInput, required=False)
    call = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssessForm(ChineseForm):
    decision = forms.ChoiceField(label="研判意见", choices=Clue.Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "请选择研判意见"})  # fmt: skip
    text = _text("研判情况", rows=3)


class TransferForm(ChineseForm):
    to = forms.CharField(label="移送机关", max_length=200, required=False, help_text="默认为本地区纪委监委")
    note = _text("移送说明", rows=2, required=False)


class ConcludeForm(ChineseForm):
    outcome = forms.ChoiceField(label="处置结果", choices=Clue.Outcome.choices)
    text = _text("处置情况", rows=3)


class FilterForm(ChineseForm):
    status = forms.ChoiceField(label="状态", choices=[("", "全部")] + Clue.Status.choices, required=False)
    source = forms.ChoiceField(label="来源", choices=[("", "全部")] + Clue.Source.choices, required=False)
    field = forms.ChoiceField(label="领域", choices=[("", "全部")] + Clue.Field.choices, required=False)
