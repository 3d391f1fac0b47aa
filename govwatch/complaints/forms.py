"""Forms of the complaint pages: the list's filters (GET), the steps (POST), in Chinese.

A unit is typed (type-ahead from the user's scope: "编码 名称", a code or a name) and resolved within
the user's scope only, so a form can never name a unit the user may not see.
"""

from __future__ import annotations

from django import forms
from django.core import signing

from govwatch.accounts.permissions import scope
from govwatch.core.choices import ComplaintCategory, ComplaintKind, ComplaintSource, ComplaintUrgency
from govwatch.core.forms import DATE
from govwatch.evaluations.forms import ChineseForm, EvidenceForm, MonthField, ScopedForm, _text, _unit_field
from govwatch.orgs.models import Unit

from .models import Complaint, SampledCall

ALL = [("", "全部")]
SUGGESTION_SALT = "govwatch.complaints.suggestion"
MAX_CONTENT = 2000


class ComplaintFilterForm(ScopedForm):
    q = forms.CharField(label="编号或内容", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", choices=ALL + Complaint.Status.choices, required=False)
    kind = forms.ChoiceField(label="诉求类型", choices=ALL + ComplaintKind.choices, required=False)
    source = forms.ChoiceField(label="来源", choices=ALL + ComplaintSource.choices, required=False)
    unit = _unit_field("责任单位（含下级）")
    month = MonthField(label="投诉月份", required=False)
    card = forms.ChoiceField(
        label="亮牌", choices=ALL + [("yellow", "黄牌"), ("red", "红牌")], required=False
    )
    repeats = forms.BooleanField(label="仅看重复件", required=False)


class UnitInput(forms.CharField):
    """A unit typed as "编码 名称", a code or a name, found among `units` (the user's scope)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 250)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"list": "unit-options", "autocomplete": "off", "placeholder": "输入单位名称或编码"}
            ),
        )
        super().__init__(*args, **kwargs)
        self.units = Unit.objects.none()

    def clean(self, value) -> Unit | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        code = text.split()[0]
        unit = self.units.filter(code=code).first() or self.units.filter(name=text).first()
        if unit is None:
            raise forms.ValidationError("没有这个单位，或不在您的职责范围内：请从提示中选择")
        return unit


def _choices(cls) -> list[tuple[str, str]]:
    return list(cls.choices)


class TriageForm(ChineseForm):
    unit = UnitInput(label="承办单位", error_messages={"required": "请选择承办单位"})
    kind = forms.ChoiceField(label="诉求类型", choices=_choices(ComplaintKind))
    urgency = forms.ChoiceField(label="紧急程度", choices=_choices(ComplaintUrgency))
    category = forms.ChoiceField(
        label="类别", choices=[("", "未分类")] + _choices(ComplaintCategory), required=False
    )
    # The suggestion shown with the form, signed: what is recorded is what the office saw.
    suggestion = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].units = Unit.objects.visible_to(scope(user))

    def clean_suggestion(self) -> dict | None:
        token = self.cleaned_data.get("suggestion") or ""
        if not token:
            return None
        try:
            return signing.loads(token, salt=SUGGESTION_SALT)
        except signing.BadSignature:
            return None


def sign_suggestion(suggestion: dict | None) -> str:
    return signing.dumps(suggestion, salt=SUGGESTION_SALT) if suggestion else ""


class RegisterForm(ChineseForm):
    """The office registers a complaint taken by phone, letter or at the window."""

    source = forms.ChoiceField(label="来源", choices=_choices(ComplaintSource))
    kind = forms.ChoiceField(
        label="诉求类型", choices=_choices(ComplaintKind), initial=ComplaintKind.COMPLAINT
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=_choices(ComplaintUrgency))
    content = _text("投诉内容", rows=6)
    case_no = forms.CharField(label="业务编号（选填）", required=False, max_length=64)
    contact = forms.CharField(label="联系电话（选填）", required=False, max_length=32)

    def clean_content(self) -> str:
        text = self.cleaned_data["content"].strip()
        if len(text) > MAX_CONTENT:
            raise forms.ValidationError(f"投诉内容不能超过 {MAX_CONTENT} 字")
        return text


class DismissForm(ChineseForm):
    reason = _text("不予受理理由", rows=2)


class SendBackForm(ChineseForm):
    reason = _text("退回理由", rows=2, message="请说明退回理由（如不属于本单位职责，应由哪个单位办理）")


class FindForm(EvidenceForm):
    finding = forms.ChoiceField(
        label="核查结论",
        choices=[("", "（咨询、求助、建议不需选择）")] + _choices(Complaint.Finding),
        required=False,
    )
    text = _text("核查（办理）情况", rows=5)
    field_order = ["finding", "text", "attachments"]


class ReplyForm(EvidenceForm):
    reply = _text("答复内容", rows=5, message="请填写答复群众的内容")
    field_order = ["reply", "attachments"]


class CallbackForm(ChineseForm):
    result = forms.ChoiceField(
        label="回访结果", choices=_choices(Complaint.Callback), widget=forms.RadioSelect,
        error_messages={"required": "请选择回访结果"},
    )  # fmt: skip
    note = _text("回访情况", rows=3, message="请填写回访情况（时间、方式、群众意见）")


class CloseForm(ChineseForm):
    comment = _text("办结意见", rows=2, required=False)


class ReopenForm(ChineseForm):
    reason = _text("重新办理理由", rows=2)


# -- callback sampling -------------------------------------------------------------------------------
class PlanForm(ScopedForm):
    name = forms.CharField(label="计划名称", max_length=200, error_messages={"required": "请填写计划名称"})
    date_from = forms.DateField(label="期间自", widget=DATE, error_messages={"required": "请填写开始日期"})
    date_to = forms.DateField(label="期间至", widget=DATE, error_messages={"required": "请填写结束日期"})
    evaluation_share = forms.DecimalField(
        label="实名评价抽取比例（%）", min_value=0, max_value=100, decimal_places=2, initial=5,
        error_messages={"min_value": "比例不能小于 0", "max_value": "比例不能大于 100"},
    )  # fmt: skip
    complaint_share = forms.DecimalField(
        label="办结投诉抽取比例（%）", min_value=0, max_value=100, decimal_places=2, initial=10,
        error_messages={"min_value": "比例不能小于 0", "max_value": "比例不能大于 100"},
    )  # fmt: skip
    minimum = forms.IntegerField(label="每个单位至少抽取", min_value=0, max_value=100, initial=1)
    seed = forms.IntegerField(
        label="随机种子（选填）", required=False, min_value=1, max_value=2**31 - 1,
        help_text="留空则随机生成；同一种子对同一批记录总是抽出同样的样本，便于复核",
    )  # fmt: skip
    unit = _unit_field("抽查范围（含下级，默认全区）")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("期间的开始日期不能晚于结束日期")
        return data


class CallForm(ChineseForm):
    outcome = forms.ChoiceField(
        label="回访结果", widget=forms.RadioSelect,
        choices=[c for c in SampledCall.Outcome.choices if c[0] != SampledCall.Outcome.PENDING],
        error_messages={"required": "请选择回访结果"},
    )  # fmt: skip
    note = _text("回访情况", rows=2, required=False)
