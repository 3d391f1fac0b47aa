"""The double-random pages: the plans with their figures, a new plan drawn from the registers,
one plan with its draw and results, a result entered, the results published; and the public
pages (一公开) that publish the draw, the seed and the published results."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import MANAGE_RANDOM_CHECKS, RECORD_RANDOM_RESULTS, may, scope
from govwatch.audit.log import Actor
from govwatch.core.choices import UnitKind
from govwatch.core.forms import DATE, ChineseForm
from govwatch.core.localtime import local_date
from govwatch.orgs.forms import UnitChoiceField
from govwatch.orgs.models import Unit

from .draw import RISK_LABELS, RISKS
from .models import DrawnTarget, Outcome, RandomPlan, Target
from .plans import (
    RandomCheckError,
    access_drawn,
    access_plan,
    do_draw,
    do_publish_results,
    do_record_result,
    plan_from_registers,
)


class CodesTextarea(forms.Textarea):
    def format_value(self, value):
        return (
            " ".join(str(v) for v in value)
            if isinstance(value, list | tuple)
            else super().format_value(value)
        )


class DepartmentCodesField(forms.ModelMultipleChoiceField):
    """Departments named by their codes in a text box (spaces, commas or 、 between them): a
    province's thousands of departments with registers are not all written into the page."""

    widget = CodesTextarea(attrs={"rows": 3, "placeholder": "部门编码，多个以空格或逗号分隔"})
    SEPARATORS = re.compile(r"[\s,，、;；]+")

    def __init__(self, queryset, **kwargs) -> None:
        super().__init__(queryset, to_field_name="code", **kwargs)

    def clean(self, value):
        if isinstance(value, str):
            value = [code for code in self.SEPARATORS.split(value) if code]
        # Django's own check names whichever unknown code a set's order gives: the user is told
        # the first one in the order they wrote.
        if value:
            known = set(self.queryset.filter(code__in=value).values_list("code", flat=True))
            unknown = next((code for code in value if code not in known), None)
            if unknown is not None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": unknown}
                )
        return super().clean(value)


class NewPlanForm(ChineseForm):
    name = forms.CharField(label="计划名称", max_length=200)
    units = forms.ModelMultipleChoiceField(
        Unit.objects.none(), label="参加部门（多选即为跨部门联合抽查）", widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"required": "请选择参加抽查的部门"},
    )  # fmt: skip
    low = forms.IntegerField(label="低风险抽查比例（%）", min_value=0, max_value=100, initial=5)
    medium = forms.IntegerField(label="中风险抽查比例（%）", min_value=0, max_value=100, initial=10)
    high = forms.IntegerField(label="高风险抽查比例（%）", min_value=0, max_value=100, initial=30)
    seed = forms.CharField(
        label="随机种子（留空则由系统生成；种子随抽取结果公开）", max_length=100, required=False
    )
    inspect_by = forms.DateField(label="检查完成期限", widget=DATE, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only departments with targets in their register have anything to draw from.
        departments = (
            Unit.objects.visible_to(scope(user))
            .filter(kind=UnitKind.DEPARTMENT)
            .filter(Exists(Target.objects.filter(unit=OuterRef("pk"), active=True)))
            .order_by("path")
        )
        field = self.fields["units"]
        if departments.count() > UnitChoiceField.SELECT_LIMIT:
            field = self.fields["units"] = DepartmentCodesField(
                departments, label=field.label,
                help_text="在“单位”页可按名称查找部门编码；只有检查对象名录库中有对象的部门可以参加",
                error_messages={**field.error_messages,
                                "invalid_choice": "没有编码为 %(value)s 的部门，或其检查对象名录库为空"},
            )  # fmt: skip
            return
        field.queryset = departments
        field.label_from_instance = UnitChoiceField.label_from_instance.__get__(field)
        field.help_text = (
            "只列出检查对象名录库中有对象的部门"
            if departments.exists()
            else "还没有部门的检查对象名录库中有对象：请先导入检查对象名录库和执法检查人员名录库"
        )


class ResultForm(ChineseForm):
    outcome = forms.ChoiceField(label="检查结果", choices=Outcome.choices)
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    findings = forms.CharField(
        label="检查情况", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )


def _context(section: str, **values) -> dict:
    return {"nav": "randomchecks", "section": section, **values}


def coverage(drawn) -> dict:
    """Coverage (inspected / in plan) of a set of drawn targets: the staffed ones are in plan."""
    counts = drawn.aggregate(
        in_plan=Count("pk", filter=Q(unstaffed=False)),
        inspected=Count("pk", filter=~Q(outcome="")),
        unstaffed=Count("pk", filter=Q(unstaffed=True)),
        published=Count("pk", filter=Q(published_at__isnull=False)),
        problems=Count("pk", filter=Q(outcome__in=[Outcome.RECTIFY, Outcome.PENALTY])),
    )
    counts["rate"] = counts["inspected"] / counts["in_plan"] if counts["in_plan"] else None
    return counts


@member_required
def plan_list(request: HttpRequest) -> HttpResponse:
    mine = scope(request.user)
    today = local_date(timezone.now())
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today.year
    plans = RandomPlan.objects.visible_to(mine).filter(drawn_at__year=year).select_related("unit")
    drawn = DrawnTarget.objects.visible_to(mine).filter(plan__drawn_at__year=year)
    joint = plans.filter(joint=True)
    context = _context(
        "plans", plans=list(plans), today=today, year=year, figures=coverage(drawn),
        joint=coverage(drawn.filter(plan__joint=True)), joint_plans=joint.count(),
        late=[p for p in plans if p.publication_late(today)], can_draw=may(request.user, MANAGE_RANDOM_CHECKS),
    )  # fmt: skip
    return render(request, "randomchecks/plan_list.html", context)


@action_required(MANAGE_RANDOM_CHECKS)
def plan_new(request: HttpRequest) -> HttpResponse:
    form = NewPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = plan_from_registers(data["units"], {r: data[r] for r in RISKS})
        seed = data["seed"].strip() or secrets.token_hex(8)
        try:
            stored, _ = do_draw(
                Actor.of_request(request), plan, seed, name=data["name"], source=RandomPlan.Source.REGISTERS,
                inspect_by=data["inspect_by"],
            )  # fmt: skip
        except RandomCheckError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已抽取 {stored.number}，种子 {stored.seed}；抽取结果已公开")
            return redirect(stored.get_absolute_url())
    return render(
        request,
        "randomchecks/plan_new.html",
        _context("plans", form=form),
        status=400 if form.errors else 200,
    )


def _by_risk(plan: RandomPlan) -> list[tuple[str, dict, int | None]]:
    return [(RISK_LABELS[r], plan.result["by_risk"][r], plan.plan["rates"].get(r)) for r in RISKS]


@member_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    mine = scope(request.user)
    today = local_date(timezone.now())
    drawn = plan.drawn.select_related("unit")
    can_record = may(request.user, RECORD_RANDOM_RESULTS)
    context = _context(
        "plans", plan=plan, today=today, by_risk=_by_risk(plan), figures=coverage(plan.drawn.all()),
        rows=[(d, can_record and mine.contains(d.unit) and not d.unstaffed and d.published_at is None) for d in drawn],
        late=plan.publication_late(today), can_publish=may(request.user, MANAGE_RANDOM_CHECKS),
        waiting=plan.drawn.filter(published_at=None).exclude(outcome="").count(),
    )  # fmt: skip
    return render(request, "randomchecks/plan_detail.html", context)


@member_required
def result(request: HttpRequest, pk: int) -> HttpResponse:
    drawn = access_drawn(request.user, pk, RECORD_RANDOM_RESULTS if request.method == "POST" else None)
    initial = {"outcome": drawn.outcome or Outcome.NO_PROBLEM, "inspected_on": drawn.inspected_on or local_date(timezone.now()),
               "findings": drawn.findings}  # fmt: skip
    form = ResultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_record_result(
                Actor.of_request(request), drawn, data["outcome"], data["findings"], data["inspected_on"]
            )
        except RandomCheckError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已录入 {drawn.name} 的检查结果")
            return redirect(drawn.plan.get_absolute_url() + f"#t{drawn.pk}")
    return render(
        request,
        "randomchecks/result.html",
        _context("plans", drawn=drawn, form=form),
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk, MANAGE_RANDOM_CHECKS)
    try:
        count = do_publish_results(Actor.of_request(request), plan)
    except RandomCheckError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已公示 {count} 户检查结果")
    return redirect(plan.get_absolute_url())


# -- public (一公开) ----------------------------------------------------------------------------


def public_list(request: HttpRequest) -> HttpResponse:
    # Newest first, said explicitly: a GROUP BY query drops the model's default ordering.
    plans = (
        RandomPlan.objects.select_related("unit")
        .annotate(count=Count("drawn"), published=Count("drawn", filter=Q(drawn__published_at__isnull=False)))
        .order_by("-drawn_at", "-id")[:200]
    )
    return render(request, "randomchecks/public_list.html", {"plans": plans})


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(RandomPlan.objects.select_related("unit"), pk=pk)
    today = local_date(timezone.now())
    context = {
        "plan": plan, "by_risk": _by_risk(plan), "rows": plan.drawn.select_related("unit"),
        "figures": coverage(plan.drawn.all()), "late": plan.publication_late(today),
    }  # fmt: skip
    return render(request, "randomchecks/public_detail.html", context)


def public_plan_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan document of section 11, to re-run the draw with the published seed."""
    plan = get_object_or_404(RandomPlan, pk=pk)
    response = JsonResponse(plan.plan, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = content_disposition_header(
        True, f"抽查计划-{plan.pk}-种子{plan.seed}.json"
    )
    return response
