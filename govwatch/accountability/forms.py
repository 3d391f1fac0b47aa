"""Forms of the accountability pages, in Chinese; units and records come from the user's scope."""

from __future__ import annotations

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.core.forms import DATE, ChineseForm, text_area
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .models import AccountabilityRecord, Action, Matter


def _unit(label: str) -> UnitChoiceField:
    return UnitChoiceField(
        None, to_field_name="code", label=label, empty_label="请选择单位",
        error_messages={"required": "请选择单位", "invalid_choice": "没有这个单位，或不在您的查看范围内"},
    )  # fmt: skip


class MatterFields(ChineseForm):
    matter = forms.ChoiceField(label="事由类型", choices=Matter.choices)
    reference = forms.CharField(
        label="事由编号", max_length=300, required=False,
        help_text="投诉编号、差评的评价编号、督办单或建议书文号、检查问题编号或核查线索编号；事由为“其他”时简述事由",
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(scope(user)).exclude(kind="supervisor").only("code", "name", "path")
        )


class RecordForm(MatterFields):
    unit = _unit("所在单位")
    person = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写被问责人姓名"})
    post = forms.CharField(label="职务", max_length=100, required=False)
    staff_code = forms.CharField(label="经办人编号", max_length=64, required=False)
    action = forms.TypedChoiceField(label="问责方式", choices=Action.choices, coerce=int)
    detail = forms.CharField(
        label="处理细节", max_length=200, required=False, help_text="如：政务警告、党内警告、调离岗位"
    )
    facts = text_area("问题事实", rows=4)
    decided_by = forms.CharField(
        label="决定机关", max_length=200, error_messages={"required": "请填写决定机关"}
    )
    decided_on = forms.DateField(label="决定日期", widget=DATE, error_messages={"required": "请选择决定日期"})

    field_order = ["matter", "reference", "unit", "person", "post", "staff_code", "action", "detail", "facts",
                   "decided_by", "decided_on"]  # fmt: skip


class FixForm(MatterFields):
    unit = _unit("单位")
    title = forms.CharField(label="制度名称", max_length=200, error_messages={"required": "请填写制度名称"})
    content = text_area("主要内容", rows=4)
    adopted_on = forms.DateField(label="建立日期", widget=DATE, error_messages={"required": "请选择建立日期"})
    follow_up_on = forms.DateField(
        label="回头看日期", widget=DATE, required=False, help_text="留空则为建立后三个月"
    )

    field_order = ["matter", "reference", "unit", "title", "content", "adopted_on", "follow_up_on"]


class FollowUpForm(ChineseForm):
    effective = forms.TypedChoiceField(
        label="回头看结论", choices=[("1", "落实到位"), ("0", "未落实")], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )  # fmt: skip
    note = text_area("回头看情况", rows=3)


class ExposureForm(ChineseForm):
    unit = _unit("单位")
    title = forms.CharField(label="标题", max_length=200, error_messages={"required": "请填写标题"})
    body = text_area(
        "案情与处理", rows=6, help_text="公开发布时，问责记录中的姓名自动改为“姓+某”，除非选择公开姓名"
    )
    records = forms.ModelMultipleChoiceField(
        AccountabilityRecord.objects.none(),
        label="涉及的问责记录",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    show_names = forms.BooleanField(label="公开姓名（经研究决定）", required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        mine = scope(user)
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(mine).exclude(kind="supervisor").only("code", "name", "path")
        )
        self.fields["records"].queryset = AccountabilityRecord.objects.visible_to(mine).select_related("unit")
        self.fields["records"].label_from_instance = lambda r: (
            f"{r.number} {r.unit.name} {r.public_name} {r.get_action_display()}（{r.decided_on:%Y-%m-%d}）"
        )


class WithdrawForm(ChineseForm):
    reason = text_area("撤回理由", rows=2)


class FiguresForm(ChineseForm):
    date_from = forms.DateField(label="期间自", widget=DATE, required=False)
    date_to = forms.DateField(label="期间至", widget=DATE, required=False)
