"""The audit log for supervisors: who changed what, filtered and paged, and the chain checked."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govwatch.accounts.access import action_required
from govwatch.accounts.permissions import VIEW_AUDIT
from govwatch.audit.log import verify
from govwatch.audit.models import AuditEntry
from govwatch.core.forms import ALL, DATE, DateField
from govwatch.core.localtime import end_of_day, start_of_day

PAGE_SIZE = 50

# Every action written to the log, in the users' words (a new action falls back to its code).
ACTION_LABELS = {
    "import.units": "导入单位",
    "import.items": "导入事项",
    "import.cases": "导入办件过程",
    "import.evaluations": "导入好差评",
    "import.complaints": "导入投诉",
    "calendar.import": "导入节假日安排",
    "order.issue": "下发督办单",
    "order.reply": "回复督办单",
    "order.close": "督办验收办结",
    "order.return": "退回督办回复",
    "order.escalate": "督办逾期升级",
    "notification.requeue": "重新发送通知",
    "template.update": "修改通知模板",
    "evaluation.submit": "提交评价",
    "evaluation.reveal_contact": "查看回访号码",
    "rectification.open": "差评整改立项",
    "rectification.verify": "差评核实",
    "rectification.rectify": "差评整改",
    "rectification.callback": "差评回访",
    "rectification.accept": "差评整改审核通过",
    "rectification.return": "退回差评整改",
    "rectification.appeal": "差评申诉",
    "rectification.appeal_upheld": "申诉成立",
    "rectification.appeal_rejected": "申诉驳回",
    "rectification.supervise": "差评整改逾期督办",
    "letter.draft": "起草函件",
    "letter.edit": "修改函件",
    "letter.issue": "印发函件",
    "letter.reply": "函件回复",
    "letter.return": "退回函件回复",
    "letter.close": "函件办结",
    "api_token.create": "创建接口令牌",
    "api_token.rotate": "更换接口令牌",
    "api_token.revoke": "吊销接口令牌",
    "unit.move": "调整单位隶属关系",
    "auth.login": "登录",
    "auth.logout": "退出",
    "auth.login_failed": "登录失败",
    "auth.locked_out": "账号锁定",
    "auth.login_refused": "拒绝登录页面",
    "admin.add": "管理后台新增",
    "admin.change": "管理后台修改",
    "admin.delete": "管理后台删除",
    "pii.reveal": "查看完整个人信息",
    "user.create": "创建账号",
    "user.create_admin": "创建系统管理员",
    "user.password_change": "修改密码",
    "role.assign": "分配角色",
}


def target_label(target_type: str) -> str:
    """ "catalog.item" as 事项: the model's own Chinese name."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False)
    target_type = forms.ChoiceField(label="对象类型", required=False)
    date_from = DateField(label="日期自", required=False, widget=DATE)
    date_to = DateField(label="日期至", required=False, widget=DATE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        # The choices are what the log holds: both columns are indexed.
        actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
        self.fields["action"].choices = ALL + [(a, f"{ACTION_LABELS.get(a, a)}（{a}）") for a in actions]
        types = (
            AuditEntry.objects.exclude(target_type="")
            .order_by("target_type")
            .values_list("target_type", flat=True)
            .distinct()
        )
        self.fields["target_type"].choices = ALL + [(t, f"{target_label(t)}（{t}）") for t in types]


def filter_entries(entries: QuerySet[AuditEntry], data: dict) -> QuerySet[AuditEntry]:
    if data["actor"].strip():
        entries = entries.filter(actor__icontains=data["actor"].strip())
    if data["action"]:
        entries = entries.filter(action=data["action"])
    if data["target_type"]:
        entries = entries.filter(target_type=data["target_type"])
    # Whole local days, as bounds on the indexed timestamp.
    if data["date_from"]:
        entries = entries.filter(at__gte=start_of_day(data["date_from"]))
    if data["date_to"]:
        entries = entries.filter(at__lt=end_of_day(data["date_to"]))
    return entries


@action_required(VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    check = params.pop("verify", None) is not None
    form = AuditFilterForm(params or None)
    entries = AuditEntry.objects.all()
    if form.is_bound:
        entries = filter_entries(entries, form.cleaned_data) if form.is_valid() else entries.none()
    page = Paginator(entries.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
        entry.target_label = target_label(entry.target_type) if entry.target_type else ""
    context = {
        "nav": "audit",
        "form": form,
        "page": page,
        "verification": verify() if check else None,
    }
    return render(request, "web/audit.html", context)
