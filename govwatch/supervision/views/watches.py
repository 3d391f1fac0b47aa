"""到期监察: the watched deadlines of every area (complaints, rectification problems, letters,
steps of negative reviews ...) with their cards, in the user's scope, each linked to its subject."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.cases.deadlines import remaining_workdays
from govwatch.core.choices import Card
from govwatch.core.localtime import start_of_day
from govwatch.core.tree import subtree
from govwatch.workcal.calendar import get_calendar

from ..forms import WatchFilterForm
from ..kinds import label_of
from ..models import ScanRun, Watch
from .common import page_context, paginate

CARDS = [Card.YELLOW, Card.RED]


def carded_watches(watches: QuerySet[Watch], cards: list[str] = CARDS) -> QuerySet[Watch]:
    """Watches carded at the last scan: the card is set only on open, running ones."""
    return watches.filter(card__in=cards)


def counts_by_kind(watches: QuerySet[Watch]) -> list[dict]:
    """Per kind, its yellow and red counts, for the board: [{"kind", "label", "yellow", "red"}]."""
    totals: dict[str, dict] = {}
    for kind, card, n in (
        carded_watches(watches).order_by().values_list("kind", "card").annotate(n=Count("id"))
    ):
        row = totals.setdefault(kind, {"kind": kind, "label": label_of(kind), Card.YELLOW: 0, Card.RED: 0})
        row[card] = n
    return sorted(totals.values(), key=lambda r: (-r[Card.RED], -r[Card.YELLOW], r["kind"]))


@member_required
def watch_list(request: HttpRequest) -> HttpResponse:
    form = WatchFilterForm(request.GET or None, user=request.user)
    watches = Watch.objects.visible_to(scope(request.user))
    cards = list(CARDS)
    if form.is_bound and not form.is_valid():
        watches = watches.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["kind"]:
            watches = watches.filter(kind=data["kind"])
        if data["card"] == "all":
            cards = []
        elif data["card"]:
            cards = [data["card"]]
        if data["unit"]:
            watches = watches.filter(subtree(data["unit"].path, "unit"))
        if data["since"]:
            watches = watches.filter(card_at__gte=start_of_day(data["since"]))
    if cards:
        watches = carded_watches(watches, cards)
    else:
        watches = watches.exclude(status=Watch.Status.CLOSED)
    # "red" sorts before "yellow": red first, then the most overdue.
    rows = (
        watches.select_related("unit", "order").prefetch_related("subject").order_by("card", "due_date", "id")
    )
    listing = paginate(request, rows)
    now, cal = timezone.now(), get_calendar()
    for w in listing.page:
        w.days_left = remaining_workdays(w.due_date, now, cal) if w.status == Watch.Status.OPEN else None
    context = page_context(
        request, "watches",
        form=form,
        watches=listing,
        today=timezone.localdate(),
        last_scan=ScanRun.objects.exclude(finished_at=None).order_by("-id").first(),
    )  # fmt: skip
    return render(request, "supervision/watch_list.html", context)
