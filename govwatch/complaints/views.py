"""投诉 pages: the list, one complaint with its whole timeline and the forms of the steps open to the
viewer, the office's register, and the record of dispatch suggestions.

Rows come from the viewer's scope (govwatch.accounts.permissions: a unit's staff see the complaints
of their subtree, the office and the supervisors the region's): outside it a complaint does not
exist (404); inside it a step without the role is refused (403). Each step is its own POST address
calling the service with Actor.of_request; a refused step shows the page again with the form as
filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import (
    CLOSE_COMPLAINTS,
    HANDLE_COMPLAINTS,
    MANAGE_CLUES,
    TRIAGE_COMPLAINTS,
    may,
    scope,
)
from govwatch.audit.log import Actor, record
from govwatch.cases.models import Case
from govwatch.core import pii
from govwatch.core.attachments import download
from govwatch.core.choices import Card, ComplaintCategory, UnitKind
from govwatch.core.localtime import start_of_day
from govwatch.core.tree import subtree
from govwatch.orgs.models import Unit
from govwatch.supervision.models import Watch
from govwatch.supervision.views.common import paginate
from govwatch.supervision.watches import watch_of

from . import handling, repeats, suggest, watching
from .forms import (
    CallbackForm,
    CloseForm,
    ComplaintFilterForm,
    DismissForm,
    FindForm,
    RegisterForm,
    ReopenForm,
    ReplyForm,
    SendBackForm,
    TriageForm,
    sign_suggestion,
)
from .models import Complaint, ComplaintAttachment, DispatchRecord

Status = Complaint.Status
STEP_LABELS = {
    "received": "受理",
    "triaged": "分办",
    "sent_back": "退回",
    "dismissed": "不予受理",
    "found": "核查",
    "replied": "答复",
    "called_back": "回访",
    "closed": "办结",
    "reopened": "重新办理",
    "card_yellow": "黄牌预警",
    "card_red": "红牌超时",
    "supervised": "超期督办",
}
CARD_TEXTS = {Card.YELLOW: "预警（黄牌）", Card.RED: "超时（红牌）"}
# Units offered as you type: the datalist of the page holds at most this many (a province office
# types a code or a name the list does not show, and the field still finds it).
UNIT_OPTIONS = 3000


def _complaints(request: HttpRequest) -> QuerySet[Complaint]:
    return Complaint.objects.visible_to(scope(request.user)).select_related("unit", "case__item")


def _context(request: HttpRequest, section: str, **values) -> dict:
    return {
        "nav": "complaints",
        "section": section,
        "can_register": may(request.user, TRIAGE_COMPLAINTS),
        **values,
    }


def _month_end(first):
    from datetime import date

    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _counted(request: HttpRequest, form: ComplaintFilterForm, complaints: QuerySet[Complaint]) -> QuerySet:
    """The same complaints, also limited by terms SQLite finds through indexes (the unit among the
    ids of the units in view, a case named, no unit yet): every complaint in view meets one, so
    the rows are the same, but a unit's few hundred are counted without walking the region's."""
    units = Unit.objects.visible_to(scope(request.user))
    if form.is_bound and form.is_valid() and form.cleaned_data["unit"]:
        units = units.filter(subtree(form.cleaned_data["unit"].path))
    return complaints.filter(Q(unit__in=units.values("pk")) | Q(case__gt="") | Q(unit__isnull=True))


@member_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    form = ComplaintFilterForm(request.GET or None, user=request.user)
    complaints = _complaints(request)
    # The tiles count the complaints still in hand only: through the (status, at) index, not every
    # complaint of the region joined to its units and cases.
    in_hand = [s for s in Status if s not in Complaint.DONE]
    counts = dict(
        complaints.filter(status__in=in_hand).order_by().values_list("status").annotate(n=Count("id"))
    )
    red = watching.carded(complaints, Card.RED).count()
    complaints = watching.with_card(complaints)
    if form.is_bound and not form.is_valid():
        complaints = complaints.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["q"]:
            complaints = complaints.filter(
                Q(complaint_id=data["q"].strip()) | Q(content__contains=data["q"].strip())
            )
        for field in ("status", "kind", "source"):
            if data[field]:
                complaints = complaints.filter(**{field: data[field]})
        if data["unit"]:
            complaints = complaints.filter(unit__path__startswith=data["unit"].path)
        if data["month"]:
            complaints = complaints.filter(
                at__gte=start_of_day(data["month"]), at__lt=start_of_day(_month_end(data["month"]))
            )
        if data["card"]:
            complaints = watching.carded(complaints, data["card"])
        if data["repeats"]:
            complaints = complaints.filter(repeat_of__isnull=False)
    context = _context(
        request, "list",
        form=form,
        complaints=paginate(request, complaints.order_by("-at", "-id"), counted=_counted(request, form, complaints)),
        tiles=[(s, s.label, counts.get(s.value, 0)) for s in in_hand],
        red=red,
        today=timezone.localdate(),
    )  # fmt: skip
    return render(request, "complaints/complaint_list.html", context)


def _candidates(request: HttpRequest) -> list[str] | None:
    mine = scope(request.user)
    if mine.everything:
        return None
    return list(
        Unit.objects.visible_to(mine).exclude(kind=UnitKind.SUPERVISOR).values_list("code", flat=True)
    )


def _unit_options(request: HttpRequest) -> list[tuple[str, str]]:
    units = Unit.objects.visible_to(scope(request.user)).exclude(
        kind__in=[UnitKind.SUPERVISOR, UnitKind.SECTION]
    )
    return list(units.order_by("path").values_list("code", "name")[:UNIT_OPTIONS])


def contact_owed(user, complaint: Complaint) -> bool:
    """Who may see the complainant's number in clear, and when: the unit while it investigates and
    replies, the office while the callback is owed."""
    if not complaint.contact_enc:
        return False
    return (may(user, HANDLE_COMPLAINTS) and complaint.status in (Status.ASSIGNED, Status.FOUND)) or (
        may(user, CLOSE_COMPLAINTS) and complaint.status == Status.REPLIED
    )


@dataclass(frozen=True)
class ShownStep:
    """A moment of the complaint's timeline kept elsewhere: a card the scan gave its deadline (a
    WatchFlip), or the intake of a complaint its source system took."""

    at: datetime
    kind: str
    text: str
    actor: str = "system:worker"
    linked_order = None
    files = ()


def _card_steps(watched: Watch | None) -> list[tuple[ShownStep, str]]:
    if watched is None:
        return []
    return [
        (ShownStep(flip.at, f"card_{flip.card}", f"{CARD_TEXTS[flip.card]}：办理期限 {watched.due_date:%Y-%m-%d}"),
         STEP_LABELS[f"card_{flip.card}"])
        for flip in watched.flips.filter(card__in=list(CARD_TEXTS))
    ]  # fmt: skip


def _intake_step(complaint: Complaint) -> list[tuple[ShownStep, str]]:
    """An imported complaint's intake, by its source (12345, the mayor's line ...), as a first step."""
    text = f"{complaint.get_source_display()}受理{complaint.get_kind_display()}，办理期限 {complaint.due_date:%Y-%m-%d}"
    if complaint.unit_id and complaint.triaged_at:
        text += f"，交 {complaint.unit.name} 办理"
    return [
        (ShownStep(complaint.at, "received", text, complaint.get_source_display()), STEP_LABELS["received"])
    ]


def _page(request: HttpRequest, complaint: Complaint, **bound) -> HttpResponse:
    """The complaint with its matter, its whole timeline and the forms the viewer may use now."""
    user = request.user
    triages, handles, closes = (
        may(user, TRIAGE_COMPLAINTS),
        may(user, HANDLE_COMPLAINTS),
        may(user, CLOSE_COMPLAINTS),
    )

    def form(name: str, make, allowed: bool):
        return bound.get(name) or make() if allowed else None

    suggestion = None
    triage_allowed = (
        triages and complaint.can_move_to(Status.ASSIGNED) and complaint.status == Status.RECEIVED
    )
    if triage_allowed:
        suggestion = suggest.suggestion_for(complaint.content, _candidates(request))
    # Signed as suggested, before the page adds names to it: what is recorded is what was shown.
    signed = sign_suggestion(suggestion)
    names = {}
    if suggestion:
        suggestion = {**suggestion, "units": [dict(u) for u in suggestion["units"]]}
        codes = [u["unit_code"] for u in suggestion["units"]]
        names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
        for u in suggestion["units"]:
            u["name"] = names.get(u["unit_code"], u["unit_code"])
    shown_category = ""
    if suggestion and suggestion.get("category") in ComplaintCategory.values:
        shown_category = ComplaintCategory(suggestion["category"]).label
    first = suggestion["units"][0] if suggestion and suggestion["units"] else None
    initial = {
        "kind": complaint.kind, "urgency": complaint.urgency,
        "category": complaint.category or (suggestion or {}).get("category", ""), "suggestion": signed,
        "unit": f"{first['unit_code']} {first['name']}" if first else "",
    }  # fmt: skip
    steps = []
    for step in complaint.steps.select_related("order").prefetch_related("attachments"):
        step.text = pii.redact(step.text)  # shown only: a number written into a reply stays masked
        steps.append((step, STEP_LABELS.get(step.kind, step.kind)))
    if not any(step.kind == "received" for step, _ in steps):
        steps = _intake_step(complaint) + steps
    watched = watch_of(complaint, watching.COMPLAINT)
    steps = sorted(steps + _card_steps(watched), key=lambda pair: pair[0].at)
    case = complaint.case if complaint.case_id and scope(user).contains(complaint.case.unit) else None
    context = _context(
        request, "list",
        complaint=complaint,
        content=pii.redact(complaint.content),
        case=case,
        matter=repeats.chain(complaint),
        steps=steps,
        card=watched.card if watched and watched.status == Watch.Status.OPEN else Card.NONE,
        late=complaint.is_open and complaint.due_date is not None and complaint.due_date < timezone.localdate(),
        can_contact=contact_owed(user, complaint),
        can_clue=may(user, MANAGE_CLUES),
        suggestion=suggestion,
        suggestion_category=shown_category,
        suggestion_signed=signed,
        unit_options=_unit_options(request) if triage_allowed else [],
        triage_form=form("triage_form", lambda: TriageForm(user=user, initial=initial), triage_allowed),
        dismiss_form=form("dismiss_form", DismissForm, triages and complaint.status == Status.RECEIVED),
        find_form=form("find_form", FindForm, handles and complaint.status == Status.ASSIGNED),
        send_back_form=form("send_back_form", SendBackForm, handles and complaint.status == Status.ASSIGNED),
        reply_form=form("reply_form", ReplyForm, handles and complaint.status == Status.FOUND),
        callback_form=form("callback_form", CallbackForm, closes and complaint.status == Status.REPLIED),
        close_form=form("close_form", CloseForm, closes and complaint.status == Status.CALLED_BACK),
        reopen_form=form("reopen_form", ReopenForm, closes and complaint.status == Status.CALLED_BACK),
    )  # fmt: skip
    return render(request, "complaints/complaint_detail.html", context)


@member_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(_complaints(request), pk=pk))


def _step_view(action: str, form_name: str, make_form, done: str, run):
    """A POST view for one step: check the role, validate the form, call the service."""

    @member_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        complaint = get_object_or_404(_complaints(request), pk=pk)
        if not may(request.user, action):
            raise PermissionDenied
        form = make_form(request)
        if form.is_valid():
            try:
                complaint = run(Actor.of_request(request), complaint, form)
            except handling.ComplaintError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, done.format(c=complaint))
                return redirect("complaints:detail", pk=complaint.pk)
        complaint.refresh_from_db()
        return _page(request, complaint, **{form_name: form})

    return view


def _triage(actor, complaint, form):
    data = form.cleaned_data
    return handling.do_triage(
        actor, complaint, unit=data["unit"], kind=data["kind"], urgency=data["urgency"],
        category=data["category"], suggestion=data["suggestion"],
    )  # fmt: skip


triage = _step_view(
    TRIAGE_COMPLAINTS, "triage_form", lambda r: TriageForm(r.POST, user=r.user), "{c.complaint_id} 已分办至 {c.unit.name}",
    _triage,
)  # fmt: skip
dismiss = _step_view(
    TRIAGE_COMPLAINTS, "dismiss_form", lambda r: DismissForm(r.POST), "{c.complaint_id} 已不予受理",
    lambda a, c, f: handling.do_dismiss(a, c, f.cleaned_data["reason"]),
)  # fmt: skip
find = _step_view(
    HANDLE_COMPLAINTS, "find_form", lambda r: FindForm(r.POST, r.FILES), "{c.complaint_id} 已登记核查情况",
    lambda a, c, f: handling.do_find(a, c, finding=f.cleaned_data["finding"], text=f.cleaned_data["text"],
                                     files=f.files_read()),
)  # fmt: skip
send_back = _step_view(
    HANDLE_COMPLAINTS, "send_back_form", lambda r: SendBackForm(r.POST), "{c.complaint_id} 已退回政务服务管理办公室",
    lambda a, c, f: handling.do_send_back(a, c, f.cleaned_data["reason"]),
)  # fmt: skip
reply = _step_view(
    HANDLE_COMPLAINTS, "reply_form", lambda r: ReplyForm(r.POST, r.FILES), "{c.complaint_id} 已答复群众，等待回访",
    lambda a, c, f: handling.do_reply(a, c, reply=f.cleaned_data["reply"], files=f.files_read()),
)  # fmt: skip
callback = _step_view(
    CLOSE_COMPLAINTS, "callback_form", lambda r: CallbackForm(r.POST), "{c.complaint_id} 已登记回访结果",
    lambda a, c, f: handling.do_callback(a, c, result=f.cleaned_data["result"], note=f.cleaned_data["note"]),
)  # fmt: skip
close = _step_view(
    CLOSE_COMPLAINTS, "close_form", lambda r: CloseForm(r.POST), "{c.complaint_id} 已办结",
    lambda a, c, f: handling.do_close(a, c, f.cleaned_data["comment"]),
)  # fmt: skip
reopen = _step_view(
    CLOSE_COMPLAINTS, "reopen_form", lambda r: ReopenForm(r.POST), "{c.complaint_id} 已交回单位重新办理",
    lambda a, c, f: handling.do_reopen(a, c, f.cleaned_data["reason"]),
)  # fmt: skip


@member_required
@require_POST
@never_cache
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The complainant's number in clear, for whoever owes them a call now; audited, the entry
    naming the complaint, never the number."""
    complaint = get_object_or_404(_complaints(request), pk=pk)
    if not contact_owed(request.user, complaint):
        raise PermissionDenied
    record(Actor.of_request(request), "complaint.reveal_contact", complaint,
           summary=f"为办理或回访查看投诉 {complaint.complaint_id} 的联系方式")  # fmt: skip
    context = _context(request, "list", complaint=complaint, value=pii.decrypt(complaint.contact_enc))
    return render(request, "complaints/contact.html", context)


@member_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence, always as a download: an uploaded page must never render as ours."""
    return download(get_object_or_404(ComplaintAttachment.objects.visible_to(scope(request.user)), pk=pk))


@action_required(TRIAGE_COMPLAINTS)
def register(request: HttpRequest) -> HttpResponse:
    """The office registers a complaint taken by phone, letter or at the "not satisfied" window."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = None
        if data["case_no"]:
            case = (
                Case.objects.visible_to(scope(request.user)).filter(case_no=data["case_no"].strip()).first()
            )
            if case is None:
                form.add_error("case_no", "没有这个业务编号，或不在您的职责范围内")
        if form.is_valid():
            try:
                complaint = handling.do_register(
                    Actor.of_request(request), source=data["source"], content=data["content"], kind=data["kind"],
                    urgency=data["urgency"], case=case, contact=data["contact"],
                )  # fmt: skip
            except handling.ComplaintError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已登记 {complaint.complaint_id}，请分办")
                return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/register.html", _context(request, "register", form=form))


@action_required(TRIAGE_COMPLAINTS)
@require_GET
def unit_options(request: HttpRequest) -> JsonResponse:
    """Type-ahead of units for a long list: the first 20 of the user's scope matching `q`."""
    q = request.GET.get("q", "").strip()
    units = Unit.objects.visible_to(scope(request.user)).exclude(
        kind__in=[UnitKind.SUPERVISOR, UnitKind.SECTION]
    )
    if q:
        units = units.filter(Q(code__startswith=q) | Q(name__contains=q))
    return JsonResponse(
        {
            "units": [
                {"code": c, "name": n} for c, n in units.order_by("path").values_list("code", "name")[:20]
            ]
        }
    )


@member_required
def dispatch_records(request: HttpRequest) -> HttpResponse:
    """The record of dispatch suggestions: how often the office followed them, and each decision."""
    records = DispatchRecord.objects.filter(complaint__in=_complaints(request)).select_related(
        "complaint", "chosen_unit"
    )
    totals = records.aggregate(n=Count("id"), accepted=Count("id", filter=Q(accepted=True)),
                               top3=Count("id", filter=Q(rank__isnull=False)))  # fmt: skip
    rate = lambda k: totals[k] / totals["n"] if totals["n"] else None  # noqa: E731
    context = _context(
        request, "dispatch", records=paginate(request, records.order_by("-at", "-id")), totals=totals,
        accepted_rate=rate("accepted"), top3_rate=rate("top3"),
    )  # fmt: skip
    return render(request, "complaints/dispatch.html", context)
