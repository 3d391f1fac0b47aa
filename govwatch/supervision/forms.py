"""Forms of the e-supervision pages: filters in by GET, actions in by POST, in the user's words.

Units and items are chosen by their codes (as on the case list), and their choices come from the
user's scope, so a form can never name something the user may not see.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from govwatch.accounts.permissions import scope
from govwatch.catalog.models import Item
from govwatch.core.choices import Card
from govwatch.orgs.models import Unit
from govwatch.web.forms import UnitChoiceField

from .models import Notification, SupervisionOrder
from .texts import DEFAULTS, PLACEHOLDERS, template_errors

Order = SupervisionOrder
ALL = [("", "全部")]
CARDS = [(Card.YELLOW.value, "黄牌"), (Card.RED.value, "红牌")]
NOTIFICATION_KINDS = [("yellow", "黄牌预警"), ("red", "红牌超时"), ("order", "督办"), ("rectify", "整改提醒"),
                      ("rectify_weekly", "整改周调度"), ("integrity", "廉政风险点复核")]
CHANNELS = [("sms", "短信"), ("wecom", "企业微信"), ("dingtalk", "钉钉"), ("email", "电子邮件")]
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
MAX_REPLY_DAYS = 30
PLACEHOLDER_HELP = "、".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))


def _unit_field(label: str = "单位（含下级）", required: bool = False) -> UnitChoiceField:
    return UnitChoiceField(
        Unit.objects.none(), to_field_name="code", required=required, label=label, empty_label="全部单位" if not required else "请选择单位",
        error_messages={"invalid_choice": "没有这个单位，或不在您的查看范围内"},
    )  # fmt: skip


class ScopedForm(forms.Form):
    """A form whose unit (and item) choices are the user's scope."""

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        mine = scope(user)
        if "unit" in self.fields:
            self.fields["unit"].queryset = mine.units().only("code", "name", "path")
        if "item" in self.fields:
            self.fields["item"].queryset = mine.items()


class BoardFilterForm(ScopedForm):
    unit = _unit_field()
    item = forms.ModelChoiceField(
        Item.objects.none(), to_field_name="code", required=False, label="事项编码",
        widget=forms.TextInput(attrs={"placeholder": "事项编码"}),
        error_messages={"invalid_choice": "没有这个事项编码，或不在您的查看范围内"},
    )  # fmt: skip
    card = forms.ChoiceField(label="亮牌", choices=ALL + CARDS, required=False)


class OrderFilterForm(ScopedForm):
    status = forms.ChoiceField(label="状态", choices=ALL + Order.Status.choices, required=False)
    level = forms.TypedChoiceField(
        label="督办等级", choices=ALL + Order.Level.choices, coerce=int, empty_value=None, required=False
    )
    unit = _unit_field("被督办单位（含下级）")
    origin = forms.ChoiceField(label="来源", choices=ALL + Order.Origin.choices, required=False)


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=ALL + Notification.Status.choices, required=False)
    kind = forms.ChoiceField(label="类型", choices=ALL + NOTIFICATION_KINDS, required=False)
    channel = forms.ChoiceField(label="渠道", choices=ALL + CHANNELS, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


class IssueOrderForm(ScopedForm):
    """A new order: to the case's unit when it is about a case, else to a unit chosen in scope."""

    unit = _unit_field("被督办单位", required=True)
    level = forms.TypedChoiceField(label="督办等级", choices=Order.Level.choices, coerce=int, initial=Order.Level.REMINDER)
    reply_days = forms.IntegerField(
        label="回复时限（工作日）", min_value=1, max_value=MAX_REPLY_DAYS,
        error_messages={"min_value": "回复时限至少为 1 个工作日", "max_value": f"回复时限最多 {MAX_REPLY_DAYS} 个工作日"},
    )  # fmt: skip
    demand = forms.CharField(label="督办要求", widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)

    def __init__(self, *args, case=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply_days"].initial = settings.ORDER_REPLY_WORKDAYS
        if case is not None:
            # An order about a case goes to the unit handling it, nowhere else.
            del self.fields["unit"]


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


class ReplyForm(forms.Form):
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    attachments = MultipleFileField(
        label="附件（可多选，每个不超过 10 MB）", required=False,
        error_messages={"empty": "不能上传空文件", "invalid": "附件上传不完整，请重新选择文件"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_attachments(self) -> list[UploadedFile]:
        files = self.cleaned_data["attachments"]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(f"一次最多上传 {MAX_ATTACHMENTS} 个附件")
        too_big = [f.name for f in files if f.size > MAX_ATTACHMENT_BYTES]
        if too_big:
            raise forms.ValidationError(
                [f"附件“{name}”超过 10 MB，请压缩或拆分后再上传" for name in too_big]
            )
        return files


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label="验收意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="可不填，默认为“验收通过，督办办结”",
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="退回理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "退回时请说明理由"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


def _template_field(kind: str, label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="默认：" + DEFAULTS[kind], error_messages={"required": "模板不能为空"},
    )  # fmt: skip


class TemplatesForm(forms.Form):
    """Both texts at once: the office edits them side by side."""

    yellow = _template_field("yellow", "黄牌预警短信")
    red = _template_field("red", "红牌超时短信")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)

    def _checked(self, kind: str) -> str:
        text = self.cleaned_data[kind].strip()
        errors = template_errors(text)
        if errors:
            raise forms.ValidationError(errors)
        return text

    def clean_yellow(self) -> str:
        return self._checked("yellow")

    def clean_red(self) -> str:
        return self._checked("red")

