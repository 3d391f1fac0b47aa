"""Forms of the negative-review and letter pages: filters in by GET, steps in by POST, in Chinese.

Units are chosen by their codes from the user's scope, so a form can never name a unit the user
may not see. Evidence files are checked like the replies to supervision orders.
"""

from __future__ import annotations

from datetime import date

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.core.choices import EvalChannel, EvalLevel
from govwatch.core.forms import ALL, DATE, MONTH, AttachmentsField, ChineseForm, DateField, files_read
from govwatch.orgs.forms import UnitSearchField
from govwatch.orgs.models import Unit

from .models import Letter, RectificationTask

Task = RectificationTask
MAX_TEXT = 5000


def _unit_field(label: str, required: bool = False) -> UnitSearchField:
    # Typed, with the browser's suggestions: a province has thousands of units.
    return UnitSearchField(
        Unit.objects.none(), to_field_name="code", required=required, label=label,
        empty_label="请选择单位" if required else "全部单位",
        error_messages={"invalid_choice": "没有这个单位，或不在您的查看范围内", "required": "请选择单位"},
    )  # fmt: skip


def _text(label: str, rows: int = 4, required: bool = True, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message or f"请填写{label}", "max_length": f"{label}不能超过 {MAX_TEXT} 字"},
    )  # fmt: skip


class ScopedForm(ChineseForm):
    """A form whose unit choices are the user's scope."""

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker), cleaned to its first day."""

    widget = MONTH

    def to_python(self, value) -> date | None:
        text = super().to_python(value).strip()
        if not text:
            return None
        try:
            year, month = (int(p) for p in text.split("-"))
            return date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError("月份格式应为 YYYY-MM，例如 2026-03") from exc


class TaskFilterForm(ScopedForm):
    status = forms.ChoiceField(label="状态", choices=ALL + Task.Status.choices, required=False)
    unit = _unit_field("责任单位（含下级）")
    month = MonthField(label="受理月份", required=False)
    overdue = forms.BooleanField(label="仅看逾期", required=False)


class EvaluationFilterForm(ScopedForm):
    """The staff's list of evaluations (好差评台账); the supervisors open it on their
    special-supervision list (专项督导: `rules.is_supervised`)."""

    SUPERVISED, NEGATIVE = "supervised", "negative"
    RANGES = [("", "全部评价"), (SUPERVISED, "专项督导（一般及不满意）"), (NEGATIVE, "差评（不满意）")]

    range = forms.ChoiceField(label="范围", choices=RANGES, required=False)
    unit = _unit_field("单位（含下级）")
    level = forms.TypedChoiceField(
        label="评价等级", choices=ALL + EvalLevel.choices, coerce=int, empty_value=None, required=False
    )
    channel = forms.ChoiceField(label="评价渠道", choices=ALL + EvalChannel.choices, required=False)
    date_from = DateField(label="评价日期自", widget=DATE, required=False)
    date_to = DateField(label="至", widget=DATE, required=False)
    without_upheld = forms.BooleanField(label="不含申诉成立", required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("开始日期不能晚于结束日期")
        return data


class EvidenceForm(ChineseForm):
    """A step with evidence files attached."""

    attachments = AttachmentsField()

    def files_read(self) -> list[tuple[str, bytes]]:
        return files_read(self.cleaned_data["attachments"])


class VerifyForm(EvidenceForm):
    substantiated = forms.TypedChoiceField(
        label="核实结论", choices=[("1", "属实"), ("0", "不属实")], coerce=lambda v: v == "1",
        widget=forms.RadioSelect, error_messages={"required": "请选择核实结论"},
    )  # fmt: skip
    finding = _text("核实情况")
    field_order = ["substantiated", "finding", "attachments"]


class RectifyForm(EvidenceForm):
    measures = _text("整改措施")
    field_order = ["measures", "attachments"]


class CallbackForm(EvidenceForm):
    result = forms.ChoiceField(
        label="回访结果", choices=Task.Callback.choices, widget=forms.RadioSelect,
        error_messages={"required": "请选择回访结果"},
    )  # fmt: skip
    note = _text("回访情况", rows=3, message="请填写回访情况（时间、方式、群众意见）")
    field_order = ["result", "note", "attachments"]


class AppealForm(EvidenceForm):
    reason = _text("申诉理由", message="请填写申诉理由并附上证明材料")
    field_order = ["reason", "attachments"]


class AcceptForm(ChineseForm):
    comment = _text("审核意见", rows=2, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = "可不填，默认为“审核通过，整改办结”"


class SendBackForm(ChineseForm):
    comment = _text("退回理由", rows=2, message="退回时请说明理由")


class DecideAppealForm(ChineseForm):
    decision = forms.ChoiceField(
        label="复核结论", choices=Task.Appeal.choices, widget=forms.RadioSelect,
        error_messages={"required": "请选择复核结论"},
    )  # fmt: skip
    comment = _text("复核意见", rows=3)


class LetterFilterForm(ScopedForm):
    kind = forms.ChoiceField(label="类型", choices=ALL + Letter.Kind.choices, required=False)
    status = forms.ChoiceField(label="状态", choices=ALL + Letter.Status.choices, required=False)
    unit = _unit_field("收文单位（含下级）")


class NewLetterForm(ScopedForm):
    kind = forms.ChoiceField(label="类型", choices=Letter.Kind.choices)
    unit = _unit_field("收文单位", required=True)
    date_from = DateField(label="问题期间自", widget=DATE, error_messages={"required": "请填写开始日期"})
    date_to = DateField(label="问题期间至", widget=DATE, error_messages={"required": "请填写结束日期"})

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("问题期间的开始日期不能晚于结束日期")
        return data


class EditLetterForm(ChineseForm):
    subject = forms.CharField(label="标题", max_length=200, error_messages={"required": "标题不能为空"})
    body = forms.CharField(
        label="正文", max_length=20000, widget=forms.Textarea(attrs={"rows": 24}),
        error_messages={"required": "正文不能为空", "max_length": "正文不能超过 20000 字"},
    )  # fmt: skip


class LetterReplyForm(ChineseForm):
    measures = _text("整改措施")
    institution = _text("建章立制", required=False)

    def __init__(self, *args, letter: Letter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if letter.kind == Letter.Kind.RECOMMENDATION:
            self.fields["institution"].required = True
            self.fields["institution"].error_messages["required"] = "请填写建立完善的制度机制（建章立制）"
        self.fields["institution"].help_text = "针对问题根源建立或完善的制度机制"


class LetterCloseForm(ChineseForm):
    comment = _text("办结意见", rows=2, required=False)


class LetterReturnForm(ChineseForm):
    comment = _text("退回理由", rows=2, message="退回时请说明理由")
