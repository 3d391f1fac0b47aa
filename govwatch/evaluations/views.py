"""差评整改 and 建议书/提醒函: the lists, one task or letter with its whole timeline, and the
forms of the steps open to the viewer.

Rows come from the viewer's scope (a unit's staff see their subtree, the supervisors and the office
the region): outside it a task or letter does not exist (404); inside it a step without the role is
refused (403). Each step is its own POST address calling the service with Actor.of_request; a
refused step shows the page again with the form as filled in.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import (
    DECIDE_APPEAL,
    HANDLE_NEGATIVE,
    ISSUE_LETTERS,
    REPLY_LETTERS,
    REVIEW_NEGATIVE,
    may,
    scope,
)
from govwatch.audit.log import Actor
from govwatch.core import pii
from govwatch.core.attachments import download
from govwatch.core.choices import EvalLevel
from govwatch.core.downloads import document_download
from govwatch.core.keyset import MergedNewest
from govwatch.core.localtime import end_of_day, start_of_day
from govwatch.core.sheets import download_file, table_csv, table_xlsx
from govwatch.core.tree import subtree
from govwatch.orgs.models import Unit
from govwatch.supervision.views.common import paginate

from . import letters as letter_services
from . import rectification
from .documents import letter_docx
from .forms import (
    AcceptForm,
    AppealForm,
    CallbackForm,
    DecideAppealForm,
    EditLetterForm,
    EvaluationFilterForm,
    LetterCloseForm,
    LetterFilterForm,
    LetterReplyForm,
    LetterReturnForm,
    NewLetterForm,
    RectifyForm,
    SendBackForm,
    TaskFilterForm,
    VerifyForm,
)
from .models import Evaluation, Letter, RectificationTask
from .rules import negative_levels, supervised_levels

Task = RectificationTask
Status = Task.Status
STEP_LABELS = {
    "opened": "系统受理",
    "verified": "单位核实",
    "rectified": "整改反馈",
    "called_back": "回访",
    "closed": "审核办结",
    "fed_back": "结果反馈",
    "returned": "退回整改",
    "appealed": "提出申诉",
    "appeal_upheld": "申诉成立",
    "appeal_rejected": "申诉驳回",
    "supervised": "逾期督办",
}
LETTER_STEP_LABELS = {
    "drafted": "起草",
    "edited": "修改",
    "issued": "下发",
    "replied": "单位反馈",
    "returned": "退回",
    "closed": "办结",
}


def _context(request: HttpRequest, section: str, **values) -> dict:
    return {"nav": "evaluations", "section": section, "can_draft": may(request.user, ISSUE_LETTERS), **values}


# -- 好差评台账 and the special-supervision list ---------------------------------------------------

EVALUATION_COLUMNS = [
    "评价时间",
    "评价编号",
    "单位",
    "事项",
    "业务编号",
    "评价等级",
    "评价渠道",
    "默认评价",
    "评价内容",
    "申诉成立",
    "差评整改",
]


def _supervisor(user) -> bool:
    return may(user, ISSUE_LETTERS) or may(user, REVIEW_NEGATIVE)


def _range_levels(form: EvaluationFilterForm) -> tuple[int, ...] | None:
    """The levels the chosen range (special supervision, negative) keeps; None for every level."""
    data = form.cleaned_data if form.is_bound else {"range": form.initial.get("range", "")}
    if data.get("range") == EvaluationFilterForm.SUPERVISED:
        return supervised_levels()
    if data.get("range") == EvaluationFilterForm.NEGATIVE:
        return negative_levels()
    return None


def _evaluations(
    request: HttpRequest, form: EvaluationFilterForm, whole: bool = False
) -> QuerySet[Evaluation] | None:
    """The evaluations the filter selects in the viewer's scope, newest first; None when it is invalid.
    `whole`: the viewer sees every unit, so the scope needs no join on the unit tree."""
    mine = scope(request.user)
    rows = Evaluation.objects.all() if whole else Evaluation.objects.visible_to(mine)
    if form.is_bound and not form.is_valid():
        return None
    data = form.cleaned_data if form.is_bound else {}
    levels = _range_levels(form)
    if levels is not None:
        rows = rows.filter(level__in=levels)
    if data.get("unit"):
        rows = rows.filter(subtree(data["unit"].path, "unit"))
    if data.get("level"):
        rows = rows.filter(level=data["level"])
    if data.get("channel"):
        rows = rows.filter(channel=data["channel"])
    if data.get("date_from"):
        rows = rows.filter(at__gte=start_of_day(data["date_from"]))
    if data.get("date_to"):
        rows = rows.filter(at__lt=end_of_day(data["date_to"]))
    if data.get("without_upheld"):
        rows = rows.filter(appeal_upheld=False)
    return rows.select_related("unit", "case__item", "task").order_by("-at", "-id")


def _counted(
    request: HttpRequest, form: EvaluationFilterForm, rows: QuerySet[Evaluation], whole: bool
) -> QuerySet:
    """The same rows, also limited to the ids of the units they can belong to: SQLite then counts
    them through the (unit, at) index, where through the join alone it walks every evaluation of
    the province to count a small subtree's few thousand (a second on the whole province)."""
    chosen = form.cleaned_data.get("unit") if form.is_bound and form.is_valid() else None
    if whole and chosen is None:
        return rows
    units = Unit.objects.all() if whole else Unit.objects.visible_to(scope(request.user))
    if chosen is not None:
        units = units.filter(subtree(chosen.path))
    return rows.filter(unit__in=units.values("pk"))


def _listed(form: EvaluationFilterForm, rows: QuerySet[Evaluation], whole: bool) -> QuerySet | MergedNewest:
    """The rows as the paginator reads them. A range of several levels (special supervision,
    negative) over the whole region, no unit or level chosen, is read level by level in the
    (level, at) index's order and merged (MergedNewest): sorting every such review of a province
    for a page of 50 cost about a second. A chosen unit's own (unit, at) index serves it better."""
    levels = _range_levels(form)
    data = form.cleaned_data if form.is_bound else {}
    if not whole or not levels or len(levels) < 2 or data.get("unit") or data.get("level"):
        return rows
    parts = [rows.filter(level=level) for level in levels]
    # The shown rows are read by id alone: their filters were the parts'.
    return MergedNewest(
        parts, ("-at", "-id"), Evaluation.objects.select_related("unit", "case__item", "task")
    )


@member_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    """好差评台账 with filters and exports; the supervisors land on their special-supervision list
    (专项督导, seed 004: the "一般" and "不满意" reviews), with its units counted."""
    supervisor = _supervisor(request.user)
    initial = {"range": EvaluationFilterForm.SUPERVISED if supervisor else ""}
    # The page number is no filter: "?page=2" of the default list is its second page, not a
    # filter with every field empty (which would be every evaluation).
    chosen = request.GET.copy()
    chosen.pop("page", None)
    form = EvaluationFilterForm(chosen or None, user=request.user, initial=initial)
    whole = Unit.objects.all_visible_to(scope(request.user))
    rows = _evaluations(request, form, whole)
    fmt = request.GET.get("format")
    if rows is not None and fmt in ("csv", "xlsx"):
        return _evaluation_export(fmt, form, rows)
    shown_range = (
        form.cleaned_data.get("range") if form.is_bound and rows is not None else initial["range"]
    ) or ""
    units = []
    if rows is not None and shown_range == EvaluationFilterForm.SUPERVISED:
        units = list(
            rows.order_by()
            .values("unit__code", "unit__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "unit__code")[:20]
        )
    query = request.GET.copy()
    query.pop("page", None)
    shown = rows if rows is not None else Evaluation.objects.none()
    context = _context(
        request, "reviews",
        form=form,
        evaluations=paginate(
            request,
            _listed(form, shown, whole) if rows is not None else shown,
            counted=_counted(request, form, shown, whole),
        ),
        range_label=dict(EvaluationFilterForm.RANGES)[shown_range],
        supervised_units=units,
        supervised_levels="、".join(EvalLevel(lv).label for lv in sorted(supervised_levels(), reverse=True)),
        query=query.urlencode(),
    )  # fmt: skip
    return render(
        request, "evaluations/evaluation_list.html", context, status=200 if rows is not None else 400
    )


def _evaluation_export(fmt: str, form: EvaluationFilterForm, rows: QuerySet[Evaluation]) -> HttpResponse:
    def line(e: Evaluation) -> list:
        task = getattr(e, "task", None) if hasattr(e, "task") else None
        return [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), e.eval_id, e.unit.name,
            e.case.item.name if e.case_id else "", e.case_id or "", e.get_level_display(), e.get_channel_display(),
            "是" if e.auto else "", pii.redact(e.comment), "是" if e.appeal_upheld else "",
            task.number if task else "",
        ]  # fmt: skip

    data = form.cleaned_data if form.is_bound else {}
    period = f"{data.get('date_from') or '不限'}至{data.get('date_to') or '不限'}"
    title = dict(EvaluationFilterForm.RANGES)[data.get("range", "")]
    lines = (line(e) for e in rows.iterator(chunk_size=2000))
    if fmt == "csv":
        content = table_csv(EVALUATION_COLUMNS, lines)
    else:
        content = table_xlsx(
            f"好差评台账：{title}", f"评价日期：{period}", EVALUATION_COLUMNS, lines,
            sheet_title="好差评", widths={3: 24, 4: 30, 9: 48},
        )  # fmt: skip
    return download_file(content, fmt, f"好差评台账_{timezone.localdate().isoformat()}")


# -- 差评整改 ------------------------------------------------------------------------------------


def _tasks(request: HttpRequest) -> QuerySet[Task]:
    return Task.objects.visible_to(scope(request.user)).select_related("unit", "evaluation__case__item")


def _month_end(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


@member_required
def task_list(request: HttpRequest) -> HttpResponse:
    """The unit's inbox of negative reviews; for the supervisors every task in scope."""
    form = TaskFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    tasks = _tasks(request)
    counts = dict(tasks.order_by().values_list("status").annotate(n=Count("id")))
    late = tasks.filter(rectification.overdue(today)).count()
    if form.is_bound and not form.is_valid():
        tasks = tasks.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["status"]:
            tasks = tasks.filter(status=data["status"])
        if data["unit"]:
            tasks = tasks.filter(subtree(data["unit"].path, "unit"))
        if data["month"]:
            month = data["month"]
            tasks = tasks.filter(
                opened_at__gte=start_of_day(month), opened_at__lt=start_of_day(_month_end(month))
            )
        if data["overdue"]:
            tasks = tasks.filter(rectification.overdue(today))
    context = _context(
        request, "tasks",
        form=form,
        tasks=paginate(request, tasks.order_by("-opened_at", "-id")),
        tiles=[(s, s.label, counts.get(s.value, 0)) for s in Status if s not in Task.DONE],
        late=late,
        today=today,
    )  # fmt: skip
    return render(request, "evaluations/task_list.html", context)


def _task_page(request: HttpRequest, task: Task, **bound) -> HttpResponse:
    """The task with its evaluation, its whole timeline and the forms the viewer may use now."""
    user = request.user
    handles = may(user, HANDLE_NEGATIVE)
    status = Status(task.status)

    def form(name: str, cls, allowed: bool):
        return bound.get(name, cls()) if allowed else None

    evaluation = task.evaluation
    steps = [
        (s, STEP_LABELS.get(s.kind, s.kind))
        for s in task.steps.select_related("order").prefetch_related("attachments")
    ]
    context = _context(
        request, "tasks",
        task=task,
        evaluation=evaluation,
        case=evaluation.case if evaluation.case_id and scope(user).contains(evaluation.case.unit) else None,
        steps=steps,
        step_due=task.step_due,
        late=task.step_due is not None and task.step_due < timezone.localdate(),
        can_contact=handles and rectification.may_reveal_contact(task),
        verify_form=form("verify_form", VerifyForm, handles and task.can_move_to(Status.VERIFIED)),
        rectify_form=form("rectify_form", RectifyForm, handles and task.can_move_to(Status.RECTIFIED)),
        callback_form=form(
            "callback_form", CallbackForm,
            handles and task.can_move_to(Status.CALLED_BACK) and not (status == Status.VERIFIED and task.substantiated),
        ),
        appeal_form=form("appeal_form", AppealForm, handles and task.can_move_to(Status.APPEALING) and not task.appeal_decision),
        accept_form=form("accept_form", AcceptForm, may(user, REVIEW_NEGATIVE) and task.can_move_to(Status.CLOSED)),
        send_back_form=form("send_back_form", SendBackForm, may(user, REVIEW_NEGATIVE) and task.can_move_to(Status.RETURNED)),
        decide_form=form("decide_form", DecideAppealForm, may(user, DECIDE_APPEAL) and status == Status.APPEALING),
    )  # fmt: skip
    return render(request, "evaluations/task_detail.html", context)


@member_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, rectification.access_task(request.user, pk))


def _step_view(action: str, form_name: str, form_class, done: str, run):
    """A POST view for one step: check the role, validate the form, call the service."""

    @member_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        task = rectification.access_task(request.user, pk, action)
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                run(Actor.of_request(request), task, form)
            except rectification.LoopError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, done.format(number=task.number))
                return redirect("evaluations:task-detail", pk=task.pk)
        task.refresh_from_db()
        return _task_page(request, task, **{form_name: form})

    return view


verify = _step_view(
    HANDLE_NEGATIVE, "verify_form", VerifyForm, "{number} 已登记核实情况",
    lambda a, t, f: rectification.do_verify(a, t, substantiated=f.cleaned_data["substantiated"],
                                   finding=f.cleaned_data["finding"], files=f.files_read()),
)  # fmt: skip
rectify = _step_view(
    HANDLE_NEGATIVE, "rectify_form", RectifyForm, "{number} 已登记整改措施",
    lambda a, t, f: rectification.do_rectify(a, t, measures=f.cleaned_data["measures"], files=f.files_read()),
)  # fmt: skip
callback = _step_view(
    HANDLE_NEGATIVE, "callback_form", CallbackForm, "{number} 已登记回访结果，等待审核",
    lambda a, t, f: rectification.do_callback(a, t, result=f.cleaned_data["result"], note=f.cleaned_data["note"],
                                     files=f.files_read()),
)  # fmt: skip
appeal = _step_view(
    HANDLE_NEGATIVE, "appeal_form", AppealForm, "{number} 已提出申诉，等待政务服务管理办公室复核",
    lambda a, t, f: rectification.do_appeal(a, t, f.cleaned_data["reason"], files=f.files_read()),
)  # fmt: skip
accept = _step_view(
    REVIEW_NEGATIVE, "accept_form", AcceptForm, "{number} 已审核办结",
    lambda a, t, f: rectification.do_accept(a, t, f.cleaned_data["comment"]),
)  # fmt: skip
send_back = _step_view(
    REVIEW_NEGATIVE, "send_back_form", SendBackForm, "{number} 已退回单位整改",
    lambda a, t, f: rectification.do_send_back(a, t, f.cleaned_data["comment"]),
)  # fmt: skip
decide_appeal = _step_view(
    DECIDE_APPEAL, "decide_form", DecideAppealForm, "{number} 的申诉已复核",
    lambda a, t, f: rectification.do_decide_appeal(a, t, upheld=f.cleaned_data["decision"] == Task.Appeal.UPHELD,
                                          comment=f.cleaned_data["comment"]),
)  # fmt: skip


@member_required
@require_POST
@never_cache
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The citizen's contact in clear, for the unit that owes a callback (回访率 100%); audited,
    the entry naming the task, never the value."""
    task = rectification.access_task(request.user, pk, HANDLE_NEGATIVE)
    value = rectification.do_reveal_contact(Actor.of_request(request), task)
    context = _context(request, "tasks", task=task, value=value)
    return render(request, "evaluations/contact.html", context)


@member_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence, always as a download: an uploaded page must never render as ours."""
    return download(rectification.access_task_attachment(request.user, pk))


# -- 建议书与提醒函 --------------------------------------------------------------------------------


def _letters(request: HttpRequest) -> QuerySet[Letter]:
    return Letter.objects.visible_to(scope(request.user)).select_related("unit")


@member_required
def letter_list(request: HttpRequest) -> HttpResponse:
    form = LetterFilterForm(request.GET or None, user=request.user)
    letters = _letters(request)
    if form.is_bound and not form.is_valid():
        letters = letters.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["kind"]:
            letters = letters.filter(kind=data["kind"])
        if data["status"]:
            letters = letters.filter(status=data["status"])
        if data["unit"]:
            letters = letters.filter(subtree(data["unit"].path, "unit"))
    context = _context(
        request, "letters", form=form, letters=paginate(request, letters.order_by("-created_at", "-id")),
        today=timezone.localdate(),
    )  # fmt: skip
    return render(request, "evaluations/letter_list.html", context)


@action_required(ISSUE_LETTERS)
def letter_new(request: HttpRequest) -> HttpResponse:
    """A new draft, its body drafted from the unit's negative reviews and overdue tasks."""
    today = timezone.localdate()
    initial = {"date_from": today.replace(day=1), "date_to": today}
    # From the special-supervision list: the unit (and kind) chosen there.
    initial.update(
        {k: request.GET[k] for k in ("unit", "kind", "date_from", "date_to") if request.GET.get(k)}
    )
    form = NewLetterForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter = letter_services.do_create_letter(
                Actor.of_request(request), data["kind"], data["unit"], data["date_from"], data["date_to"]
            )
        except letter_services.LetterError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已起草{letter.get_kind_display()}，请核对修改后下发")
            return redirect("evaluations:letter-detail", pk=letter.pk)
    return render(request, "evaluations/letter_new.html", _context(request, "letters", form=form))


def _letter_page(request: HttpRequest, letter: Letter, **bound) -> HttpResponse:
    user = request.user
    status = Letter.Status(letter.status)
    issues = may(user, ISSUE_LETTERS)

    def form(name: str, allowed: bool, make):
        return bound.get(name, make()) if allowed else None

    context = _context(
        request, "letters",
        letter=letter,
        steps=[(s, LETTER_STEP_LABELS.get(s.kind, s.kind)) for s in letter.steps.all()],
        late=status == Letter.Status.ISSUED and letter.reply_due is not None and letter.reply_due < timezone.localdate(),
        edit_form=form("edit_form", issues and status == Letter.Status.DRAFT,
                       lambda: EditLetterForm(initial={"subject": letter.subject, "body": letter.body})),
        can_issue=issues and status == Letter.Status.DRAFT,
        reply_form=form("reply_form", may(user, REPLY_LETTERS) and status == Letter.Status.ISSUED,
                        lambda: LetterReplyForm(letter=letter)),
        close_form=form("close_form", issues and status == Letter.Status.REPLIED, LetterCloseForm),
        return_form=form("return_form", issues and status == Letter.Status.REPLIED, LetterReturnForm),
    )  # fmt: skip
    return render(request, "evaluations/letter_detail.html", context)


@member_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _letter_page(request, letter_services.access_letter(request.user, pk))


def _letter_step(action: str, form_name: str, make_form, done: str, run):
    @member_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        letter = letter_services.access_letter(request.user, pk, action)
        form = make_form(request.POST, letter)
        if form is None or form.is_valid():
            try:
                letter = run(Actor.of_request(request), letter, form)
            except letter_services.LetterError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, done.format(letter=letter))
                return redirect("evaluations:letter-detail", pk=letter.pk)
        letter.refresh_from_db()
        return _letter_page(request, letter, **({form_name: form} if form is not None else {}))

    return view


letter_edit = _letter_step(
    ISSUE_LETTERS, "edit_form", lambda data, letter: EditLetterForm(data), "草稿已保存",
    lambda a, lt, f: letter_services.do_edit_letter(a, lt, f.cleaned_data["subject"], f.cleaned_data["body"]),
)  # fmt: skip
letter_issue = _letter_step(
    ISSUE_LETTERS, "", lambda data, letter: None, "已下发 {letter.number}，反馈期限 {letter.reply_due:%Y-%m-%d}",
    lambda a, lt, f: letter_services.do_issue_letter(a, lt),
)  # fmt: skip
letter_reply = _letter_step(
    REPLY_LETTERS, "reply_form", lambda data, letter: LetterReplyForm(data, letter=letter), "已反馈 {letter.number}，等待审核",
    lambda a, lt, f: letter_services.do_reply_letter(a, lt, f.cleaned_data["measures"], f.cleaned_data["institution"]),
)  # fmt: skip
letter_close = _letter_step(
    ISSUE_LETTERS, "close_form", lambda data, letter: LetterCloseForm(data), "{letter.number} 已办结",
    lambda a, lt, f: letter_services.do_close_letter(a, lt, f.cleaned_data["comment"]),
)  # fmt: skip
letter_return = _letter_step(
    ISSUE_LETTERS, "return_form", lambda data, letter: LetterReturnForm(data), "{letter.number} 的反馈已退回",
    lambda a, lt, f: letter_services.do_return_letter(a, lt, f.cleaned_data["comment"]),
)  # fmt: skip


@member_required
def letter_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued letter as a Word document (or PDF); a draft has no number yet and is not printed."""
    letter = get_object_or_404(_letters(request).exclude(number=None), pk=pk)
    back = reverse("evaluations:letter-detail", args=[letter.pk])
    return document_download(
        request, letter_docx(letter), f"{letter.get_kind_display()}-{letter.number}", back
    )
