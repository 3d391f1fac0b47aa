"""Forms of the window pages: the period and unit every figure is filtered by, and the steps."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms

from govwatch.accounts.permissions import scope
from govwatch.catalog.models import Item
from govwatch.core.forms import ALL, DATE, ChineseForm
from govwatch.core.localtime import local_tz
from govwatch.orgs.forms import UnitChoiceField, UnitPeriodForm
from govwatch.orgs.models import Unit

from .gold import DEFAULTS, Rules
from .models import AbsenceReport, AssistedService, Staff, Window

PeriodForm = UnitPeriodForm


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=local_tz())


class AbsenceForm(ChineseForm):
    day = forms.DateField(label="发现日期", widget=DATE)
    time = forms.TimeField(label="发现时刻", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    source = forms.ChoiceField(label="来源", choices=AbsenceReport.Source.choices)
    reference = forms.CharField(label="投诉编号或检查记录编号", required=False, max_length=100)
    note = forms.CharField(label="脱岗情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def moment(self) -> datetime:
        return _local(self.cleaned_data["day"], self.cleaned_data["time"])


class AssignStaffForm(ChineseForm):
    window = forms.ModelChoiceField(
        Window.objects.none(), label="窗口", required=False, empty_label="不安排窗口"
    )
    active = forms.BooleanField(label="在岗", required=False)

    def __init__(self, *args, staff: Staff, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        region_windows = Window.objects.filter(
            region__in=Window.objects.filter(unit=staff.unit).values("region")
        )
        own = Window.objects.filter(pk=staff.window_id)
        self.fields["window"].queryset = (region_windows | own).distinct().order_by("code")
        self.initial.setdefault("window", staff.window_id)
        self.initial.setdefault("active", staff.active)


class AssistFilterForm(PeriodForm):
    kind = forms.ChoiceField(label="服务类型", choices=ALL + AssistedService.Kind.choices, required=False)
    group = forms.ChoiceField(label="服务对象", choices=ALL + AssistedService.Group.choices, required=False)
    status = forms.ChoiceField(label="状态", choices=ALL + AssistedService.Status.choices, required=False)


class AssistRequestForm(ChineseForm):
    unit = UnitChoiceField(Unit.objects.none(), to_field_name="code", label="服务单位")
    kind = forms.ChoiceField(label="服务类型", choices=AssistedService.Kind.choices)
    group = forms.ChoiceField(label="服务对象", choices=AssistedService.Group.choices)
    item = forms.ModelChoiceField(
        Item.objects.none(), to_field_name="code", required=False, label="事项编码",
        widget=forms.TextInput(attrs={"placeholder": "可不填"}), error_messages={"invalid_choice": "没有这个事项编码"},
    )  # fmt: skip
    matter = forms.CharField(label="所办事项", max_length=300, required=False)
    contact = forms.CharField(
        label="联系电话", max_length=64, required=False, help_text="仅用于联系服务对象，页面上只显示部分号码"
    )
    address = forms.CharField(label="上门地址", max_length=300, required=False, help_text="上门办理必填")
    scheduled_on = forms.DateField(label="预约日期", required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        mine = scope(user)
        self.fields["unit"].queryset = Unit.objects.visible_to(mine).only("code", "name", "path")
        self.fields["item"].queryset = Item.objects.visible_to(mine)


class AssistAssignForm(ChineseForm):
    helpers = forms.ModelMultipleChoiceField(
        Staff.objects.none(), label="服务人员", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, service: AssistedService, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helpers"].queryset = Staff.objects.filter(
            unit__path__startswith=service.unit.path, active=True
        )
        self.fields["helpers"].label_from_instance = lambda s: f"{s.name}（{s.staff_code}）"
        self.initial.setdefault("helpers", list(service.helpers.values_list("pk", flat=True)))


class AssistFinishForm(ChineseForm):
    done = forms.TypedChoiceField(
        label="结果",
        choices=[("1", "已办成"), ("0", "未办成")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(label="服务结果", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    case_no = forms.CharField(
        label="业务编号", max_length=64, required=False, help_text="办成的，填写受理的业务编号"
    )


class ReasonForm(ChineseForm):
    reason = forms.CharField(label="取消原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class GoldRulesForm(ChineseForm):
    satisfaction = forms.IntegerField(label="满意度权重", min_value=0, max_value=100)
    on_time = forms.IntegerField(label="按时办结权重", min_value=0, max_value=100)
    complaints = forms.IntegerField(label="投诉权重", min_value=0, max_value=100)
    attendance = forms.IntegerField(label="考勤权重", min_value=0, max_value=100)
    queue = forms.IntegerField(label="排队等候权重", min_value=0, max_value=100)
    medals = forms.IntegerField(label="每季度评选数量", min_value=1, max_value=50)
    min_volume = forms.IntegerField(
        label="参评最低业务量", min_value=0, max_value=100000, help_text="季度内办结件数与叫号数之和"
    )
    wait_target_minutes = forms.IntegerField(label="等候时间目标（分钟）", min_value=1, max_value=240)
    complaint_points = forms.IntegerField(label="每件投诉扣分", min_value=0, max_value=100)

    def rules(self) -> Rules:
        return Rules(**self.cleaned_data)

    @classmethod
    def of(cls, rules: Rules = DEFAULTS) -> GoldRulesForm:
        return cls(initial=rules.__dict__)


class QuarterForm(ChineseForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label="季度", choices=[(q, f"第{q}季度") for q in range(1, 5)], coerce=int
    )
