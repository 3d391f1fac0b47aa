"""Forms of the rectification pages, in Chinese: filters in by GET, steps in by POST."""

from __future__ import annotations

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.core.attachments import ALLOWED_TEXT
from govwatch.core.forms import DATE, AttachmentsField, ChineseForm, files_read
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .models import APPROVER_ROLES, Source

ALL = [("", "全部")]
MAX_TEXT = 5000
STATES = [("owed", "整改中（含反弹）"), ("overdue", "已逾期"), ("due_soon", "3个工作日内到期"),
          ("returned", "被退回待补充"), ("submitted", "待销号审核"), ("signed_off", "已销号"), ("lookback", "回头看到期")]  # fmt: skip


def _text(label: str, rows: int = 3, required: bool = True, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message or f"请填写{label}", "max_length": f"{label}不能超过 {MAX_TEXT} 字"},
    )  # fmt: skip


class ProblemFilterForm(ChineseForm):
    state = forms.ChoiceField(label="状态", choices=ALL + STATES, required=False)
    unit = UnitChoiceField(
        Unit.objects.none(), to_field_name="code", required=False, label="责任单位（含下级）", empty_label="全部单位",
        error_messages={"invalid_choice": "没有这个单位，或不在您的查看范围内"},
    )  # fmt: skip
    source = forms.ChoiceField(label="来源", choices=ALL + Source.choices, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")


class EvidenceForm(ChineseForm):
    # Checked against the kernel's allow-list (govwatch.core.attachments) before anything is kept.
    attachments = AttachmentsField(label=f"佐证材料（{ALLOWED_TEXT}，可多选，每个不超过 10 MB）")

    def files_read(self) -> list[tuple[str, bytes]]:
        return files_read(self.cleaned_data["attachments"])


class ProgressForm(EvidenceForm):
    # Several forms share one page: a prefix each keeps their fields' ids apart.
    prefix = "progress"
    text = _text("整改进展", rows=4)
    field_order = ["text", "attachments"]


class SubmitForm(EvidenceForm):
    # Several forms share one page: a prefix each keeps their fields' ids apart.
    prefix = "submit"
    text = _text("整改完成情况", rows=4)
    field_order = ["text", "attachments"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].required = True
        self.fields["attachments"].error_messages["required"] = "申请销号须上传整改佐证材料（文件、照片等）"


class SignOffForm(ChineseForm):
    # Several forms share one page: a prefix each keeps their fields' ids apart.
    prefix = "signoff"
    comment = _text("审核意见", rows=2, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = "可不填，默认为“审核通过，予以销号”"


class SendBackForm(ChineseForm):
    # Several forms share one page: a prefix each keeps their fields' ids apart.
    prefix = "sendback"
    reason = _text("退回理由", rows=2, message="退回时请说明理由")


class LookBackForm(EvidenceForm):
    # Several forms share one page: a prefix each keeps their fields' ids apart.
    prefix = "lookback"
    held = forms.TypedChoiceField(
        label="回头看结论", choices=[("1", "整改成效巩固"), ("0", "问题反弹，重新整改")], coerce=lambda v: v == "1",
        widget=forms.RadioSelect, error_messages={"required": "请选择回头看结论"},
    )  # fmt: skip
    note = _text("回头看情况")
    new_deadline = forms.DateField(label="新的整改时限（问题反弹时填写）", required=False, widget=DATE)
    field_order = ["held", "note", "new_deadline", "attachments"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("held") is False and not data.get("new_deadline"):
            self.add_error("new_deadline", "问题反弹须重新确定整改时限")
        return data


class ListSettingsForm(ChineseForm):
    lookback_months = forms.IntegerField(
        label="回头看间隔（月）", min_value=1, max_value=24,
        error_messages={"min_value": "回头看间隔至少 1 个月", "max_value": "回头看间隔最多 24 个月"},
    )  # fmt: skip
    approver_role = forms.ChoiceField(label="销号审核", choices=APPROVER_ROLES)
    owner = UnitChoiceField(
        Unit.objects.none(), to_field_name="code", required=False, label="牵头单位（接收周调度）",
        empty_label="按审核角色自动确定", error_messages={"invalid_choice": "没有这个单位"},
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")


class UploadForm(ChineseForm):
    file = forms.FileField(
        label="整改清单文件（.xlsx 或 .csv）", error_messages={"required": "请选择文件", "empty": "文件为空"},
        help_text="表头含 清单编号、序号、问题、责任单位编码（或责任单位全称）、整改时限；表头上方的标题行、合并的“方面”列均可",
    )  # fmt: skip
