"""The leaders' pages: the big screen (大屏) and its data, the ranking (综合排名) with its XLSX and
weights, and the monthly bulletins (月通报): drafts, the office's words, issuing, the archive.

Everyone with a page sees these for the units they may see (a unit's staff: their subtree);
setting the weights and drafting or issuing a bulletin take ISSUE_BULLETINS (the service office).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import ISSUE_BULLETINS, access, scope
from govwatch.audit.log import Actor
from govwatch.core.downloads import DOCX, PDF
from govwatch.core.pdf import PdfError
from govwatch.orgs.models import Unit

from . import charts
from .bulletins import (
    archived_pdf,
    do_create_bulletin,
    do_edit_bulletin,
    do_issue_bulletin,
    do_set_weights,
    draft_content,
    region_root,
)
from .bulletins import (
    render as render_bulletin,
)
from .exports import CONTENT_TYPES
from .figures import UnknownUnit
from .leaders_forms import BulletinWordsForm, NewBulletinForm, WeightsForm
from .models import COMPONENTS, Bulletin, RankingWeights
from .ranking import ranking, weights_text
from .screen import MONTH_TILES, TODAY_TILES, screen_data, stored_screen
from .views import _form as period_form  # the reports page's period and unit, from the address
from .views import _selection as period_selection
from .workbooks import ranking_xlsx


def _units(request: HttpRequest):
    return Unit.objects.visible_to(scope(request.user))


def _screen_unit(request: HttpRequest, code: str | None) -> str | None:
    """The unit of the screen: `code` when the user sees it (else 404), else all they see."""
    if code and not _units(request).filter(code=code).exists():
        raise Http404
    return code or None


def _cached_screen(request: HttpRequest, code: str | None) -> dict[str, Any]:
    """The screen's document, shared for a few seconds by the screens showing the same units (a
    wall of screens and phones refreshing every minute costs one computation)."""
    key = f"{scope(request.user).path}:{code or ''}"
    return stored_screen(key, lambda: screen_data(code, _units(request)))


@member_required
def screen(request: HttpRequest, code: str | None = None) -> HttpResponse:
    code = _screen_unit(request, code or request.GET.get("unit"))
    data = _cached_screen(request, code)
    units = _units(request).filter(parent__isnull=False).order_by("path").only("code", "name", "path")[:200]
    return render(
        request,
        "reports/screen.html",
        {"data": data, "today_tiles": TODAY_TILES, "month_tiles": MONTH_TILES, "code": code, "units": units},
    )


@member_required
def screen_json(request: HttpRequest, code: str | None = None) -> JsonResponse:
    code = _screen_unit(request, code or request.GET.get("unit"))
    return JsonResponse(_cached_screen(request, code), json_dumps_params={"ensure_ascii": False})


# -- ranking -----------------------------------------------------------------------------------


RANKING_PAGE_ROWS = 50


@member_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    form = period_form(request)
    selection = period_selection(form)
    weights = RankingWeights.current()
    context: dict[str, Any] = {
        "nav": "reports",
        "form": form,
        "weights": [(label, getattr(weights, code)) for code, label, _d in COMPONENTS],
        "weights_updated": weights,
        "may_edit": scope(request.user).may(ISSUE_BULLETINS),
        "weights_form": WeightsForm(initial=weights.as_dict()),
        "query": request.GET.urlencode(),
    }
    if selection is None:
        return render(request, "reports/ranking.html", context, status=400)
    date_from, date_to, code = selection
    try:
        doc = ranking(date_from, date_to, code, units_qs=_units(request), lazy=True)
    except UnknownUnit:
        raise Http404 from None
    # The rows are built as they are read: the chart's 20 and the page's 50, not every unit's.
    ranked = [r for r in doc["rows"][:20] if r["rank"] is not None]
    context.update(
        doc=doc,
        # A province ranks thousands of units: the page shows them a page at a time, the export all.
        page=Paginator(doc["rows"], RANKING_PAGE_ROWS).get_page(request.GET.get("page")),
        weights_text=weights_text(doc["weights"]),
        chart=charts.bars(
            [r["unit_name"] for r in ranked],
            [("综合得分", [r["score"] for r in ranked], charts.GREEN)],
            horizontal=True,
        )
        if ranked
        else None,
    )
    return render(request, "reports/ranking.html", context)


@member_required
def ranking_export(request: HttpRequest) -> HttpResponse:
    form = period_form(request)
    selection = period_selection(form)
    if selection is None:
        return redirect("reports:ranking")
    date_from, date_to, code = selection
    doc = ranking(date_from, date_to, code, units_qs=_units(request))
    response = HttpResponse(ranking_xlsx(doc), content_type=CONTENT_TYPES["xlsx"])
    name = f"综合排名_{date_from.isoformat()}_{date_to.isoformat()}{f'_{code}' if code else ''}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_POST
@member_required
def ranking_weights(request: HttpRequest) -> HttpResponse:
    if not scope(request.user).may(ISSUE_BULLETINS):
        raise PermissionDenied
    form = WeightsForm(request.POST)
    if form.is_valid():
        do_set_weights(Actor.of_request(request), {c: form.cleaned_data[c] for c, _l, _d in COMPONENTS})
        messages.success(request, "排名权重已保存")
    else:
        for error in form.non_field_errors() or ["权重应为 0 到 1000 的整数"]:
            messages.error(request, error)
    return redirect("reports:ranking")


# -- bulletins ---------------------------------------------------------------------------------


@member_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    bulletins = (
        Bulletin.objects.visible_to(scope(request.user)).select_related("unit").defer("docx", "pdf", "xlsx")
    )
    may_issue = scope(request.user).may(ISSUE_BULLETINS)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    form = NewBulletinForm(user=request.user, initial={"month": last_month}) if may_issue else None
    return render(
        request,
        "reports/bulletin_list.html",
        {"nav": "reports", "bulletins": bulletins[:200], "form": form},
    )


@require_POST
@member_required
def bulletin_new(request: HttpRequest) -> HttpResponse:
    if not scope(request.user).may(ISSUE_BULLETINS):
        raise PermissionDenied
    form = NewBulletinForm(request.POST, user=request.user)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}：{error}"
                )
        return redirect("reports:bulletins")
    unit = form.cleaned_data["unit"] or region_root()
    if unit is None:
        messages.error(request, "还没有单位，无法起草通报")
        return redirect("reports:bulletins")
    bulletin = do_create_bulletin(Actor.of_request(request), form.cleaned_data["month"], unit)
    messages.success(request, "已起草通报，请修改文字后印发")
    return redirect(bulletin)


def _bulletin(request: HttpRequest, pk: int) -> Bulletin:
    return access(request.user, Bulletin.objects.select_related("unit"), pk=pk)


@member_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    may_issue = scope(request.user).may(ISSUE_BULLETINS) and not bulletin.issued
    form = None
    if may_issue:
        form = BulletinWordsForm(request.POST or None, instance=Bulletin(**{
            f: getattr(bulletin, f) for f in ("organ", "title", "addressee", "summary", "requirements")
        }))  # fmt: skip
        if request.method == "POST" and form.is_valid():
            try:
                do_edit_bulletin(
                    Actor.of_request(request), bulletin, **{f: form.cleaned_data[f] for f in form.fields}
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, "已保存")
                return redirect(bulletin)
    elif request.method == "POST":
        raise PermissionDenied
    content = None if bulletin.issued else draft_content(bulletin, refresh="refresh" in request.GET)
    return render(
        request,
        "reports/bulletin_detail.html",
        {"nav": "reports", "bulletin": bulletin, "form": form, "content": content, "may_issue": may_issue},
    )


@require_POST
@member_required
def bulletin_issue(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    if not scope(request.user).may(ISSUE_BULLETINS):
        raise PermissionDenied
    try:
        bulletin, warnings = do_issue_bulletin(Actor.of_request(request), bulletin)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(bulletin)
    messages.success(request, f"已印发 {bulletin.number}")
    for warning in warnings:
        messages.warning(request, warning)
    return redirect(bulletin)


@member_required
def bulletin_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The issued files as archived; a draft's made now (its figures as they are today)."""
    if fmt not in ("docx", "pdf", "xlsx"):
        raise Http404
    bulletin = _bulletin(request, pk)
    try:
        if bulletin.issued:
            data = {"docx": lambda: bytes(bulletin.docx), "pdf": lambda: archived_pdf(bulletin),
                    "xlsx": lambda: bytes(bulletin.xlsx)}[fmt]()  # fmt: skip
        else:
            docx, xlsx, _warnings = render_bulletin(bulletin)
            if fmt == "pdf":
                from govwatch.core.pdf import docx_to_pdf

                data = docx_to_pdf(docx)
            else:
                data = docx if fmt == "docx" else xlsx
    except PdfError as exc:
        messages.error(request, str(exc))
        return redirect(bulletin)
    types = {"docx": DOCX, "pdf": PDF, "xlsx": CONTENT_TYPES["xlsx"]}
    response = HttpResponse(data, content_type=types[fmt])
    name = f"{bulletin.number or '月通报草稿'}_{bulletin.month:%Y-%m}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
