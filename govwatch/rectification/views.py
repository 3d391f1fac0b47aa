"""整改清单 pages: the lists, one list grouped by aspect, one problem with its whole history and the
steps open to the viewer, the upload of a list and its export.

Rows come from the viewer's scope (`visible_lists`, `visible_problems`): outside it a list or a
problem does not exist (404); inside it a step the viewer may not take is refused (403) by the
same check the service makes. Each step is its own POST address calling the service with
Actor.of_request; a refused step shows the page again with the form as filled in.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, When
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import MANAGE_RECTIFICATION, REPORT_RECTIFICATION, may
from govwatch.audit.log import Actor
from govwatch.core.attachments import download
from govwatch.supervision.views.common import paginate

from . import actions
from .exports import list_workbook
from .figures import counts_of, problem_state, with_steps
from .forms import (
    ListSettingsForm,
    LookBackForm,
    ProblemFilterForm,
    ProgressForm,
    SendBackForm,
    SignOffForm,
    SubmitForm,
)
from .models import Problem, ProblemAttachment, RectificationList
from .rhythm import reminder_window, reminders_of
from .todo import sent_back

Status = Problem.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def context(request: HttpRequest, section: str, **values) -> dict:
    """What every page under 整改清单 has: the navigation entry and its tabs."""
    from govwatch.accounts.permissions import INSPECT_HALLS, MANAGE_CHECKLISTS

    user = request.user
    return {"nav": "rectification", "section": section, "can_manage": may(user, MANAGE_RECTIFICATION),
            "can_inspect": may(user, INSPECT_HALLS), "can_edit_checklists": may(user, MANAGE_CHECKLISTS),
            **values}  # fmt: skip


def _filtered(problems, state: str, today):
    if state == "owed":
        return problems.filter(status__in=Problem.OWED)
    if state == "overdue":
        return problems.filter(status__in=Problem.OWED, deadline__lt=today)
    if state == "due_soon":
        return problems.filter(
            status__in=Problem.OWED, deadline__gte=today, deadline__lt=reminder_window(today)
        )
    if state == "submitted":
        return problems.filter(status=Status.SUBMITTED)
    if state == "returned":
        return sent_back(problems)
    if state == "signed_off":
        return problems.filter(status=Status.SIGNED_OFF)
    if state == "lookback":
        return problems.filter(status=Status.SIGNED_OFF, lookback_due__lte=today)
    return problems


@member_required
def index(request: HttpRequest) -> HttpResponse:
    """The lists in scope with their progress, and the viewer's problems with what they need."""
    now = timezone.now()
    today = timezone.localdate()
    problems = actions.visible_problems(request.user)
    tiles = [
        (state, label, _filtered(problems, state, today).count())
        for state, label in (
            ("overdue", "已逾期"),
            ("due_soon", "3个工作日内到期"),
            ("submitted", "待销号审核"),
            ("owed", "整改中（含反弹）"),
            ("lookback", "回头看到期"),
        )  # fmt: skip
    ]
    form = ProblemFilterForm(request.GET or None, user=request.user)
    shown = problems
    if form.is_bound and not form.is_valid():
        shown = shown.none()
    elif form.is_bound:
        data = form.cleaned_data
        shown = _filtered(shown, data["state"], today)
        if data["unit"]:
            shown = shown.filter(unit__path__startswith=data["unit"].path)
        if data["source"]:
            shown = shown.filter(rlist__source=data["source"])
    lists = []
    for rlist in actions.visible_lists(request.user).order_by("-feedback_date", "code"):
        mine = with_steps(problems.filter(rlist=rlist))
        lists.append((rlist, counts_of(mine, now)))
    # What still needs doing first (by deadline), the signed-off after it.
    done_last = Case(When(status=Status.SIGNED_OFF, then=1), default=0)
    listing = paginate(request, shown.order_by(done_last, "deadline", "rlist__code", "sort"))
    rows = [(p, problem_state(p, now)) for p in with_steps(Problem.objects.filter(pk__in=[p.pk for p in listing.page]))
            .select_related("rlist", "unit").order_by(done_last, "deadline", "rlist__code", "sort")]  # fmt: skip
    return render(request, "rectification/index.html", context(
        request, "lists", tiles=tiles, form=form, lists=lists, listing=listing, rows=rows, today=today,
        filtered=form.is_bound,
    ))  # fmt: skip


def _list(request: HttpRequest, code: str) -> RectificationList:
    return get_object_or_404(actions.visible_lists(request.user), code=code)


@member_required
def list_detail(
    request: HttpRequest, code: str, settings_form: ListSettingsForm | None = None
) -> HttpResponse:
    rlist = _list(request, code)
    now = timezone.now()
    problems = with_steps(actions.visible_problems(request.user).filter(rlist=rlist).order_by("sort", "id"))
    groups: list[tuple[str, list]] = []
    for problem in problems:
        state = problem_state(problem, now)
        if not groups or groups[-1][0] != problem.aspect:
            groups.append((problem.aspect, []))
        groups[-1][1].append((problem, state))
    can_manage = may(request.user, MANAGE_RECTIFICATION)
    if settings_form is None and can_manage:
        settings_form = ListSettingsForm(user=request.user, initial={
            "lookback_months": rlist.lookback_months, "approver_role": rlist.approver_role,
            "owner": rlist.owner.code if rlist.owner else None,
        })  # fmt: skip
    inspection = getattr(rlist, "inspection", None)
    return render(request, "rectification/list_detail.html", context(
        request, "lists", rlist=rlist, groups=groups, counts=counts_of([p for _, ps in groups for p, _ in ps], now),
        settings_form=settings_form, inspection=inspection, today=timezone.localdate(),
    ))  # fmt: skip


@action_required(MANAGE_RECTIFICATION)
@require_POST
def list_settings(request: HttpRequest, code: str) -> HttpResponse:
    rlist = _list(request, code)
    form = ListSettingsForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_set_list(Actor.of_request(request), rlist, lookback_months=data["lookback_months"],
                                approver_role=data["approver_role"], owner=data["owner"])  # fmt: skip
        except actions.RectificationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "清单设置已保存")
            return redirect("rectification:list-detail", code=rlist.code)
    return list_detail(request, code, settings_form=form)


@member_required
def list_export(request: HttpRequest, code: str) -> HttpResponse:
    rlist = _list(request, code)
    response = HttpResponse(list_workbook(rlist), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{rlist.name}（整改进展）.xlsx")
    return response


# -- one problem -----------------------------------------------------------------------------------


def _allowed(check, actor: Actor, problem: Problem) -> bool:
    try:
        check(actor, problem)
    except PermissionDenied:
        return False
    return True


def _problem_page(request: HttpRequest, problem: Problem, **bound) -> HttpResponse:
    actor = Actor.of_request(request)
    reports = may(request.user, REPORT_RECTIFICATION) and _allowed(actions.check_reporter, actor, problem)
    approves = _allowed(actions.check_approver, actor, problem) and may(request.user, MANAGE_RECTIFICATION)
    status = Status(problem.status)

    def form(name: str, cls, allowed: bool):
        return bound.get(name, cls()) if allowed else None

    now = timezone.now()
    steps = list(problem.steps.select_related("order").prefetch_related("attachments"))
    hall_result = getattr(problem, "hall_result", None)
    return render(request, "rectification/problem_detail.html", context(
        request, "lists", problem=problem, state=problem_state(problem, now), steps=steps,
        reminders=reminders_of(problem), hall_result=hall_result,
        evidence=actions.evidence_of_request(problem) if status == Status.SUBMITTED else [],
        approver_label=problem.rlist.get_approver_role_display(),
        progress_form=form("progress_form", ProgressForm, reports and status != Status.SIGNED_OFF),
        submit_form=form("submit_form", SubmitForm, reports and problem.can_move_to(Status.SUBMITTED)),
        sign_off_form=form("sign_off_form", SignOffForm, approves and status == Status.SUBMITTED),
        send_back_form=form("send_back_form", SendBackForm, approves and status == Status.SUBMITTED),
        look_back_form=form("look_back_form", LookBackForm, approves and status == Status.SIGNED_OFF),
    ))  # fmt: skip


def _problems(request: HttpRequest):
    return actions.visible_problems(request.user)


@member_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _problem_page(request, get_object_or_404(_problems(request), pk=pk))


def _step_view(form_name: str, form_class, done: str, run):
    """A POST view for one step: validate the form, call the service (which checks the actor)."""

    @member_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        problem = get_object_or_404(_problems(request), pk=pk)
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                run(Actor.of_request(request), problem, form)
            except actions.RectificationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, done.format(problem=problem))
                return redirect("rectification:problem-detail", pk=problem.pk)
        problem.refresh_from_db()
        return _problem_page(request, problem, **{form_name: form})

    return view


progress = _step_view(
    "progress_form", ProgressForm, "{problem} 已报告整改进展",
    lambda a, p, f: actions.do_report_progress(a, p, f.cleaned_data["text"], f.files_read()),
)  # fmt: skip
submit = _step_view(
    "submit_form", SubmitForm, "{problem} 已申请销号，等待审核",
    lambda a, p, f: actions.do_submit(a, p, f.cleaned_data["text"], f.files_read()),
)  # fmt: skip
sign_off = _step_view(
    "sign_off_form", SignOffForm, "{problem} 已销号",
    lambda a, p, f: actions.do_sign_off(a, p, f.cleaned_data["comment"]),
)  # fmt: skip
send_back = _step_view(
    "send_back_form", SendBackForm, "{problem} 已退回整改",
    lambda a, p, f: actions.do_send_back(a, p, f.cleaned_data["reason"]),
)  # fmt: skip
look_back = _step_view(
    "look_back_form", LookBackForm, "{problem} 已登记回头看",
    lambda a, p, f: actions.do_look_back(a, p, held=f.cleaned_data["held"], note=f.cleaned_data["note"],
                                         new_deadline=f.cleaned_data["new_deadline"], files=f.files_read()),
)  # fmt: skip


@member_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence, always as a download: an uploaded page must never render as ours."""
    return download(
        get_object_or_404(ProblemAttachment.objects.filter(problem__in=_problems(request)), pk=pk)
    )
