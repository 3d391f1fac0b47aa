"""The inspection group's pages: inspections with their figures, one inspection with its problems
and feedback form, the unit's answer, the group's acceptance, and 立查 of a data-check finding.

The group (INSPECT) sees every inspection of its scope; a unit's staff see their unit's inspections
once the feedback form is issued (before that it is the group's working paper), and answer them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import (
    ANSWER_FEEDBACK,
    DECIDE_FINDINGS,
    INSPECT,
    RECORD_ACCOUNTABILITY,
    access,
    may,
    scope,
)
from govwatch.audit.log import Actor
from govwatch.checks.models import Finding
from govwatch.checks.views import form_page, integrity_context
from govwatch.core.downloads import document_download
from govwatch.orgs.models import Unit
from govwatch.supervision.views.common import paginate
from govwatch.supervision.watches import cards_of

from . import feedback
from .documents import form_docx
from .figures import inspection_figures
from .forms import (
    AnswerForm,
    CommentForm,
    InspectionFilterForm,
    InspectionForm,
    ProblemForm,
    RaiseForm,
    ReturnForm,
)
from .models import FeedbackForm, Inspection
from .watching import FEEDBACK

Status = FeedbackForm.Status
STEP_LABELS = {
    "issued": "下发",
    "answered": "单位反馈",
    "accepted": "验收销号",
    "sent_back": "退回整改",
    "overdue": "逾期督办",
}


def _context(request: HttpRequest, section: str, **values) -> dict:
    return integrity_context(
        request, section, can_inspect=may(request.user, INSPECT), can_record=may(request.user, RECORD_ACCOUNTABILITY),
        **values,
    )  # fmt: skip


def _inspections(request: HttpRequest) -> QuerySet[Inspection]:
    return Inspection.objects.visible_to(scope(request.user)).select_related("unit", "form")


@member_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    form = InspectionFilterForm(request.GET or None, user=request.user)
    inspections = _inspections(request)
    today = timezone.localdate()
    year = today.year
    if form.is_bound and not form.is_valid():
        inspections = inspections.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["unit"]:
            inspections = inspections.filter(unit__path__startswith=data["unit"].path)
        if data["status"]:
            inspections = inspections.filter(form__status=data["status"])
        if data["year"]:
            year = data["year"]
            inspections = inspections.filter(conducted_on__year=year)
    figures = inspection_figures(today.replace(year=year, month=1, day=1), today.replace(year=year, month=12, day=31),
                                 Unit.objects.visible_to(scope(request.user)))  # fmt: skip
    rows = inspections.annotate(
        n_problems=Count("problems", distinct=True), n_fixed=Count("problems", filter=Q(problems__fixed_at__isnull=False), distinct=True)
    ).order_by("-conducted_on", "-id")  # fmt: skip
    listing = paginate(request, rows)
    form_cards = cards_of(FeedbackForm, FEEDBACK, (i.form.pk for i in listing.page))
    cards = {i.pk: form_cards.get(i.form.pk, "none") for i in listing.page}
    context = _context(request, "inspections", form=form, inspections=listing, figures=figures, year=year,
                       cards=cards, today=today)  # fmt: skip
    return render(request, "inspections/inspection_list.html", context)


@action_required(INSPECT)
def inspection_new(request: HttpRequest) -> HttpResponse:
    form = InspectionForm(
        request.POST or None, user=request.user, initial={"conducted_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = feedback.do_create_inspection(
                Actor.of_request(request), data["unit"], subject=data["subject"], methods=data["methods"],
                conducted_on=data["conducted_on"], inspectors=data["inspectors"], summary=data["summary"],
            )  # fmt: skip
        except feedback.InspectionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记{inspection.number}，请逐条登记发现的问题")
            return redirect("inspections:inspection-detail", pk=inspection.pk)
    return form_page(request, "inspections", form, heading="登记专项检查", submit="登记",
                     crumbs=[("inspections:inspection-list", "专项检查")])  # fmt: skip


def _page(request: HttpRequest, inspection: Inspection, **bound) -> HttpResponse:
    user = request.user
    form = inspection.form
    status = Status(form.status)
    problems = list(inspection.problems.select_related("finding"))
    inspects = may(user, INSPECT)

    def make(name: str, allowed: bool, factory):
        return bound.get(name, factory()) if allowed else None

    context = _context(
        request, "inspections",
        inspection=inspection,
        feedback=form,
        card=cards_of(FeedbackForm, FEEDBACK, [form.pk]).get(form.pk, "none"),
        problems=problems,
        steps=[(s, STEP_LABELS.get(s.kind, s.kind)) for s in form.steps.select_related("order")],
        problem_form=make("problem_form", inspects and status == Status.DRAFT, ProblemForm),
        can_issue=inspects and status == Status.DRAFT and bool(problems),
        answer_form=make("answer_form", may(user, ANSWER_FEEDBACK) and status == Status.ISSUED,
                         lambda: AnswerForm(problems=problems)),
        accept_form=make("accept_form", inspects and status == Status.ANSWERED, CommentForm),
        return_form=make("return_form", inspects and status == Status.ANSWERED, ReturnForm),
        reply_days=settings.FEEDBACK_REPLY_WORKDAYS,
    )  # fmt: skip
    return render(request, "inspections/inspection_detail.html", context)


@member_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(_inspections(request), pk=pk))


def _step(action: str, form_name: str, make_form, done: str, run):
    """A POST view for one step of an inspection: role, form, service, back to the page."""

    @member_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        inspection = get_object_or_404(_inspections(request), pk=pk)
        if not may(request.user, action):
            raise PermissionDenied
        form = make_form(request.POST, inspection)
        if form is None or form.is_valid():
            try:
                run(Actor.of_request(request), inspection, form)
            except feedback.InspectionError as exc:
                messages.error(request, str(exc))
            else:
                inspection.form.refresh_from_db()
                messages.success(request, done.format(form=inspection.form))
                return redirect("inspections:inspection-detail", pk=inspection.pk)
        inspection.form.refresh_from_db()
        return _page(request, inspection, **({form_name: form} if form is not None else {}))

    return view


add_problem = _step(
    INSPECT, "problem_form", lambda data, i: ProblemForm(data), "已登记问题",
    lambda a, i, f: feedback.do_add_problem(a, i, category=f.cleaned_data["category"],
                                            description=f.cleaned_data["description"],
                                            requirement=f.cleaned_data["requirement"]),
)  # fmt: skip
issue = _step(
    INSPECT, "", lambda data, i: None, "已下发 {form.number}，反馈期限 {form.reply_due:%Y-%m-%d}",
    lambda a, i, f: feedback.do_issue_form(a, i),
)  # fmt: skip
answer = _step(
    ANSWER_FEEDBACK, "answer_form", lambda data, i: AnswerForm(data, problems=list(i.problems.all())),
    "已反馈 {form.number} 的整改情况，等待检查组审核",
    lambda a, i, f: feedback.do_answer_form(a, i.form, answer=f.cleaned_data["answer"], fixes=f.fixes(),
                                            institution=f.cleaned_data["institution"]),
)  # fmt: skip
accept = _step(
    INSPECT, "accept_form", lambda data, i: CommentForm(data), "{form.number} 已验收，问题整改销号",
    lambda a, i, f: feedback.do_accept_form(a, i.form, f.cleaned_data["comment"]),
)  # fmt: skip
send_back = _step(
    INSPECT, "return_form", lambda data, i: ReturnForm(data), "{form.number} 的反馈已退回",
    lambda a, i, f: feedback.do_return_form(a, i.form, f.cleaned_data["comment"]),
)  # fmt: skip


@member_required
def form_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued feedback form as a Word document (or PDF); a draft has no number yet and is not printed."""
    inspection = get_object_or_404(_inspections(request).exclude(form__number=None), pk=pk)
    back = reverse("inspections:inspection-detail", args=[inspection.pk])
    return document_download(
        request, form_docx(inspection.form), f"检查反馈表-{inspection.form.number}", back
    )


@action_required(INSPECT)
def raise_finding(request: HttpRequest, finding: int) -> HttpResponse:
    """立查 a data-check finding: into a draft inspection of its unit, or a new data comparison."""
    found = access(request.user, Finding.objects.select_related("unit"), DECIDE_FINDINGS, pk=finding)
    drafts = Inspection.objects.filter(unit=found.unit, form__status=Status.DRAFT).order_by("-conducted_on")
    form = RaiseForm(request.POST or None, inspections=drafts)
    if found.status != Finding.Status.OPEN:
        messages.error(request, f"{found.number}{found.get_status_display()}，不能立查")
        return redirect("checks:finding-detail", pk=found.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = feedback.do_raise_finding(
                Actor.of_request(request), found, inspection=data["inspection"], inspectors=data["inspectors"],
                requirement=data["requirement"],
            )  # fmt: skip
        except feedback.InspectionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"{found.number} 已立查，列入{problem.inspection.number} 问题{problem.no}"
            )
            return redirect("inspections:inspection-detail", pk=problem.inspection_id)
    return form_page(
        request, "inspections", form, heading=f"立查 {found.number}", submit="立查",
        crumbs=[("checks:finding-list", "评价数据核查")], template="inspections/raise.html",
        finding=found, description=feedback.finding_description(found),
    )  # fmt: skip
