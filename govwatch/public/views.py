"""The public evaluation pages (no login: a signed link is the citizen's key) and, for staff, the
printable acceptance notice and the windows' QR sheet.

What a citizen sees never leaks why a link failed beyond "invalid" or "expired", nor whether a case
number exists: the window flow answers a wrong case number and wrong digits alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import MANAGE_CATALOG, access, scope
from govwatch.audit.log import Actor
from govwatch.cases.models import Case
from govwatch.core import pii
from govwatch.core.choices import CaseStatus, EvalChannel, EvalLevel, UnitKind
from govwatch.core.tree import within
from govwatch.evaluations.intake import ALREADY_RATED, EvaluationRefused, check_case, check_content
from govwatch.evaluations.models import Evaluation
from govwatch.evaluations.rectification import public_outcome
from govwatch.evaluations.rules import is_negative
from govwatch.orgs.models import Unit

from . import ratelimit
from .contacts import find_contact, last_four_match
from .forms import HONEYPOT, EvaluationForm, GuardedForm, WindowCheckForm
from .intake import AlreadyReceived, Arrival, new_submission, receive, submission_of, take_in
from .models import ApplicantContact, Submission
from .qr import cached_qr_svgs, data_uri, qr_svg
from .tokens import (
    ExpiredLink,
    ForgedLink,
    Link,
    absolute_url,
    evaluation_last_day,
    evaluation_link,
    form_stamp,
    make_token,
    read_stamp,
    read_token,
    read_window_token,
    window_closed,
    window_token,
)

LEVELS = [(level.value, level.label) for level in EvalLevel]  # 5 非常满意 ... 1 非常不满意
FORGED = (
    "链接无效",
    "该评价链接无效，可能不完整或已被改动。请扫描受理通知书或窗口的二维码，或使用短信中的完整链接。",
)
EXPIRED = ("链接已过期", "该评价链接已过期。如需反映问题，请拨打 12345 政务服务便民热线。")
GONE = ("链接已失效", "未找到该链接对应的办件。如需反映问题，请拨打 12345 政务服务便民热线。")
TOO_MANY = ("操作过于频繁", "提交次数过多，请稍后再试。")
LOCKED = (
    "验证已暂时锁定",
    "该业务编号验证失败次数过多，已锁定 1 小时。请稍后再试，或在窗口使用评价器评价。",
)
NOT_ACCEPTED = ("提交未被接受", "您的提交未被接受，请重新打开评价页面后填写。")
MISMATCH = "业务编号或手机号后四位不正确，请核对后重试"
TOO_FAST = "提交过快，请确认填写的内容后再次提交"
STALE = "页面已失效，请确认填写的内容后再次提交"
REPLAYED = "该表单已提交过，请确认填写的内容后再次提交"
BOT = "honeypot filled"
LIMITED = "rate limited"
ALREADY = ALREADY_RATED
RECEIVED = ("已收到您的评价", "您的评价已收到，正在登记，请稍后刷新本页查看。")
STAMP_MAX_AGE = 24 * 3600  # seconds a shown form stays good
# How far back the QR sheet looks for the windows in use.
SHEET_DAYS = 365


def _message(request: HttpRequest, title_text: tuple[str, str], status: int, **extra) -> HttpResponse:
    title, text = title_text
    return render(request, "public/message.html", {"title": title, "text": text, **extra}, status=status)


class Refused(Exception):
    """A link that opens no page of its case: the title, text and status of the page saying so."""

    def __init__(self, title_text: tuple[str, str], status: int) -> None:
        super().__init__(title_text[0])
        self.title_text = title_text
        self.status = status


def _link(token: str) -> Link:
    try:
        return read_token(token)
    except ForgedLink as exc:
        raise Refused(FORGED, 403) from exc
    except ExpiredLink as exc:
        raise Refused(EXPIRED, 410) from exc


def _case(case_no: str) -> Case:
    """The case with what its pages show (item, unit)."""
    # case_no is unique: at most one row, no ORDER BY needed.
    case = next(iter(Case.objects.select_related("item", "unit").filter(case_no=case_no)[:1]), None)
    if case is None:
        raise Refused(GONE, 410)
    return case


def _open(token: str) -> tuple[Link, Case]:
    """The link and its case."""
    link = _link(token)
    return link, _case(link.case_no)


def _evaluation_of(case: Case) -> Evaluation | None:
    return Evaluation.objects.filter(case=case).order_by("-at", "-id").first()


def _guard(
    request: HttpRequest, scope: str, limits: tuple[tuple[ratelimit.Limit, str], ...] = ()
) -> str | None:
    """Why a guarded form is refused before its content is read: LIMITED when one of `limits` (the
    page's rate limits, counted with the stamp in one statement) is over, BOT for a filled
    honeypot, else the message shown with the form again (stale, replayed, too fast); None when it
    may be read.

    The guard refuses what people never do, not what they do quickly: a form that was never shown
    (no stamp of ours for this link or window), one shown more than a day ago, one sent a second
    time (each stamp is good once: a bot must fetch the page for every try, and the rate limits
    count those), a filled honeypot. A citizen who taps 非常满意 and sends at once is not refused;
    a minimum fill time (GOVWATCH_PUBLIC_MIN_FILL_SECONDS) is off unless a region sets one.
    """
    refused, stamp_check = _guard_ahead(request, scope)
    if not limits and not stamp_check:
        return refused
    return _guarded(refused, limits, ratelimit.over(*limits, *stamp_check))


def _guard_ahead(
    request: HttpRequest, scope: str
) -> tuple[str | None, tuple[tuple[ratelimit.Limit, str], ...]]:
    """What the guard sees without the database: BOT, STALE or TOO_FAST (or None), and the stamp's
    hit to count (none for a form refused already)."""
    stamp = read_stamp(request.POST.get("stamp", ""), scope)
    refused = None
    if request.POST.get(HONEYPOT, ""):
        refused = BOT
    elif stamp is None or stamp.age > STAMP_MAX_AGE or not stamp.nonce:
        refused = STALE
    elif stamp.age < settings.PUBLIC_MIN_FILL_SECONDS:
        refused = TOO_FAST
    return refused, (() if refused or stamp is None else ((ratelimit.STAMP_ONCE, stamp.nonce),))


def _guarded(
    refused: str | None, limits: tuple[tuple[ratelimit.Limit, str], ...], over: set[ratelimit.Limit]
) -> str | None:
    """The guard's answer once the limits and the stamp are counted (`over`: those now over)."""
    if any(limit in over for limit, _ in limits):
        return LIMITED
    if ratelimit.STAMP_ONCE in over:
        return REPLAYED
    return refused


def _fresh(form: GuardedForm, scope: str) -> GuardedForm:
    """The form as sent, with a new stamp: shown again, it is timed again."""
    data = form.data.copy()
    data["stamp"] = form_stamp(scope)
    form.data = data
    return form


def _actor(request: HttpRequest, channel: str) -> Actor:
    return Actor(f"public:{channel}", None, request.META.get("REMOTE_ADDR", ""))


def _form_page(
    request: HttpRequest,
    token: str,
    case: Case,
    form: EvaluationForm,
    *,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "public/evaluate.html",
        {
            "case": case,
            "form": form,
            "levels": LEVELS,
            "stars": "★★★★★",
            "chosen_level": str(form["level"].value() or ""),
            "last_day": evaluation_last_day(case),
            "message": message,
            "action": reverse("public:evaluate", args=[token]),
        },
        status=status,
    )


def _done_page(
    request: HttpRequest, evaluation: Evaluation, *, message: str = "", status: int = 200
) -> HttpResponse:
    outcome = public_outcome(evaluation)
    return render(
        request,
        "public/done.html",
        {
            "case": evaluation.case,
            "evaluation": evaluation,
            "stars": "★" * evaluation.level + "☆" * (5 - evaluation.level),
            "outcome": outcome,
            "outcome_at": datetime.fromisoformat(outcome["updated_at"]),
            "message": message,
        },
        status=status,
    )


def _closed_page(
    request: HttpRequest, case: Case, now: datetime, *, message: str = ""
) -> HttpResponse | None:
    """The page of a case that takes no evaluation now, or None when it does."""
    if case.status != CaseStatus.COMPLETED:
        if case.is_open:
            text = message or "该办件尚未办结，办结后即可评价。请保存此链接，办结后再次打开。"
            return _message(request, ("尚未办结", text), 409 if message else 200, case=case)
        text = message or f"该办件{case.get_status_display()}，不能评价。"
        return _message(request, ("不能评价", text), 409, case=case)
    if window_closed(case, now):
        last_day = evaluation_last_day(case)
        text = (
            message
            or f"已超过评价期限：办结后 {settings.EVALUATION_WINDOW_DAYS} 天内可以评价（截至 {last_day:%Y年%m月%d日}）。"
        )
        return _message(request, ("评价期已过", text), 410, case=case)
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, token)
    return _show(request, token)


# The form's page sets the CSRF cookie; a POST that passed the check has it, and a page shown again
# after a POST sets it through its own {% csrf_token %}: a POST accepted mints no new token.
@ensure_csrf_cookie
def _show(request: HttpRequest, token: str) -> HttpResponse:
    try:
        _link, case = _open(token)
    except Refused as refused:
        return _message(request, refused.title_text, refused.status)
    evaluation = _evaluation_of(case)
    if evaluation is not None:
        return _done_page(request, evaluation)
    submission = submission_of(case.case_no)
    if submission is not None and submission.state != Submission.State.REFUSED:
        return _message(request, RECEIVED, 200, case=case)
    now = timezone.now()
    form = EvaluationForm(initial={"stamp": form_stamp(token)})
    if submission is not None:  # refused by the rules after it was received: the citizen is told
        return _closed_page(request, case, now, message=submission.refusal) or _form_page(
            request, token, case, form, message=submission.refusal
        )
    return _closed_page(request, case, now) or _form_page(request, token, case, form)


# The environ key under which the lean WSGI path (govwatch.public.leanpost) hands the view a POST it
# has taken in already (counted, and written if it could be): the view answers it without counting
# it again. No client can send it: a request's headers reach the environ as HTTP_*.
TAKEN = "govwatch.public.taken"


@dataclass
class Taking:
    """An evaluation POST read (the link, the guard's verdict, the form, the row to write) and, once
    `take` has run, what came of it."""

    token: str
    link: Link
    now: datetime
    ahead: str | None  # the guard's verdict without the database (BOT, STALE, TOO_FAST or None)
    limits: tuple[tuple[ratelimit.Limit, str], ...]
    form: EvaluationForm
    arrival: Arrival
    error: Exception | None = None  # what taking it in raised (the request's server error)


def read_post(request: HttpRequest, token: str) -> Taking:
    """The POST as the page reads it before any statement: raises Refused for a forged or expired
    link. Nothing is counted or written yet."""
    link = _link(token)
    now = timezone.now()
    ahead, stamp_check = _guard_ahead(request, token)
    limits = _submit_limits(request, link.case_no)
    form = EvaluationForm(request.POST)
    # The row to write when the case and the limits allow it: the form is read before the
    # statements (it needs none), so that an acceptable POST is decided and written in one go.
    submission = _acceptable(request, link, form, now) if ahead is None else None
    # The limits and the form's stamp are counted for every POST of a case that exists, a bot's too.
    return Taking(
        token, link, now, ahead, limits, form, Arrival(link.case_no, (*limits, *stamp_check), submission, now)
    )


def take(taking: Taking) -> Taking:
    """Count the POST's hits and write its row when everything allows it (`take_in`, with the POSTs
    of this process that arrive meanwhile); a database error is kept in `error`."""
    try:
        take_in(taking.arrival)
    except Exception as exc:  # raised by the view (govwatch.public.leanpost answers no error itself)
        taking.error = exc
    return taking


def _submit(request: HttpRequest, token: str) -> HttpResponse:
    """An evaluation sent: answered at once from the link, the case's state and the rules, and, when
    they allow it, received with one INSERT for the worker to record (govwatch.public.intake).

    What is accepted costs three statements, shared with the POSTs that arrive at the same moment
    (`take_in`, a group commit): the cases' states (no model built), the rate limits with the forms'
    stamps (one upsert) and the INSERT; the 302 is sent once the row is committed. Every refusal
    reads the whole case to show it with the reason, as the rules give it. A POST the lean WSGI path
    took in already (TAKEN) is answered here as it stands, not counted again."""
    taking = request.META.get(TAKEN)
    if taking is None:
        try:
            taking = take(read_post(request, token))
        except Refused as refused:
            return _message(request, refused.title_text, refused.status)
    if taking.error is not None:
        raise taking.error
    link, form, arrival, now, limits = taking.link, taking.form, taking.arrival, taking.now, taking.limits
    state = arrival.state
    if state is None:
        return _message(request, GONE, 410)
    if arrival.received:
        return redirect("public:thanks", token=token)
    refused = _guarded(taking.ahead, limits, arrival.over)
    if refused == LIMITED:
        return _message(request, TOO_MANY, 429)
    if refused == BOT:
        return _message(request, NOT_ACCEPTED, 400)
    if refused == REPLAYED and (state.rated or submission_of(link.case_no) is not None):
        return redirect("public:thanks", token=token)  # a double tap: the first one was taken
    if refused or not form.is_valid():
        return _form_again(request, token, link.case_no, form, message=refused or "")
    data = form.cleaned_data
    scores = form.scores()
    try:
        check_content(data["level"], link.channel, scores, data["tags"], data["comment"].strip())
        if not state.takes_evaluation(now):
            check_case(_case(link.case_no), now, auto=False)  # raises with the reason
            if state.rated:
                raise EvaluationRefused(ALREADY)
        # Not written with the others: a submission of the case is there (or was written by
        # another POST of the same batch). A refused one gives way; else the case has one.
        receive(
            case_no=link.case_no, channel=link.channel, window_code=link.window_code, level=data["level"],
            scores=scores, tags=data["tags"], comment=data["comment"], source=_actor(request, link.channel).source,
            at=now,
        )  # fmt: skip
    except AlreadyReceived:
        return _received_again(request, link.case_no)
    except Refused as refused:  # the case is gone since its state was read
        return _message(request, refused.title_text, refused.status)
    except EvaluationRefused as exc:
        return _refused(request, token, link.case_no, form, now, str(exc), rated=state.rated)
    return redirect("public:thanks", token=token)


def _acceptable(request: HttpRequest, link: Link, form: EvaluationForm, now: datetime) -> Submission | None:
    """The submission of a valid form whose content the rules take, else None."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    scores = form.scores()
    try:
        check_content(data["level"], link.channel, scores, data["tags"], data["comment"].strip())
    except EvaluationRefused:
        return None
    return new_submission(
        case_no=link.case_no, channel=link.channel, window_code=link.window_code, level=data["level"],
        scores=scores, tags=data["tags"], comment=data["comment"], source=_actor(request, link.channel).source,
        at=now,
    )  # fmt: skip


def _form_again(
    request: HttpRequest, token: str, case_no: str, form: EvaluationForm, message: str
) -> HttpResponse:
    """The form as sent, stamped again, with what is wrong with it; the case's own page when it
    takes no evaluation now (a form sent again for a case not completed had no last day to show)."""
    try:
        case = _case(case_no)
    except Refused as refused:
        return _message(request, refused.title_text, refused.status)
    return _closed_page(request, case, timezone.now()) or _form_page(
        request, token, case, _fresh(form, token), message=message, status=400
    )


def _refused(
    request: HttpRequest,
    token: str,
    case_no: str,
    form: EvaluationForm,
    now: datetime,
    reason: str,
    *,
    rated: bool,
) -> HttpResponse:
    """The page of an evaluation the rules refuse: the recorded one, the case's state, or the form."""
    try:
        case = _case(case_no)
    except Refused as refused:
        return _message(request, refused.title_text, refused.status)
    evaluation = _evaluation_of(case) if rated else None
    if evaluation is not None:
        return _done_page(request, evaluation, message=reason, status=409)
    return _closed_page(request, case, now, message=reason) or _form_page(
        request, token, case, _fresh(form, token), message=reason, status=400
    )


def _received_again(request: HttpRequest, case_no: str) -> HttpResponse:
    """A second submission for a case whose first is received or recorded: one per case."""
    try:
        case = _case(case_no)
    except Refused as refused:
        return _message(request, refused.title_text, refused.status)
    evaluation = _evaluation_of(case)
    if evaluation is not None:
        return _done_page(request, evaluation, message=ALREADY, status=409)
    return _message(request, (RECEIVED[0], f"{ALREADY}。{RECEIVED[1]}"), 409, case=case)


def _submit_limits(request: HttpRequest, case_no: str) -> tuple[tuple[ratelimit.Limit, str], ...]:
    address = ratelimit.address(request)
    return (
        (ratelimit.SUBMIT_PER_ADDRESS, address),
        (ratelimit.SUBMIT_PER_CASE, ratelimit.of_case(case_no, request, address)),
    )


@never_cache
@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        _link, case = _open(token)
    except Refused as refused:
        return _message(request, refused.title_text, refused.status)
    evaluation = _evaluation_of(case)
    again = reverse("public:evaluate", args=[token])
    if evaluation is not None:
        context = {
            "level_label": evaluation.get_level_display(), "negative": evaluation.is_negative,
            "real_name": evaluation.real_name, "pending": False,
        }  # fmt: skip
    else:
        submission = submission_of(case.case_no)
        if submission is None or submission.state == Submission.State.REFUSED:
            return redirect("public:evaluate", token=token)
        context = {
            "level_label": EvalLevel(submission.level).label, "negative": is_negative(submission.level),
            "real_name": ApplicantContact.objects.filter(case_no=case.case_no).exists(), "pending": True,
        }  # fmt: skip
    return render(request, "public/thanks.html", {"case": case, "again": again, **context})


@never_cache
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def window(request: HttpRequest, token: str) -> HttpResponse:
    """A window's QR: the citizen names their case and proves it with the phone's last four digits."""
    try:
        window_code = read_window_token(token)
    except ForgedLink:
        return _message(request, FORGED, 403)
    return _check(request, token, window_code)


@never_cache
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def short(request: HttpRequest, case_no: str) -> HttpResponse:
    """The short address printed on a notice (/e/c/<case number>/), for a citizen who types it
    rather than scanning: the same check as a window's, with the case number filled in."""
    return _check(request, f"case:{case_no}", "", case_no)


def _looks_like_a_phone(text: str) -> bool:
    return bool(re.fullmatch(r"1\d{10}", text.strip()))


def _check(request: HttpRequest, scope_key: str, window_code: str, case_no: str = "") -> HttpResponse:
    """The case number and the phone's last four digits, then the case's evaluation page."""

    def page(form: WindowCheckForm, message: str = "", status: int = 200) -> HttpResponse:
        context = {"form": form, "window_code": window_code, "message": message}
        return render(request, "public/window.html", context, status=status)

    def blank(typed: str = "") -> WindowCheckForm:
        # The case number typed is kept (elderly citizens should not type it twice), unless it is
        # a phone number typed in the wrong box; the four digits never are.
        kept = "" if _looks_like_a_phone(typed) else typed
        return WindowCheckForm(initial={"stamp": form_stamp(scope_key), "case_no": kept})

    if request.method == "GET":
        return page(blank(case_no))
    form = WindowCheckForm(request.POST)
    refused = _guard(request, scope_key)
    if refused == BOT:
        return _message(request, NOT_ACCEPTED, 400)
    if refused:
        return page(_fresh(form, scope_key), refused, 400)
    if not form.is_valid():
        return page(_fresh(form, scope_key), status=400)

    now = timezone.now()
    if not ratelimit.hit((ratelimit.VERIFY_PER_ADDRESS, ratelimit.address(request)), now=now):
        return _message(request, TOO_MANY, 429)
    typed = form.cleaned_data["case_no"]
    contact = find_contact(typed)
    # Unknown case numbers are counted too, under what was typed (the answer must not tell them
    # apart), hashed: a citizen may well type their phone number in the wrong box.
    subject = pii.keyed_hash(contact.case_no if contact else typed)
    # This address's tries at the case first: a stranger locks only the stranger out; then the
    # case's ceiling, which only tries within their address's own limit count towards.
    mine = ratelimit.of_case(subject, request)
    if not ratelimit.hit((ratelimit.VERIFY_PER_CASE, mine), now=now):
        return _message(request, LOCKED, 429)
    if not ratelimit.hit((ratelimit.VERIFY_PER_CASE_ALL, subject), now=now):
        return _message(request, LOCKED, 429)
    case = Case.objects.filter(case_no=contact.case_no).first() if contact else None
    if case is None or not last_four_match(contact, form.cleaned_data["last4"]):
        return page(blank(typed), MISMATCH, 400)
    ratelimit.clear(ratelimit.VERIFY_PER_CASE, mine)
    channel = EvalChannel.QR if window_code else EvalChannel.WEB
    return redirect(evaluation_link(case, channel, window_code))


@cache_control(private=True, max_age=86400)
@require_GET
def link_qr(request: HttpRequest, token: str) -> HttpResponse:
    try:
        read_token(token)
    except ForgedLink:
        return HttpResponse(status=403)
    except ExpiredLink:
        return HttpResponse(status=410)
    url = absolute_url(reverse("public:evaluate", args=[token]), request)
    return HttpResponse(qr_svg(url, "扫码评价"), content_type="image/svg+xml")


@cache_control(private=True, max_age=86400)
@require_GET
def window_qr(request: HttpRequest, token: str) -> HttpResponse:
    try:
        window_code = read_window_token(token)
    except ForgedLink:
        return HttpResponse(status=403)
    url = absolute_url(reverse("public:window", args=[token]), request)
    svg = cached_qr_svgs({window_code: (url, window_title(window_code))})[window_code]
    return HttpResponse(svg, content_type="image/svg+xml")


def window_title(window_code: str) -> str:
    return f"{window_code} 号窗口扫码评价"


@member_required
@require_GET
def notice(request: HttpRequest, case_no: str) -> HttpResponse:
    """The acceptance notice (受理通知书) of a case, with the QR code the applicant scans once the
    case is completed; for the staff who see the case."""
    case = access(request.user, Case.objects.select_related("item", "unit"), case_no=case_no)
    token = make_token(case.case_no, EvalChannel.QR, case.window_code)
    return render(
        request,
        "public/notice.html",
        {
            "case": case,
            "link": absolute_url(reverse("public:evaluate", args=[token]), request),
            "short_link": absolute_url(reverse("public:short", args=[case.case_no]), request),
            "qr": reverse("public:qr", args=[token]),
            "window_days": settings.EVALUATION_WINDOW_DAYS,
            **_address_warning(request),
        },
    )


def _address_warning(request: HttpRequest) -> dict:
    """What the notice and QR pages tell staff when GOVWATCH_PUBLIC_BASE_URL is unset: the codes
    then point at the address the page was opened at, which citizens' phones may not reach."""
    if settings.PUBLIC_BASE_URL:
        return {"address_warning": ""}
    return {"address_warning": request.build_absolute_uri("/")}


def windows_in_use(user, prefixes: list[str], since: datetime) -> list[dict]:
    """The window codes of the user's cases accepted since `since`, each under the unit that
    handles most of its cases (a general window serves several), grouped by that unit."""
    rows = (
        Case.objects.visible_to(scope(user))
        .filter(accepted_at__gte=since)
        .exclude(window_code="")
        .values("window_code", "unit__code", "unit__name", "unit__path")
        .annotate(n=Count("id"))
    )
    best: dict[str, dict] = {}
    for row in rows:
        code = row["window_code"]
        if prefixes and not any(code.startswith(p) for p in prefixes):
            continue
        if code not in best or row["n"] > best[code]["n"]:
            best[code] = row
    groups: dict[str, dict] = {}
    for code, row in sorted(best.items(), key=lambda kv: (kv[1]["unit__path"], kv[0])):
        group = groups.setdefault(
            row["unit__code"], {"unit": row["unit__name"], "path": row["unit__path"], "windows": []}
        )
        group["windows"].append({"code": code, "cases": row["n"]})
    return list(groups.values())


def hall_of(path: str, halls: list[Unit]) -> str:
    """The service hall (政务服务中心) a unit's windows stand in: the center under the nearest unit
    above it that has one."""
    best = None
    for hall in halls:
        parent_path = hall.parent.path if hall.parent else "/"
        if within(path, parent_path) and (best is None or len(parent_path) > len(best[0])):
            best = (parent_path, hall.name)
    return best[1] if best else "政务服务中心"


@action_required(MANAGE_CATALOG)
@require_GET
def sheet(request: HttpRequest) -> HttpResponse:
    """The QR sheet of a service hall: one code per window in use, to print and post at each window.
    ?window=A,B keeps the windows whose code starts with A or B (a hall numbering its own)."""
    prefixes = [p.strip() for value in request.GET.getlist("window") for p in value.split(",") if p.strip()]
    groups = windows_in_use(request.user, prefixes, timezone.now() - timedelta(days=SHEET_DAYS))
    halls = list(Unit.objects.filter(kind=UnitKind.CENTER).select_related("parent"))
    for group in groups:
        group["hall"] = hall_of(group["path"], halls)
        for w in group["windows"]:
            token = window_token(w["code"])
            w["token"] = token
            w["link"] = absolute_url(reverse("public:window", args=[token]), request)
    # Each code drawn once and kept, then written into the page: one request for the whole sheet.
    windows = [w for group in groups for w in group["windows"]]
    svgs = cached_qr_svgs({w["code"]: (w["link"], window_title(w["code"])) for w in windows})
    for w in windows:
        w["qr"] = data_uri(svgs[w["code"]])
    context = {
        "groups": groups, "prefixes": prefixes, "days": SHEET_DAYS, "complaint_qr": request.GET.get("complaint") == "1",
        **_address_warning(request),
    }  # fmt: skip
    return render(request, "public/sheet.html", context)
