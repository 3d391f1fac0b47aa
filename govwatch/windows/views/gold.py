"""金牌窗口: the rounds of a region, its rules (the office edits them), a quarter's ranking with the
parts of each score, the award and the certificates.

A region's ranking is seen whole by those who see the region; a unit's staff see their own windows'
lines of it, once awarded.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import AWARD_GOLD, Scope, may, scope
from govwatch.audit.log import Actor
from govwatch.core.downloads import document_download
from govwatch.orgs.models import Unit

from .. import gold
from ..documents import certificate_docx
from ..forms import GoldRulesForm, QuarterForm
from ..models import GoldEntry, GoldRound, Window
from ..regions import regions
from .common import context


def _regions(mine: Scope) -> list[Unit]:
    """The regions the viewer sees, or whose windows include some the viewer sees."""
    if mine.path is None:
        return []
    return [
        r
        for r in regions()
        if mine.everything or r.path.startswith(mine.path) or mine.path.startswith(r.path)
    ]


def _region(request: HttpRequest) -> Unit | None:
    shown = _regions(scope(request.user))
    wanted = request.GET.get("region") or request.POST.get("region")
    return next((r for r in shown if r.code == wanted), shown[0] if shown else None)


def _whole(mine: Scope, region: Unit) -> bool:
    return mine.everything or (mine.path is not None and region.path.startswith(mine.path))


def _rounds(request: HttpRequest, region: Unit):
    rounds = GoldRound.objects.filter(region=region)
    if not _whole(scope(request.user), region):
        rounds = rounds.filter(status=GoldRound.Status.AWARDED)
    return rounds


@member_required
def gold_list(request: HttpRequest, **bound) -> HttpResponse:
    region = _region(request)
    can_award = region is not None and may(request.user, AWARD_GOLD)
    today = timezone.localdate()
    last_q = (today.month - 1) // 3 or 4
    last_year = today.year if today.month > 3 else today.year - 1
    rules = gold.rules_of(region) if region else gold.DEFAULTS
    return render(
        request,
        "windows/gold_list.html",
        context(
            request, "gold", region=region, regions=_regions(scope(request.user)),
            rounds=_rounds(request, region) if region else [], rules=rules,
            parts=[(gold.PART_LABELS[p], rules.weight(p)) for p in gold.PARTS],
            rules_form=bound.get("rules_form") or (GoldRulesForm.of(rules) if can_award else None),
            quarter_form=bound.get("quarter_form") or (QuarterForm(initial={"year": last_year, "quarter": last_q}) if can_award else None),
        ),
    )  # fmt: skip


def _region_for_action(request: HttpRequest) -> Unit:
    region = _region(request)
    if region is None or not _whole(scope(request.user), region):
        raise Http404
    return region


@action_required(AWARD_GOLD)
@require_POST
def gold_rules(request: HttpRequest) -> HttpResponse:
    region = _region_for_action(request)
    form = GoldRulesForm(request.POST)
    if form.is_valid():
        try:
            gold.do_set_rules(Actor.of_request(request), region, form.rules())
        except gold.GoldError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "评定方案已保存，此后计算的排名按新方案")
            return redirect(reverse("windows:gold") + f"?region={region.code}")
    return gold_list(request, rules_form=form)


@action_required(AWARD_GOLD)
@require_POST
def gold_rank(request: HttpRequest) -> HttpResponse:
    region = _region_for_action(request)
    form = QuarterForm(request.POST)
    if form.is_valid():
        try:
            round_ = gold.do_rank(
                Actor.of_request(request), region, form.cleaned_data["year"], form.cleaned_data["quarter"]
            )
        except gold.GoldError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已计算{round_}排名")
            return redirect("windows:gold-round", pk=round_.pk)
    return gold_list(request, quarter_form=form)


def _round(request: HttpRequest, pk: int) -> GoldRound:
    round_ = get_object_or_404(GoldRound.objects.select_related("region"), pk=pk)
    seen = round_.region in _regions(scope(request.user))
    if not seen or not _rounds(request, round_.region).filter(pk=pk).exists():
        raise Http404
    return round_


def _entries(request: HttpRequest, round_: GoldRound):
    entries = round_.entries.select_related("window__unit").order_by(*gold.RANKED)
    mine = scope(request.user)
    if not _whole(mine, round_.region):
        entries = entries.filter(window__in=Window.objects.visible_to(mine))
    return entries


@member_required
def gold_round(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    rows = []
    for e in _entries(request, round_):
        parts = [(gold.PART_LABELS[p], getattr(e, p), round_.rules.get(p, 0)) for p in gold.PARTS]
        rows.append({"entry": e, "parts": parts, "basis": e.basis, "ranked": e.rank is not None})
    return render(
        request,
        "windows/gold_round.html",
        context(
            request, "gold", round=round_, rows=rows, labels=[gold.PART_LABELS[p] for p in gold.PARTS],
            can_award=may(request.user, AWARD_GOLD) and round_.status == GoldRound.Status.DRAFT
            and _whole(scope(request.user), round_.region)
            and timezone.localdate() > gold.quarter_bounds(round_.year, round_.quarter)[1],
        ),
    )  # fmt: skip


@action_required(AWARD_GOLD)
@require_POST
def gold_award(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if not _whole(scope(request.user), round_.region):
        raise Http404
    try:
        gold.do_award(Actor.of_request(request), round_)
    except gold.GoldError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{round_}金牌窗口已评定，可下载荣誉证书")
    return redirect("windows:gold-round", pk=round_.pk)


@member_required
def gold_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        GoldEntry.objects.select_related("round__region", "window__unit"), pk=pk, medal=True
    )
    round_ = _round(request, entry.round_id)
    if not entry.certificate_no or not _entries(request, round_).filter(pk=entry.pk).exists():
        raise Http404
    back = reverse("windows:gold-round", args=[round_.pk])
    return document_download(
        request,
        certificate_docx(entry),
        f"金牌窗口证书-{entry.window.code}-{round_.year}Q{round_.quarter}",
        back,
    )
