"""The public complaint page (phone-sized, no login): a citizen writes a complaint with an optional
case number and contact, and gets a receipt link that shows its progress and the final reply; and
the public clue page (网上举报). The guards are the evaluation pages': a rate limit per address, a
honeypot, a minimum fill time; what a citizen writes is shown back only escaped.

A complaint from a window's QR code (/e/complaint/w/<window token>/) is a window complaint (不满意请
找我); any other is a web complaint. The receipt link is signed: it cannot be guessed from the
complaint's number.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from govwatch.audit.log import Actor
from govwatch.cases.models import Case
from govwatch.clues import handling as clues
from govwatch.complaints import handling as complaints
from govwatch.complaints.models import Complaint
from govwatch.core.choices import ComplaintSource

from . import ratelimit
from .complaint_forms import PublicClueForm, PublicComplaintForm
from .qr import qr_svg
from .tokens import ForgedLink, absolute_url, form_stamp, read_window_token
from .views import BOT, FORGED, NOT_ACCEPTED, TOO_MANY, _fresh, _guard, _message

RECEIPT_SALT = "govwatch.public.complaint-receipt"
# Complaints and clues from one address in an hour: a citizen sends one or two; a shared office
# address a few more.
PER_ADDRESS_HOUR = ratelimit.Limit("complaint-ip", "PUBLIC_COMPLAINTS_PER_ADDRESS_HOUR", timedelta(hours=1))
SCOPE = "complaint"
CLUE_SCOPE = "clue"
NO_CASE = "没有找到这个业务编号，请核对后重新填写（不知道可以不填）"
GONE = ("回执无效", "未找到该回执对应的诉求。如需帮助，请拨打 12345 政务服务便民热线。")


def receipt_token(complaint: Complaint) -> str:
    return signing.Signer(salt=RECEIPT_SALT).sign(complaint.complaint_id)


def _actor(request: HttpRequest, what: str) -> Actor:
    # "public:…" reads 群众 on timelines and in the audit log.
    return Actor(f"public:{what}", None, request.META.get("REMOTE_ADDR", ""))


def _limited(request: HttpRequest) -> bool:
    address = ratelimit.address(request)
    return not ratelimit.hit((ratelimit.SUBMIT_PER_ADDRESS, address), (PER_ADDRESS_HOUR, address))


@never_cache
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest, window: str = "") -> HttpResponse:
    source, window_code = ComplaintSource.WEB, ""
    if window:
        try:
            window_code = read_window_token(window)
        except ForgedLink:
            return _message(request, FORGED, 403)
        source = ComplaintSource.WINDOW

    def page(form: PublicComplaintForm, message: str = "", status: int = 200) -> HttpResponse:
        return render(request, "public/complaint.html",
                      {"form": form, "message": message, "window_code": window_code}, status=status)  # fmt: skip

    if request.method == "GET":
        return page(PublicComplaintForm(initial={"stamp": form_stamp(SCOPE)}))
    if _limited(request):
        return _message(request, TOO_MANY, 429)
    form = PublicComplaintForm(request.POST)
    refused = _guard(request, SCOPE)
    if refused == BOT:
        return _message(request, NOT_ACCEPTED, 400)
    if refused:
        return page(_fresh(form, SCOPE), refused, 400)
    if not form.is_valid():
        return page(_fresh(form, SCOPE), status=400)
    data = form.cleaned_data
    case = None
    if data["case_no"]:
        case = Case.objects.filter(case_no=data["case_no"].strip()).select_related("unit").first()
        if case is None:
            form.add_error("case_no", NO_CASE)
            return page(_fresh(form, SCOPE), status=400)
    content = data["content"] + (f"\n（{window_code} 号窗口扫码反映）" if window_code else "")
    try:
        taken = complaints.receive(
            _actor(request, "complaint"), source=source, content=content, kind=data["kind"], case=case,
            contact=data["contact"], at=timezone.now(),
        )  # fmt: skip
    except complaints.ComplaintError as exc:
        return page(_fresh(form, SCOPE), str(exc), 400)
    return redirect("public:complaint-receipt", token=receipt_token(taken))


@never_cache
@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    try:
        complaint_id = signing.Signer(salt=RECEIPT_SALT).unsign(token)
    except signing.BadSignature:
        return _message(request, FORGED, 403)
    taken = Complaint.objects.filter(complaint_id=complaint_id).first()
    if taken is None:
        return _message(request, GONE, 410)
    link = request.build_absolute_uri(reverse("public:complaint-receipt", args=[token]))
    return render(request, "public/complaint_receipt.html",
                  {"complaint": taken, "progress": complaints.progress(taken), "link": link})  # fmt: skip


@never_cache
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def clue(request: HttpRequest) -> HttpResponse:
    def page(form: PublicClueForm, message: str = "", status: int = 200) -> HttpResponse:
        return render(request, "public/clue.html", {"form": form, "message": message}, status=status)

    if request.method == "GET":
        return page(PublicClueForm(initial={"stamp": form_stamp(CLUE_SCOPE)}))
    if _limited(request):
        return _message(request, TOO_MANY, 429)
    form = PublicClueForm(request.POST)
    refused = _guard(request, CLUE_SCOPE)
    if refused == BOT:
        return _message(request, NOT_ACCEPTED, 400)
    if refused:
        return page(_fresh(form, CLUE_SCOPE), refused, 400)
    if not form.is_valid():
        return page(_fresh(form, CLUE_SCOPE), status=400)
    data = form.cleaned_data
    try:
        registered = clues.receive_public(
            _actor(request, "clue"), summary=data["summary"], details=data["details"], field=data["field"],
            informant=data["contact"],
        )  # fmt: skip
    except clues.ClueError as exc:
        return page(_fresh(form, CLUE_SCOPE), str(exc), 400)
    return render(request, "public/clue_thanks.html", {"number": registered.number})


@cache_control(private=True, max_age=86400)
@require_GET
def window_qr(request: HttpRequest, window: str) -> HttpResponse:
    """The QR code of a window's "not satisfied? ask me" page, for the hall's QR sheet."""
    try:
        window_code = read_window_token(window)
    except ForgedLink:
        return HttpResponse(status=403)
    url = absolute_url(reverse("public:complaint-window", args=[window]), request)
    return HttpResponse(qr_svg(url, f"{window_code} 号窗口 不满意请找我"), content_type="image/svg+xml")
