"""Forms of the e-supervision pages: filters in by GET, actions in by POST, in the user's words.

Units and items are chosen by their codes (as on the case list), and their choices come from the
user's scope, so a form can never name something the user may not see.
"""

from __future__ import annotations

from django import forms
from django.conf import settings

from govwatch.accounts.permissions import scope
from govwatch.catalog.models import Item
from govwatch.core.choices import Card
from govwatch.core.forms import ALL, AttachmentsField
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .models import Notification, SupervisionOrder
from .texts import DEFAULTS, PLACEHOLDERS, template_errors

Order = SupervisionOrder

CARDS = [(Card.YELLOW.value, "黄牌"), (Card.RED.value, "红牌")]
NOTIFICATION_KINDS = [
    ("yellow", "黄牌预警"), ("red", "红牌超时"), ("order", "督办"),
    ("watch_yellow", "到期预警"), ("watch_red", "逾期提醒"), ("reminder", "催办提醒"),
    ("letter", "提醒函"),
]  # fmt: skip
CHANNELS = [("sms", "短信"), ("wecom", "企业微信"), ("dingtalk", "钉钉"), ("email", "电子邮件")]
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
            self.fields["unit"].queryset = Unit.objects.visible_to(mine).only("code", "name", "path")
        if "item" in self.fields:
            self.fields["item"].queryset = Item.objects.visible_to(mine)


class BoardFilterForm(ScopedForm):
    unit = _unit_field()
    item = forms.ModelChoiceField(
        Item.objects.none(), to_field_name="code", required=False, label="事项编码",
        widget=forms.TextInput(attrs={"placeholder": "事项编码"}),
        error_messages={"invalid_choice": "没有这个事项编码，或不在您的查看范围内"},
    )  # fmt: skip
    card = forms.ChoiceField(label="亮牌", choices=ALL + CARDS, required=False)


# Orders waiting for the unit's reply, issued or sent back: what a unit's to-do list links to.
WAITING = "waiting"


class OrderFilterForm(ScopedForm):
    status = forms.ChoiceField(
        label="状态",
        choices=ALL + [(WAITING, "待回复（已下发、已退回）")] + Order.Status.choices,
        required=False,
    )
    level = forms.TypedChoiceField(
        label="督办等级", choices=ALL + Order.Level.choices, coerce=int, empty_value=None, required=False
    )
    unit = _unit_field("被督办单位（含下级）")
    origin = forms.ChoiceField(label="来源", choices=ALL + Order.Origin.choices, required=False)
    escalated = forms.BooleanField(label="仅看逾期升级", required=False)


def _kind_choices() -> list[tuple[str, str]]:
    from .kinds import all_kinds

    return ALL + [(k.code, k.label) for k in all_kinds()]


class WatchFilterForm(ScopedForm):
    """The watched deadlines (到期监察) of every area: by kind, card, unit, and cards since a day."""

    kind = forms.ChoiceField(label="类型", choices=_kind_choices, required=False)
    card = forms.ChoiceField(
        label="亮牌", choices=[("", "红牌和黄牌")] + CARDS + [("all", "全部（含未亮牌）")], required=False
    )
    unit = _unit_field("责任单位（含下级）")
    since = forms.DateField(
        label="红黄牌日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )  # fmt: skip


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=ALL + Notification.Status.choices, required=False)
    kind = forms.ChoiceField(label="类型", choices=ALL + NOTIFICATION_KINDS, required=False)
    channel = forms.ChoiceField(label="渠道", choices=ALL + CHANNELS, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


class IssueOrderForm(ScopedForm):
    """A new order: to the case's unit when it is about a case, else to a unit chosen in scope."""

    unit = _unit_field("被督办单位", required=True)
    level = forms.TypedChoiceField(
        label="督办等级", choices=Order.Level.choices, coerce=int, initial=Order.Level.REMINDER
    )
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


class ReplyForm(forms.Form):
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


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


class WatchTemplatesForm(forms.Form):
    """The three texts of one watch kind (yellow, red, reminder), prefixed by the kind's code so
    that every kind's form sits on one page."""

    def __init__(self, *args, kind, **kwargs) -> None:
        from .kinds import PLACEHOLDERS as WATCH_PLACEHOLDERS
        from .kinds import TEXT_KINDS

        super().__init__(*args, prefix=kind.code, label_suffix="", **kwargs)
        self.kind = kind
        self.placeholders = WATCH_PLACEHOLDERS
        for text_kind, label in TEXT_KINDS.items():
            self.fields[text_kind] = forms.CharField(
                label=f"{kind.label}{label}", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                help_text="默认：" + kind.default_text(text_kind), error_messages={"required": "模板不能为空"},
            )  # fmt: skip

    def clean(self) -> dict:
        data = super().clean()
        for name, text in list(data.items()):
            errors = template_errors(text.strip(), self.placeholders)
            if errors:
                self.add_error(name, errors)
            else:
                data[name] = text.strip()
        return data
