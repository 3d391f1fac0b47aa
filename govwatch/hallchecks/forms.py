"""The inspection form (one card per checklist item, for a phone) and the checklist editor."""

from __future__ import annotations

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.core.forms import MultipleFileField
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .actions import MAX_RECTIFY_DAYS, ItemResult
from .models import ChecklistTemplate, Inspection, InspectionResult

PHOTO_INPUT = {"accept": "image/*"}


class ChineseForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)


def _photos(label: str) -> MultipleFileField:
    field = MultipleFileField(label=label, required=False, error_messages={"empty": "不能上传空文件"})
    field.widget.attrs.update(PHOTO_INPUT)
    return field


class InspectionForm(ChineseForm):
    """The whole inspection on one page: who and how, then each item's outcome, note and photos."""

    unit = UnitChoiceField(
        Unit.objects.none(), to_field_name="code", label="被检查单位（服务大厅、窗口单位）", empty_label="请选择单位",
        error_messages={"required": "请选择被检查单位", "invalid_choice": "没有这个单位，或不在您的检查范围内"},
    )  # fmt: skip
    mode = forms.ChoiceField(
        label="方式", choices=Inspection.Mode.choices, widget=forms.RadioSelect, initial=Inspection.Mode.OPEN,
        help_text="暗访结果公开前，被检查单位看不到检查记录和发现的问题", error_messages={"required": "请选择明察或暗访"},
    )  # fmt: skip
    rectify_days = forms.IntegerField(
        label="不符合项整改期限（工作日）", min_value=1, max_value=MAX_RECTIFY_DAYS, initial=10,
        error_messages={"min_value": "整改期限至少 1 个工作日", "max_value": f"整改期限最多 {MAX_RECTIFY_DAYS} 个工作日"},
    )  # fmt: skip
    note = forms.CharField(
        label="总体情况", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = _photos("现场照片（可多选，上传时自动压缩并去除位置信息）")

    def __init__(self, *args, template: ChecklistTemplate, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields["unit"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")
        self.items = list(template.current_items())
        for item in self.items:
            self.fields[f"outcome_{item.pk}"] = forms.ChoiceField(
                label=f"{item.position}. {item.text}", choices=InspectionResult.Outcome.choices, widget=forms.RadioSelect,
                error_messages={"required": "请选择检查结果"},
            )  # fmt: skip
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label="情况说明", required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": "不符合时请写明发现的问题"}),
            )  # fmt: skip
            self.fields[f"photos_{item.pk}"] = _photos("照片")

    def cards(self):
        """Each item with its three bound fields, in order, for the template."""
        for item in self.items:
            yield item, self[f"outcome_{item.pk}"], self[f"note_{item.pk}"], self[f"photos_{item.pk}"]

    def clean(self) -> dict:
        data = super().clean()
        for item in self.items:
            if (
                data.get(f"outcome_{item.pk}") == InspectionResult.Outcome.FAIL
                and not (data.get(f"note_{item.pk}") or "").strip()
            ):
                self.add_error(f"note_{item.pk}", "不符合的项目请说明发现的问题")
        return data

    def results(self) -> list[ItemResult]:
        data = self.cleaned_data
        return [
            ItemResult(
                item,
                data[f"outcome_{item.pk}"],
                data[f"note_{item.pk}"],
                [(f.name, f.read()) for f in data[f"photos_{item.pk}"]],
            )  # fmt: skip
            for item in self.items
        ]

    def overall_photos(self) -> list[tuple[str, bytes]]:
        return [(f.name, f.read()) for f in self.cleaned_data["photos"]]


class TemplateForm(ChineseForm):
    name = forms.CharField(
        label="检查表名称", max_length=100, error_messages={"required": "请填写检查表名称"}
    )
    description = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    items = forms.CharField(
        label="检查项（每行一项，按顺序）", max_length=20000, widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "检查表至少要有一个检查项"},
    )  # fmt: skip
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
