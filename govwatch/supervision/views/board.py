"""红黄牌看板 and 单位待办: the cards of the last scan within the user's scope, and what is open."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import Scope, scope
from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.core import tree
from govwatch.core.choices import Card
from govwatch.core.tree import subtree
from govwatch.orgs.models import Unit

from ..forms import BoardFilterForm
from ..models import ScanLock, ScanRun, SupervisionOrder, Watch
from .common import case_list_url, page_context, paginate
from .watches import counts_by_kind

CARDS = [Card.YELLOW, Card.RED]
# The board lists the items with most red (then yellow) cards; the rest are one filter away.
ITEMS_SHOWN = 100
# A wall board reloads itself; a Refresh header needs no script and no inline markup (CSP).
REFRESH_SECONDS = 60
Status = SupervisionOrder.Status
WAITING = [Status.ISSUED, Status.RETURNED]


@dataclass
class Cell:
    card: str
    count: int
    link: str


@dataclass
class Row:
    """One line of the board: a unit (with its subtree) or an item, its counts and drill-downs."""

    name: str
    code: str
    depth: int = 0
    note: str = ""
    cells: list[Cell] = field(default_factory=list)
    # The board one level further down (a unit with carded sub-units), "" when there is none.
    drill: str = ""


def _cells(counts: dict[str, int], cards: list[str], unit_code: str, item_code: str) -> list[Cell]:
    return [Cell(c, counts[c], case_list_url(c, unit_code, item_code)) for c in cards]


def covers_region(mine: Scope) -> bool:
    """Whether the user sees every unit: only then are the scan's region-wide figures theirs."""
    return mine.path is not None and not Unit.objects.exclude(subtree(mine.path)).exists()


def carded(cases: QuerySet[Case], cards: list[str]) -> QuerySet[Case]:
    """The cases among `cases` that have one of `cards`, reached through the card index.

    Cards sit on a few percent of the cases, but SQLite's planner knows only that `card` has three
    values and prefers walking every case of the scope in unit order (half a second at 500,000
    cases); asking for the ids through the card index first makes it start there (30 ms).
    """
    return cases.filter(pk__in=Case.objects.filter(card__in=cards).values("pk"))


def card_counts(cases: QuerySet[Case]) -> list[tuple[str, int, int, int]]:
    """(card, unit id, item id, count): one grouped query serves both tables of the board."""
    return list(cases.order_by().values_list("card", "unit_id", "item_id").annotate(n=Count("id")))


def _by_unit(
    counts: list[tuple[str, int, int, int]], units: QuerySet[Unit], item_code: str, cards: list[str]
) -> tuple[list[Row], dict[str, int]]:
    """Counts per unit rolled up its subtree, as the case list's unit filter (含下级) counts them,
    and the counts of all the cases."""
    paths = dict(Unit.objects.filter(id__in={u for _, u, _, _ in counts}).values_list("id", "path"))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CARDS, 0))
    overall = dict.fromkeys(CARDS, 0)
    for card, unit_id, _, n in counts:
        overall[card] += n
        for code in tree.codes(paths[unit_id]):
            totals[code][card] += n
    # Ancestors outside the scope (or above the filtered unit) are not shown: `units` drops them.
    # One level at a time (a province has thousands of carded units): the top of what is shown and
    # the units right below it; a unit with carded sub-units opens the next level.
    shown = list(units.filter(code__in=totals).only("code", "name", "path").order_by("path"))
    top = min((unit.depth for unit in shown), default=0)
    deeper = {code for unit in shown if unit.depth > top + 1 for code in tree.codes(unit.path)}
    rows = [
        Row(
            unit.name,
            unit.code,
            unit.depth - top,
            cells=_cells(totals[unit.code], cards, unit.code, item_code),
            drill=f"?{urlencode({'unit': unit.code, **({'item': item_code} if item_code else {})})}"
            if unit.depth == top + 1 and unit.code in deeper
            else "",
        )  # fmt: skip
        for unit in shown
        if unit.depth <= top + 1
    ]
    return rows, overall


def _by_item(
    counts: list[tuple[str, int, int, int]], unit_code: str, cards: list[str]
) -> tuple[list[Row], int]:
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CARDS, 0))
    for card, _, item_id, n in counts:
        totals[item_id][card] += n
    ranked = sorted(totals, key=lambda i: (-totals[i][Card.RED], -totals[i][Card.YELLOW], i))[:ITEMS_SHOWN]
    items = Item.objects.filter(id__in=ranked).select_related("unit").only("code", "name", "unit__name")
    by_id = {i.id: i for i in items}
    rows = []
    for item_id in ranked:
        item = by_id[item_id]
        rows.append(
            Row(
                item.name,
                item.code,
                note=item.unit.name,
                cells=_cells(totals[item_id], cards, unit_code, item.code),
            )
        )
    return rows, len(totals)


def watch_rows(mine: Scope, unit: Unit | None, cards: list[str]) -> list[Row]:
    """The watched deadlines' cards beside the cases': one row per kind, each count linked to the
    list of those deadlines."""
    watches = Watch.objects.visible_to(mine)
    if unit is not None:
        watches = watches.filter(subtree(unit.path, "unit"))
    base = reverse("supervision:watch-list")
    rows = []
    for counts in counts_by_kind(watches):
        query = {"kind": counts["kind"], **({"unit": unit.code} if unit else {})}
        cells = [Cell(c, counts[c], f"{base}?{urlencode({**query, 'card': c})}") for c in cards]
        rows.append(Row(counts["label"], counts["kind"], cells=cells))
    return rows


@member_required
def board(request: HttpRequest) -> HttpResponse:
    mine = scope(request.user)
    form = BoardFilterForm(request.GET or None, user=request.user)
    unit = item = None
    cards = list(CARDS)
    cases = Case.objects.visible_to(mine)
    if form.is_bound and not form.is_valid():
        cases = cases.none()
    elif form.is_bound:
        unit, item = form.cleaned_data["unit"], form.cleaned_data["item"]
        if form.cleaned_data["card"]:
            cards = [form.cleaned_data["card"]]
    # Case.card is the card of the last scan, set only on cases open and running at that scan.
    cases = carded(cases, cards)
    units = Unit.objects.visible_to(mine)
    if unit is not None:
        cases = cases.filter(subtree(unit.path, "unit"))
        units = units.filter(subtree(unit.path))
    if item is not None:
        cases = cases.filter(item=item)
    unit_code, item_code = (unit.code if unit else ""), (item.code if item else "")
    watched = (
        watch_rows(mine, unit, cards) if item is None and not (form.is_bound and not form.is_valid()) else []
    )
    counts = card_counts(cases)
    unit_rows, overall = _by_unit(counts, units, item_code, cards)
    item_rows, item_count = _by_item(counts, unit_code, cards)
    context = page_context(
        request, "board",
        form=form,
        cards=cards,
        card_labels=[Card(c).label for c in cards],
        last_scan=ScanRun.objects.exclude(finished_at=None).order_by("-id").first(),
        scanning=ScanLock.objects.filter(name="scan", until__gt=timezone.now()).exclude(holder="").exists(),
        region_figures=covers_region(mine),
        totals=_cells(overall, cards, unit_code, item_code),
        unit_rows=unit_rows,
        item_rows=item_rows,
        items_hidden=max(item_count - len(item_rows), 0),
        watch_rows=watched,
        refresh_seconds=REFRESH_SECONDS,
    )  # fmt: skip
    response = render(request, "supervision/board.html", context)
    response["Refresh"] = str(REFRESH_SECONDS)
    return response


def open_orders(mine: Scope) -> QuerySet[SupervisionOrder]:
    """Orders not yet closed, those waiting for the unit's reply first, newest first."""
    waiting_first = models.Case(
        models.When(status__in=WAITING, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )
    return (
        SupervisionOrder.objects.visible_to(mine)
        .exclude(status=Status.CLOSED)
        .select_related("unit", "case__item")
        .annotate(waiting=waiting_first)
        .order_by("waiting", "-issued_at", "-id")
    )


@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    mine = scope(request.user)
    # "red" sorts before "yellow": red cards first, then the newest cards.
    cases = (
        carded(Case.objects.visible_to(mine), CARDS)
        .select_related("item", "unit")
        .order_by("card", "-card_at", "-id")
    )
    context = page_context(
        request, "inbox",
        today=timezone.localdate(),
        waiting=WAITING,
        cases=paginate(request, cases, "page"),
        orders=paginate(request, open_orders(mine), "orders_page"),
        last_scan=ScanRun.objects.exclude(finished_at=None).order_by("-id").first(),
    )  # fmt: skip
    return render(request, "supervision/inbox.html", context)
