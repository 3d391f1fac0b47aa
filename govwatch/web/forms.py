"""Filter forms of the list pages: GET parameters in, validated values out.

Units and items are chosen by their codes, so a filtered list has a readable, shareable address
(/cases/?unit=SC&card=red). Their choices are those the user sees (`visible_to`).
"""

from __future__ import annotations

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.catalog.models import Item
from govwatch.core.choices import CaseStatus, ItemLevel, ItemType, Online
from govwatch.core.forms import ALL, DATE, DateField
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

# "In progress" spans two stored statuses: a suspended case is still open (contract section 3).
IN_PROGRESS = "in_progress"
CARD_CHOICES = [("none", "无"), ("yellow", "黄牌"), ("red", "红牌")]
# The predictive warning (contract section 13): cases the model warns of, or any with a notable risk.
RISK_WARNED, RISK_NOTABLE = "warn", "notable"
RISK_CHOICES = [(RISK_WARNED, "预测预警"), (RISK_NOTABLE, "风险 ≥ 20%")]
NOTABLE_RISK = 0.2


def _unit_field() -> UnitChoiceField:
    return UnitChoiceField(
        Unit.objects.none(),
        to_field_name="code",
        required=False,
        label="单位（含下级）",
        empty_label="全部单位",
    )


class ItemFilterForm(forms.Form):
    unit = _unit_field()
    q = forms.CharField(label="编码或名称", required=False, max_length=300)
    type = forms.ChoiceField(label="事项类型", choices=ALL + ItemType.choices, required=False)
    level = forms.ChoiceField(label="层级", choices=ALL + ItemLevel.choices, required=False)
    online = forms.ChoiceField(label="网办程度", choices=ALL + Online.choices, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label="业务编号",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "精确匹配"}),
    )
    unit = _unit_field()
    item = forms.ModelChoiceField(
        Item.objects.none(),
        to_field_name="code",
        required=False,
        label="事项编码",
        widget=forms.TextInput(attrs={"placeholder": "事项编码"}),
        error_messages={"invalid_choice": "没有这个事项编码"},
    )
    status = forms.ChoiceField(
        label="状态", choices=ALL + [(IN_PROGRESS, "在办（含挂起）")] + CaseStatus.choices, required=False
    )
    card = forms.ChoiceField(label="亮牌", choices=ALL + CARD_CHOICES, required=False)
    card_since = forms.DateField(label="红黄牌日期自", required=False, widget=DATE)
    risk = forms.ChoiceField(label="超时风险", choices=ALL + RISK_CHOICES, required=False)
    overdue = forms.BooleanField(label="仅逾期未办结", required=False)
    accepted_from = DateField(label="受理日期自", required=False, widget=DATE)
    accepted_to = DateField(label="受理日期至", required=False, widget=DATE)
    closed_from = DateField(label="结束日期自", required=False, widget=DATE)
    closed_to = DateField(label="结束日期至", required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        mine = scope(user)
        self.fields["unit"].queryset = Unit.objects.visible_to(mine).only("code", "name", "path")
        self.fields["item"].queryset = Item.objects.visible_to(mine)
