"""问题线索 pages: only the supervisors (MANAGE_CLUES) open them; a clue outside their part of the
tree does not exist (404)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required
from govwatch.accounts.permissions import MANAGE_CLUES, scope
from govwatch.audit.log import Actor
from govwatch.complaints.models import Complaint, SampledCall
from govwatch.core import pii
from govwatch.core.downloads import document_download
from govwatch.supervision.views.common import paginate

from . import handling
from .documents import transfer_docx
from .forms import AssessForm, ConcludeForm, FilterForm, RegisterForm, TransferForm
from .models import Clue

STEP_LABELS = {"registered": "登记", "assessed": "研判", "transferred": "移送", "concluded": "办结"}


def _clues(request: HttpRequest) -> QuerySet[Clue]:
    return Clue.objects.visible_to(scope(request.user)).select_related("unit", "complaint")


def _context(**values) -> dict:
    return {"nav": "complaints", "section": "clues", **values}


@action_required(MANAGE_CLUES)
def clue_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    clues = _clues(request)
    if form.is_bound and form.is_valid():
        for name in ("status", "source", "field"):
            if form.cleaned_data[name]:
                clues = clues.filter(**{name: form.cleaned_data[name]})
    return render(request, "clues/clue_list.html", _context(form=form, clues=paginate(request, clues)))


def _origin(request: HttpRequest, data) -> dict:
    """The complaint or call a new clue comes from (?complaint=ID, ?call=ID), within the scope."""
    found = {}
    if data.get("complaint"):
        found["complaint"] = get_object_or_404(
            Complaint.objects.visible_to(scope(request.user)), pk=data.get("complaint")
        )
    if data.get("call"):
        calls = SampledCall.objects.visible_to(scope(request.user)).select_related("plan", "unit")
        found["call"] = get_object_or_404(calls, pk=data.get("call"))
    return found


@action_required(MANAGE_CLUES)
def clue_new(request: HttpRequest) -> HttpResponse:
    origin = _origin(request, request.POST if request.method == "POST" else request.GET)
    initial = {"source": Clue.Source.OTHER}
    complaint, call = origin.get("complaint"), origin.get("call")
    if complaint:
        initial.update(
            source=Clue.Source.COMPLAINT, complaint=complaint.pk, details=pii.redact(complaint.content),
            summary=f"{complaint.get_kind_display()}{complaint.complaint_id}反映的问题",
            unit=complaint.unit.code if complaint.unit_id else None,
        )  # fmt: skip
    if call:
        initial.update(
            source=Clue.Source.CALLBACK, call=call.pk, unit=call.unit.code,
            summary=f"回访抽查发现{call.unit.name}的{call.get_subject_display()}记录与群众所说不符",
            details=f"回访抽查“{call.plan.name}”：{call.note}", field=Clue.Field.EVALUATION,
        )  # fmt: skip
    form = RegisterForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clue = handling.do_register(
                Actor.of_request(request), source=data["source"], field=data["field"], unit=data["unit"],
                subject=data["subject"], summary=data["summary"], details=data["details"], **origin,
            )  # fmt: skip
        except handling.ClueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记问题线索 {clue.number}")
            return redirect("clues:detail", pk=clue.pk)
    return render(request, "clues/clue_new.html", _context(form=form, **origin))


def _shown(step):
    step.text = pii.redact(step.text)  # shown only: an informant's number in the text stays masked
    return step


def _page(request: HttpRequest, clue: Clue, **bound) -> HttpResponse:
    S = Clue.Status  # noqa: N806
    transfer_owed = clue.status == S.ASSESSED and clue.decision == Clue.Decision.TRANSFER
    context = _context(
        clue=clue,
        details=pii.redact(clue.details),
        steps=[(_shown(s), STEP_LABELS.get(s.kind, s.kind)) for s in clue.steps.all()],
        assess_form=bound.get("assess_form") or AssessForm() if clue.status == S.REGISTERED else None,
        transfer_form=bound.get("transfer_form") or TransferForm() if transfer_owed else None,
        conclude_form=(bound.get("conclude_form") or ConcludeForm())
        if clue.status == S.TRANSFERRED or (clue.status == S.ASSESSED and not transfer_owed) else None,
    )  # fmt: skip
    return render(request, "clues/clue_detail.html", context)


@action_required(MANAGE_CLUES)
def clue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(_clues(request), pk=pk))


def _step(form_name: str, form_class, done: str, run):
    @action_required(MANAGE_CLUES)
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        clue = get_object_or_404(_clues(request), pk=pk)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                clue = run(Actor.of_request(request), clue, form.cleaned_data)
            except handling.ClueError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, done.format(c=clue))
                return redirect("clues:detail", pk=clue.pk)
        clue.refresh_from_db()
        return _page(request, clue, **{form_name: form})

    return view


assess = _step("assess_form", AssessForm, "{c.number} 已研判",
               lambda a, c, d: handling.do_assess(a, c, decision=d["decision"], text=d["text"]))  # fmt: skip
transfer = _step("transfer_form", TransferForm, "{c.number} 已移送（{c.transfer_number}），可下载移送函",
                 lambda a, c, d: handling.do_transfer(a, c, note=d["note"], to=d["to"]))  # fmt: skip
conclude = _step("conclude_form", ConcludeForm, "{c.number} 已办结",
                 lambda a, c, d: handling.do_conclude(a, c, outcome=d["outcome"], text=d["text"]))  # fmt: skip


@action_required(MANAGE_CLUES)
def transfer_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The transfer form as Word, or as PDF with ?format=pdf."""
    clue = get_object_or_404(_clues(request).exclude(transfer_number=None), pk=pk)
    return document_download(
        request, transfer_docx(clue), f"问题线索移送函-{clue.transfer_number}", clue.get_absolute_url()
    )
