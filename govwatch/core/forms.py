"""What the forms of every area share: Chinese labels without a colon, the "all" choice, the
browser's date and month pickers, and evidence files (several in one field, checked by
govwatch.core.attachments)."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from .attachments import HEAD_BYTES, MAX_ATTACHMENTS, refusal
from .parsing import FIRST_YEAR, LAST_YEAR

ALL = [("", "全部")]
# The browser's date picker reads and writes ISO dates whatever the page's language.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class DateField(forms.DateField):
    """A date a person picks: the browser's picker, within the years GovWatch reads, so that a
    filter "from 0001-01-01" is a message in the form rather than an error of the server."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", DATE)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(f"日期应在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间", code="out_of_range")
        return day


class ChineseForm(forms.Form):
    """Labels as Chinese forms write them: no trailing colon."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


MAX_TEXT = 5000


def text_area(
    label: str, rows: int = 3, required: bool = True, help_text: str = "", limit: int = MAX_TEXT
) -> forms.CharField:
    """A text of some lines, its messages in Chinese: what a step of a record asks the person to write."""
    return forms.CharField(
        label=label, required=required, max_length=limit, widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        error_messages={"required": f"请填写{label}", "max_length": f"{label}不能超过 {limit} 字"},
    )  # fmt: skip


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked on its own."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AttachmentsField(MultipleFileField):
    """Evidence files, each checked against the allow-list before anything is stored, so a refused
    file shows the form again with what was typed."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", "附件（可多选，每个不超过 10 MB）")
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages", {"empty": "不能上传空文件", "invalid": "附件上传不完整，请重新选择文件"}
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        files = super().clean(data, initial)
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(f"一次最多上传 {MAX_ATTACHMENTS} 个附件")
        reasons = []
        for f in files:
            head = f.read(HEAD_BYTES)
            f.seek(0)
            reason = refusal(f.name, head, f.size)
            if reason:
                reasons.append(reason)
        if reasons:
            raise forms.ValidationError(reasons)
        return files


def files_read(files: list[UploadedFile]) -> list[tuple[str, bytes]]:
    """Uploaded files as (name, content), what the `do_*` services take."""
    return [(f.name, f.read()) for f in files]
