"""Forms of the inspection pages, in Chinese; units come from the user's scope."""

from __future__ import annotations

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.core.forms import ALL, DATE, ChineseForm, text_area
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .models import FeedbackForm, Inspection, Method, Problem


class InspectionFilterForm(ChineseForm):
    unit = UnitChoiceField(
        None, to_field_name="code", required=False, label="单位（含下级）", empty_label="全部单位"
    )
    status = forms.ChoiceField(label="反馈表", choices=ALL + FeedbackForm.Status.choices, required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")


class InspectionForm(ChineseForm):
    unit = UnitChoiceField(
        None, to_field_name="code", label="被检查单位", empty_label="请选择单位",
        error_messages={"required": "请选择被检查单位", "invalid_choice": "没有这个单位，或不在您的查看范围内"},
    )  # fmt: skip
    subject = forms.CharField(label="检查事项", max_length=200, error_messages={"required": "请填写检查事项"},
                              help_text="例如：2026年3月“双评议”评价数据录入情况")  # fmt: skip
    methods = forms.MultipleChoiceField(
        label="检查方式", choices=Method.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择检查方式"},
    )  # fmt: skip
    conducted_on = forms.DateField(
        label="检查日期", widget=DATE, error_messages={"required": "请选择检查日期"}
    )
    inspectors = forms.CharField(
        label="检查人员", max_length=200, error_messages={"required": "请填写检查人员"}
    )
    summary = text_area("检查情况", rows=4, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(scope(user)).exclude(kind="supervisor").only("code", "name", "path")
        )


class ProblemForm(ChineseForm):
    category = forms.ChoiceField(label="问题类型", choices=Problem.Category.choices)
    description = text_area("问题描述")
    requirement = text_area("整改要求", rows=2, required=False)


class RaiseForm(ChineseForm):
    """立查: into a draft inspection of the finding's unit, or a new data comparison."""

    inspection = forms.ModelChoiceField(
        Inspection.objects.none(), label="列入检查", required=False, empty_label="新建一次数据比对检查",
    )  # fmt: skip
    inspectors = forms.CharField(label="检查人员", max_length=200, required=False, help_text="新建检查时填写")
    requirement = text_area("整改要求", rows=2, required=False)

    def __init__(self, *args, inspections, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = inspections

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("inspection") and not (data.get("inspectors") or "").strip():
            self.add_error("inspectors", "新建检查时请填写检查人员")
        return data


class AnswerForm(ChineseForm):
    """The unit's answer: one fix per problem, the whole, and its new rules."""

    def __init__(self, *args, problems, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for p in problems:
            self.fields[f"fix_{p.pk}"] = text_area(f"问题{p.no}的整改措施", help_text=p.description[:120])
        self.fields["answer"] = text_area("总体整改情况", rows=4)
        self.fields["institution"] = text_area(
            "建章立制", rows=3, required=False, help_text="为防止问题再次发生而建立或完善的制度、机制"
        )

    def fixes(self) -> dict[int, str]:
        return {int(k[4:]): v for k, v in self.cleaned_data.items() if k.startswith("fix_")}


class CommentForm(ChineseForm):
    comment = text_area("意见", rows=2, required=False)


class ReturnForm(ChineseForm):
    comment = text_area("退回理由", rows=2)
