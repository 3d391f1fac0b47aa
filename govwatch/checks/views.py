"""The supervisors' data-check pages: findings by kind and unit, one finding with its evidence,
the runs, and the region's thresholds.

Findings are the supervisors' suspicions: the supervisors (and the leaders, reading) see those of
their scope; a unit sees a finding only once it is raised, as a problem on an inspection's
feedback form. Outside the scope a finding does not exist (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import (
    DECIDE_FINDINGS,
    SET_CHECK_THRESHOLDS,
    VIEW_ACCOUNTABILITY,
    VIEW_FINDINGS,
    access,
    may,
    scope,
)
from govwatch.audit.log import Actor
from govwatch.orgs.models import Unit
from govwatch.supervision.views.common import paginate

from . import decisions
from .data import Units
from .evidence import CASES_SHOWN, evidence_rows, unit_months, window_timelines
from .forms import DismissForm, FindingFilterForm, RunForm, ThresholdsForm
from .models import CheckRun, Finding, Kind, RegionThresholds
from .runs import CheckError, run_checks
from .thresholds import DEFAULTS, DEFINITIONS, ThresholdError

Status = Finding.Status
STEP_LABELS = {
    "found": "发现",
    "grew": "新增证据",
    "dismissed": "排除",
    "raised": "立查",
    "cleared": "自动撤销",
}


def integrity_context(request: HttpRequest, section: str, **values) -> dict:
    """What every page of 评议监督 (checks, inspections, accountability) has: its nav entry, its tab,
    and which tabs this person may open."""
    user = request.user
    return {
        "nav": "integrity", "section": section, "see_findings": may(user, VIEW_FINDINGS),
        "see_accountability": may(user, VIEW_ACCOUNTABILITY), **values,
    }  # fmt: skip


def form_page(request: HttpRequest, section: str, form, *, heading: str, crumbs: list[tuple[str, str]], submit: str,
              intro: str = "", template: str = "checks/form_page.html", **values) -> HttpResponse:  # fmt: skip
    """The page of a form that makes a new record (an inspection, an accountability record ...)."""
    context = integrity_context(
        request, section, form=form, heading=heading, crumbs=[(reverse(n), label) for n, label in crumbs],
        submit=submit, intro=intro, **values,
    )  # fmt: skip
    return render(request, template, context)


def _context(request: HttpRequest, section: str, **values) -> dict:
    return integrity_context(request, section, can_decide=may(request.user, DECIDE_FINDINGS), **values)


@member_required
def home(request: HttpRequest) -> HttpResponse:
    """The nav entry: the findings for those who read them, else the unit's inspections."""
    return redirect(
        "checks:finding-list" if may(request.user, VIEW_FINDINGS) else "inspections:inspection-list"
    )


def _findings(request: HttpRequest) -> QuerySet[Finding]:
    return Finding.objects.visible_to(scope(request.user)).select_related("unit")


@action_required(VIEW_FINDINGS)
def finding_list(request: HttpRequest) -> HttpResponse:
    form = FindingFilterForm(request.GET or None, user=request.user)
    findings = _findings(request)
    live = findings.filter(status=Status.OPEN)
    by_kind = dict(live.order_by().values_list("kind").annotate(n=Count("pk")))
    if form.is_bound and not form.is_valid():
        findings = findings.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["kind"]:
            findings = findings.filter(kind=data["kind"])
        if data["status"]:
            findings = findings.filter(status=data["status"])
        if data["unit"]:
            findings = findings.filter(unit__path__startswith=data["unit"].path)
        if data["month"]:
            findings = findings.filter(month=data["month"])
    # The matrix: open findings per unit and kind, the units with most first.
    matrix: dict[int, dict[str, int]] = {}
    for unit_id, kind, n in live.order_by().values_list("unit", "kind").annotate(n=Count("pk")):
        matrix.setdefault(unit_id, {})[kind] = n
    names = dict(Unit.objects.filter(pk__in=matrix).values_list("pk", "name"))
    codes = dict(Unit.objects.filter(pk__in=matrix).values_list("pk", "code"))
    rows = sorted(
        ((codes[u], names[u], [counts.get(k, 0) for k in Kind.values], sum(counts.values())) for u, counts in matrix.items()),
        key=lambda r: -r[3],
    )  # fmt: skip
    counted = findings.annotate(evaluations=Count("evidence", filter=Q(evidence__cleared=False)))
    context = _context(
        request, "findings",
        form=form,
        findings=paginate(request, counted.order_by("-found_at", "-score", "-id")),
        tiles=[(k, k.label, by_kind.get(k.value, 0)) for k in Kind],
        kinds=list(Kind),
        matrix=rows[:40],
        runs=CheckRun.objects.order_by("-started_at", "-id")[:5],
        run_form=RunForm() if may(request.user, DECIDE_FINDINGS) else None,
    )  # fmt: skip
    return render(request, "checks/finding_list.html", context)


def _finding_page(request: HttpRequest, finding: Finding, **bound) -> HttpResponse:
    rows, total = evidence_rows(finding)
    deciding = may(request.user, DECIDE_FINDINGS) and finding.status == Status.OPEN
    context = _context(
        request, "findings",
        finding=finding,
        rows=rows,
        total=total,
        shown_cases=finding.case_nos[:CASES_SHOWN],
        timelines=window_timelines(finding),
        months=unit_months(finding) if finding.kind == Kind.MISSING_EVALUATIONS else [],
        steps=[(s, STEP_LABELS.get(s.kind, s.kind)) for s in finding.steps.all()],
        dismiss_form=bound.get("dismiss_form", DismissForm()) if deciding else None,
        can_raise=deciding,
        problems=list(_problems(finding)),
    )  # fmt: skip
    return render(request, "checks/finding_detail.html", context)


def _problems(finding: Finding):
    """The inspection problems a raised finding became (the inspections app links them)."""
    related = getattr(finding, "problems", None)
    return related.select_related("inspection").all() if related is not None else []


@action_required(VIEW_FINDINGS)
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _finding_page(request, access(request.user, Finding.objects.select_related("unit"), pk=pk))


@action_required(DECIDE_FINDINGS)
@require_POST
def finding_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    finding = access(request.user, Finding.objects.select_related("unit"), DECIDE_FINDINGS, pk=pk)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            decisions.do_dismiss_finding(Actor.of_request(request), finding, form.cleaned_data["reason"])
        except decisions.FindingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{finding.number} 已排除")
            return redirect("checks:finding-detail", pk=finding.pk)
    finding.refresh_from_db()
    return _finding_page(request, finding, dismiss_form=form)


@action_required(DECIDE_FINDINGS)
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    form = RunForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("checks:finding-list")
    try:
        result = run_checks(
            form.cleaned_data["date_from"], form.cleaned_data["date_to"], Actor.of_request(request)
        )
    except CheckError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"核查完成：线索 {result.run.findings} 条，其中新线索 {result.run.new_findings} 条（用时 {result.run.seconds} 秒）",
        )
    return redirect("checks:finding-list")


@action_required(VIEW_FINDINGS)
def thresholds(request: HttpRequest) -> HttpResponse:
    """The thresholds in force for a region (a unit and its subtree) and, for the supervisors, their form."""
    mine = scope(request.user)
    code = request.GET.get("unit") or request.POST.get("unit") or ""
    regions = (
        Unit.objects.visible_to(mine).exclude(kind__in=["section", "community"]).only("code", "name", "path")
    )
    unit = get_object_or_404(regions, code=code) if code else regions.order_by("path").first()
    if unit is None:
        raise PermissionDenied
    units = Units()
    parent_values = units[unit.parent_id].thresholds if unit.parent_id else DEFAULTS
    own = RegionThresholds.objects.filter(unit=unit).values_list("values", flat=True).first() or {}
    editable = may(request.user, SET_CHECK_THRESHOLDS)
    form = ThresholdsForm(request.POST or None, inherited=parent_values, own=own) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in DEFINITIONS}
            try:
                decisions.do_set_thresholds(Actor.of_request(request), unit, values)
            except ThresholdError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已保存 {unit.name} 的核查阈值，其下级单位一并适用")
                return redirect(f"{request.path}?unit={unit.code}")
    current = units[unit.pk].thresholds
    table = [
        (name, d, getattr(current, name), getattr(DEFAULTS, name), name in own)
        for name, d in DEFINITIONS.items()
    ]
    context = _context(
        request, "thresholds", unit=unit, regions=regions.order_by("path"), table=table, form=form
    )
    return render(request, "checks/thresholds.html", context)
