"""The key projects' pages (监督一点通): every project with its state and the timeline chart, one
project with its milestones, monthly reports and letters, and the reminder letters.

Each action is its own POST address; a refused action shows the page again with the form as it was
filled in, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import ISSUE_LETTERS, REPLY_LETTERS, REPORT_PROGRESS, may, scope
from govwatch.audit.log import Actor
from govwatch.core.downloads import document_download
from govwatch.core.forms import files_read
from govwatch.core.localtime import local_date, local_tz
from govwatch.core.tree import subtree
from govwatch.supervision.views.common import paginate

from . import letters as letter_services
from .documents import letter_docx
from .forms import (
    LetterCloseForm,
    LetterEditForm,
    LetterReplyForm,
    LetterReturnForm,
    MilestoneForm,
    ProjectFilterForm,
    ReportForm,
)
from .models import KeyProject, ProjectLetter
from .progress import State, states
from .reporting import (
    ProjectError,
    access_milestone,
    access_photo,
    access_project,
    do_reach_milestone,
    do_report_progress,
)

STATE_COLORS = {
    State.BEHIND: "#c62828",
    State.ON_TRACK: "#2e7d32",
    State.COMPLETED: "#78909c",
    State.NOT_STARTED: "#b0bec5",
}
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
RECENT_REPORTS = 3  # monthly reports shown in full; the older ones fold


def _ms(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=local_tz()).timestamp() * 1000)


def timeline_option(projects: list[KeyProject], state_of: dict, today: date) -> dict:
    """An ECharts option: one row per project, its planned span coloured by its state, its
    milestones planned (hollow), reached (filled) and overdue (red), and today's line."""
    spans, planned, reached, overdue = [], [], [], []
    for row, p in enumerate(projects):
        st = state_of[p.pk]
        end = p.completed_on or p.planned_end
        spans.append({
            "name": p.name, "value": [row, _ms(p.start_date), _ms(end), f"{p.unit.name} · {st.label}"],
            "itemStyle": {"color": STATE_COLORS[st.code]},
        })  # fmt: skip
        for m in p.milestones.all():
            if m.actual_date:
                reached.append([_ms(m.actual_date), row, f"{p.name}：{m.name}（完成）"])
            elif m in st.overdue:
                overdue.append([_ms(m.planned_date), row, f"{p.name}：{m.name}（逾期未完成）"])
            else:
                planned.append([_ms(m.planned_date), row, f"{p.name}：{m.name}（计划）"])

    def points(name: str, data: list, color: str, fill: str) -> dict:
        return {"type": "scatter", "name": name, "symbol": "diamond", "symbolSize": 10, "data": data, "z": 3,
                "itemStyle": {"color": fill, "borderColor": color, "borderWidth": 1.5}, "tooltip": {"formatter": "@pointTip"}}  # fmt: skip

    base = {
        "grid": {"left": 8, "right": 20, "top": 36, "bottom": 24, "containLabel": True},
        "legend": {"top": 4, "data": ["计划节点", "已完成节点", "逾期节点"]},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "time", "axisLabel": {"formatter": "{yyyy}-{MM}"}, "splitLine": {"show": True}},
        "yAxis": {"type": "category", "inverse": True, "data": [p.name for p in projects],
                  "axisLabel": {"width": 150, "overflow": "truncate"}},
        "series": [
            {"type": "custom", "name": "计划工期", "renderItem": "@span", "encode": {"x": [1, 2], "y": 0},
             "data": spans, "tooltip": {"formatter": "@spanTip"},
             "markLine": {"symbol": "none", "silent": True, "label": {"formatter": "今天"},
                          "lineStyle": {"color": "#37474f", "type": "dashed"}, "data": [{"xAxis": _ms(today)}]}},
            points("计划节点", planned, "#546e7a", "#ffffff"),
            points("已完成节点", reached, "#2e7d32", "#2e7d32"),
            points("逾期节点", overdue, "#c62828", "#c62828"),
        ],
    }  # fmt: skip
    # On a phone the names get less room and the time axis fewer labels.
    phone = {"yAxis": {"axisLabel": {"width": 72, "fontSize": 10}}, "xAxis": {"axisLabel": {"formatter": "{yy}/{M}", "fontSize": 10}},
             "legend": {"itemGap": 6, "textStyle": {"fontSize": 10}}}  # fmt: skip
    return {"baseOption": base, "media": [{"query": {"maxWidth": 600}, "option": phone}]}


def _context(request: HttpRequest, section: str, **values) -> dict:
    return {"nav": "projects", "section": section, **values}


@member_required
def project_list(request: HttpRequest) -> HttpResponse:
    mine = scope(request.user)
    today = local_date(timezone.now())
    form = ProjectFilterForm(request.GET or None, user=request.user)
    rows = KeyProject.objects.visible_to(mine).select_related("unit").prefetch_related("milestones")
    if form.is_valid():
        if form.cleaned_data["unit"]:
            rows = rows.filter(subtree(form.cleaned_data["unit"].path, "unit"))
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"]
            rows = rows.filter(Q(name__contains=q) | Q(code=q))
    projects = list(rows.order_by("code"))
    state_of = states(projects, today)
    every = list(projects)
    wanted = form.cleaned_data.get("state") if form.is_valid() else ""
    if wanted:
        projects = [p for p in projects if state_of[p.pk].code == wanted]
    counts = {code: sum(1 for p in every if state_of[p.pk].code == code) for code in State.LABELS}
    open_letters = dict(
        ProjectLetter.objects.visible_to(mine)
        .filter(status__in=["issued", "replied"])
        .values_list("project_id", "number")
    )
    context = _context(
        request, "projects", form=form, today=today, counts=counts, total=len(every),
        rows=[(p, state_of[p.pk], open_letters.get(p.pk)) for p in projects],
        timeline=timeline_option(projects, state_of, today) if projects else None,
        colors=STATE_COLORS, labels=State.LABELS,
    )  # fmt: skip
    return render(request, "projects/project_list.html", context)


def _detail(request: HttpRequest, project: KeyProject, *, report_form=None, milestone_forms=None, status=200):
    today = local_date(timezone.now())
    state = states([project], today)[project.pk]
    can_report = may(request.user, REPORT_PROGRESS) and scope(request.user).contains(project.unit)
    milestones = list(project.milestones.all())
    reports = list(project.reports.prefetch_related("photos"))
    forms = milestone_forms or {}
    context = _context(
        request, "projects", project=project, state=state, today=today,
        milestones=[(m, forms.get(m.pk) or MilestoneForm(prefix=f"m{m.pk}", initial={"actual_date": m.actual_date, "note": m.note}))
                    for m in milestones],
        reports=reports[:RECENT_REPORTS], older_reports=reports[RECENT_REPORTS:], can_report=can_report,
        report_form=report_form or ReportForm(initial={"month": today.replace(day=1)}),
        letters=ProjectLetter.objects.visible_to(scope(request.user)).filter(project=project),
        can_draft=may(request.user, ISSUE_LETTERS),
    )  # fmt: skip
    return render(request, "projects/project_detail.html", context, status=status)


@member_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_project(request.user, pk))


@require_POST
@member_required
def reach_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access_milestone(request.user, pk, REPORT_PROGRESS)
    form = MilestoneForm(request.POST, prefix=f"m{pk}")
    if form.is_valid():
        try:
            do_reach_milestone(
                Actor.of_request(request),
                milestone,
                form.cleaned_data["actual_date"],
                form.cleaned_data["note"],
            )
        except ProjectError as exc:
            form.add_error("actual_date", str(exc))
        else:
            messages.success(request, f"已保存节点“{milestone.name}”的完成情况")
            return redirect(milestone.project.get_absolute_url() + "#milestones")
    return _detail(request, milestone.project, milestone_forms={pk: form}, status=400)


@require_POST
@member_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    project = access_project(request.user, pk, REPORT_PROGRESS)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_report_progress(
                Actor.of_request(request), project, data["month"], data["percent"], data["text"],
                invested=data["invested"], problems=data["problems"], photos=files_read(data["photos"]),
            )  # fmt: skip
        except ProjectError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已提交 {data['month'].year}年{data['month'].month}月 月报")
            return redirect(project.get_absolute_url() + "#reports")
    return _detail(request, project, report_form=form, status=400)


@member_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A site photo shown in the page: only files checked as JPG or PNG when they were kept."""
    kept = access_photo(request.user, pk)
    kind = PHOTO_TYPES.get(kept.name.rsplit(".", 1)[-1].lower())
    if kind is None:
        raise Http404
    try:
        with kept.file.open("rb") as fh:
            content = fh.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    return HttpResponse(content, content_type=kind)


# -- letters --------------------------------------------------------------------------------


@member_required
def letter_list(request: HttpRequest) -> HttpResponse:
    rows = ProjectLetter.objects.visible_to(scope(request.user)).select_related("project", "unit")
    status = request.GET.get("status", "")
    if status in ProjectLetter.Status.values:
        rows = rows.filter(status=status)
    context = _context(
        request, "letters", letters=paginate(request, rows), today=local_date(timezone.now()),
        statuses=ProjectLetter.Status.choices, status=status,
    )  # fmt: skip
    return render(request, "projects/letter_list.html", context)


@require_POST
@member_required
def letter_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = access_project(request.user, pk, ISSUE_LETTERS)
    letter = letter_services.do_draft_letter(Actor.of_request(request), project)
    messages.success(request, "已依据项目数据起草提醒函，请核对后下发")
    return redirect(letter.get_absolute_url())


def _letter_page(request: HttpRequest, letter: ProjectLetter, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    today = local_date(timezone.now())
    issuer = may(user, ISSUE_LETTERS)
    S = ProjectLetter.Status
    context = _context(
        request, "letters", letter=letter, late=letter_services.reply_late(letter, today),
        steps=[(s, letter_services.STEP_LABELS.get(s.kind, s.kind)) for s in letter.steps.all()],
        edit_form=forms.get("edit_form") or (LetterEditForm(initial={"subject": letter.subject, "body": letter.body})
                                             if issuer and letter.status == S.DRAFT else None),
        can_issue=issuer and letter.status == S.DRAFT,
        reply_form=forms.get("reply_form") or (LetterReplyForm() if may(user, REPLY_LETTERS) and letter.status == S.ISSUED else None),
        close_form=forms.get("close_form") or (LetterCloseForm() if issuer and letter.status == S.REPLIED else None),
        return_form=forms.get("return_form") or (LetterReturnForm() if issuer and letter.status == S.REPLIED else None),
    )  # fmt: skip
    return render(request, "projects/letter_detail.html", context, status=status)


@member_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _letter_page(request, letter_services.access_letter(request.user, pk))


def _letter_step(action: str, form_name: str, form_class: type, done: str, call: Callable) -> Callable:
    @require_POST
    @member_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        letter = letter_services.access_letter(request.user, pk, action)
        form = form_class(request.POST) if form_class else None
        if form is None or form.is_valid():
            try:
                letter = call(Actor.of_request(request), letter, form.cleaned_data if form else {})
            except letter_services.LetterError as exc:
                if form is None:
                    messages.error(request, str(exc))
                    return redirect(letter.get_absolute_url())
                form.add_error(None, str(exc))
            else:
                messages.success(request, done.format(letter=letter))
                return redirect(letter.get_absolute_url())
        return _letter_page(request, letter, status=400, **{form_name: form})

    return view


letter_edit = _letter_step(
    ISSUE_LETTERS, "edit_form", LetterEditForm, "已保存草稿",
    lambda a, lt, d: letter_services.do_edit_letter(a, lt, d["subject"], d["body"]),
)  # fmt: skip
letter_issue = _letter_step(
    ISSUE_LETTERS, "", None, "已下发 {letter.number}，并已短信告知收文单位",
    lambda a, lt, d: letter_services.do_issue_letter(a, lt),
)  # fmt: skip
letter_reply = _letter_step(
    REPLY_LETTERS, "reply_form", LetterReplyForm, "已提交反馈",
    lambda a, lt, d: letter_services.do_reply_letter(a, lt, d["reply"]),
)  # fmt: skip
letter_close = _letter_step(
    ISSUE_LETTERS, "close_form", LetterCloseForm, "{letter.number} 已办结",
    lambda a, lt, d: letter_services.do_close_letter(a, lt, d["comment"]),
)  # fmt: skip
letter_return = _letter_step(
    ISSUE_LETTERS, "return_form", LetterReturnForm, "{letter.number} 的反馈已退回",
    lambda a, lt, d: letter_services.do_return_letter(a, lt, d["comment"]),
)  # fmt: skip


@member_required
def letter_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued letter as a Word document (or PDF); a draft has no number and is not printed."""
    letter = letter_services.access_letter(request.user, pk)
    if letter.number is None:
        raise Http404
    back = reverse("projects:letter-detail", args=[letter.pk])
    return document_download(request, letter_docx(letter), f"提醒函-{letter.number}", back)
