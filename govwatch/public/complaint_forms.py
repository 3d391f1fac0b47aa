"""The public forms of complaints and clues: the same guards as the evaluation forms (a honeypot
and a signed stamp of when the form was shown), limits on every field."""

from __future__ import annotations

from django import forms

from govwatch.clues.models import Clue
from govwatch.core.choices import ComplaintKind

from .forms import GuardedForm

MAX_CONTENT = 1000
PHONE = r"^\+?[0-9][0-9\s\-]{6,19}$"
KINDS = [(k.value, k.label) for k in ComplaintKind]


def _content(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_CONTENT}),
        error_messages={"required": f"请填写{label}", "max_length": f"{label}不能超过 {MAX_CONTENT} 字"},
    )  # fmt: skip


def _contact(label: str = "联系电话") -> forms.RegexField:
    return forms.RegexField(
        label=label, regex=PHONE, max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"invalid": "请填写正确的电话号码（手机或座机）"},
    )  # fmt: skip


class PublicComplaintForm(GuardedForm):
    kind = forms.ChoiceField(label="诉求类型", choices=KINDS, initial=ComplaintKind.COMPLAINT,
                             widget=forms.RadioSelect)  # fmt: skip
    content = _content("反映内容")
    case_no = forms.CharField(
        label="业务编号", max_length=64, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text="选填：受理通知书或短信上的业务编号",
    )  # fmt: skip
    contact = _contact()

    def clean_content(self) -> str:
        text = self.cleaned_data["content"].strip()
        if len(text) < 5:
            raise forms.ValidationError("请把情况说清楚一些（至少 5 个字）")
        return text


class PublicClueForm(GuardedForm):
    field = forms.ChoiceField(label="问题领域", choices=Clue.Field.choices, initial=Clue.Field.SERVICE)
    summary = forms.CharField(label="标题", max_length=100, error_messages={"required": "请填写标题",
                                                                         "max_length": "标题不能超过 100 字"})  # fmt: skip
    details = _content("问题线索")
    contact = _contact("联系电话（选填，可匿名）")
