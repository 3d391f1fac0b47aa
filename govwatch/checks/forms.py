"""Forms of the data-check pages: the filter in by GET, the run, dismissal and thresholds by POST."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.core.forms import ALL, DATE, MONTH, ChineseForm
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .models import Finding, Kind
from .thresholds import DEFINITIONS

MAX_RUN_DAYS = 400


def _units(label: str, required: bool = False) -> UnitChoiceField:
    return UnitChoiceField(
        None, to_field_name="code", required=required, label=label,
        empty_label="请选择单位" if required else "全部单位",
        error_messages={"invalid_choice": "没有这个单位，或不在您的查看范围内", "required": "请选择单位"},
    )  # fmt: skip


class FindingFilterForm(ChineseForm):
    kind = forms.ChoiceField(label="类型", choices=ALL + Kind.choices, required=False)
    status = forms.ChoiceField(label="状态", choices=ALL + Finding.Status.choices, required=False)
    unit = _units("单位（含下级）")
    month = forms.CharField(label="月份", required=False, widget=MONTH)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(scope(user)).only("code", "name", "path")

    def clean_month(self) -> date | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(f"{text[:7]}-01")
        except ValueError:
            raise forms.ValidationError("月份格式应为 YYYY-MM") from None


class RunForm(ChineseForm):
    date_from = forms.DateField(label="期间自", widget=DATE, error_messages={"required": "请选择开始日期"})
    date_to = forms.DateField(label="期间至", widget=DATE, error_messages={"required": "请选择结束日期"})

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if first > last:
                raise forms.ValidationError("开始日期不能晚于结束日期")
            if last - first > timedelta(days=MAX_RUN_DAYS):
                raise forms.ValidationError(
                    f"一次核查的期间不能超过 {MAX_RUN_DAYS} 天（更长的期间请用命令行）"
                )
        return data


class DismissForm(ChineseForm):
    reason = forms.CharField(
        label="排除理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如：经调取监控和办件台账核实，该窗口当晚经批准延时服务",
        error_messages={"required": "排除线索时请说明理由", "max_length": "理由不能超过 2000 字"},
    )  # fmt: skip


class ThresholdsForm(ChineseForm):
    """One field per threshold; empty means "as the region above" (inherited)."""

    def __init__(self, *args, inherited, own: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, d in DEFINITIONS.items():
            cls = forms.IntegerField if d.kind is int else forms.FloatField
            field = cls(
                label=d.label, required=False, min_value=d.minimum, max_value=d.maximum,
                help_text=f"{d.help}（留空则沿用上级：{getattr(inherited, name):g}）",
            )  # fmt: skip
            field.widget.attrs["placeholder"] = f"{getattr(inherited, name):g}"
            self.fields[name] = field
            if name in own and not self.is_bound:
                self.initial[name] = own[name]
