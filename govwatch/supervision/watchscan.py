"""The scan's second half: the cards of watched deadlines (govwatch.supervision.watches).

Same lease, same batches, same stored index as for cases: each watch stores the next moment its
card may change (`next_card_at`; NULL after its area moved it), a scan touches only the watches
whose moment has come, each card change is one WatchFlip row with its messages, and the figures are
kept by difference in the scan's ScanRun (`watch_*`). The card is the one rule of contract section
3 (`card_on`); a suspended or closed watch has none.

Unlike cases, a batch is read inside its own transaction with its rows locked, because areas move
their watches while the worker scans: a watch moved meanwhile is simply evaluated again next scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from govwatch.cases.deadlines import card_on
from govwatch.core.bulk import insert_returning, update_rows
from govwatch.core.choices import Card
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import WorkCalendar

from . import routing
from .kinds import RED, YELLOW, UnknownKind, WatchKind, kind_of, template_key
from .models import NotificationTemplate, ScanRun, Watch, WatchFlip
from .rules import RuleBook
from .scanview import (
    BATCH,
    CLOSED,
    NEVER,
    OPEN,
    PENDING,
    SUSPENDED,
    View,
    add_to_run,
    count,
    next_card_moment,
)
from .texts import render

FIELDS = (
    "id",
    "opened_at",
    "suspended_at",
    "closed_at",
    "due_date",
    "yellow_days",
    "card",
    "card_at",
    "scan_state",
)
FIGURES = ("open", "suspended", "yellow", "red", "new_yellow", "new_red", "notifications_queued")


@dataclass(slots=True)
class Facts:
    id: int
    opened_at: datetime
    suspended_at: datetime | None
    closed_at: datetime | None
    due_date: date
    yellow_days: int | None
    card: str
    card_at: datetime | None
    scan_state: str


def view_at(w: Facts, at: datetime, cal: WorkCalendar) -> View:
    """A watch's state and card at `at`, and the next moment they may change."""
    if w.opened_at > at:
        return View(PENDING, Card.NONE, w.opened_at)
    if w.closed_at is not None and w.closed_at <= at:
        return View(CLOSED, Card.NONE, NEVER)
    upcoming = [w.closed_at] if w.closed_at else []
    if w.suspended_at is not None:
        if w.suspended_at <= at:
            return View(SUSPENDED, Card.NONE, min(upcoming, default=NEVER))
        upcoming.append(w.suspended_at)
    card = card_on(local_date(at), w.due_date, w.yellow_days, cal)
    upcoming.append(next_card_moment(card, w.due_date, w.yellow_days, cal))
    return View(OPEN, card, min(upcoming))


def counts_from_scratch() -> dict[str, int]:
    """The standing figures from the stored views (for a first scan or a replay)."""
    states = dict(
        Watch.objects.values_list("scan_state").annotate(n=Count("id")).values_list("scan_state", "n")
    )
    cards = dict(Watch.objects.values_list("card").annotate(n=Count("id")).values_list("card", "n"))
    return {
        "watch_open": states.get(OPEN, 0) + states.get(SUSPENDED, 0),
        "watch_suspended": states.get(SUSPENDED, 0),
        "watch_yellow": cards.get(Card.YELLOW, 0),
        "watch_red": cards.get(Card.RED, 0),
    }


def carried_counts(previous: ScanRun) -> dict[str, int]:
    return {f"watch_{k}": getattr(previous, f"watch_{k}") for k in ("open", "suspended", "yellow", "red")}


def any_watched() -> bool:
    return Watch.objects.exists()


def figures(run: ScanRun) -> dict[str, Any]:
    """The watches' figures of a scan: the extension key `watches` of `govwatch scan`."""
    return {k: getattr(run, f"watch_{k}") for k in FIGURES}


def _read(qs: QuerySet) -> list[Facts]:
    return [Facts(*row) for row in qs.select_for_update().values_list(*FIELDS)[:BATCH]]


def scan_watches(at: datetime, cal: WorkCalendar, run: ScanRun, rewind: bool, renew_lease) -> None:
    """Evaluate every watch whose card may have changed by `at` (all of them when `rewind`), one
    transaction per batch; `renew_lease()` is called in each batch's transaction."""
    if rewind:
        qs = Watch.objects.filter(
            ~Q(scan_state=PENDING) | Q(opened_at__lte=at) | Q(next_card_at__isnull=True)
        )
        last_id = 0
        while True:
            with transaction.atomic():
                batch = _read(qs.filter(id__gt=last_id).order_by("id"))
                if not batch:
                    return
                last_id = batch[-1].id
                _scan_batch(batch, at, cal, run)
                renew_lease()
    # An evaluated watch leaves each range (its next moment is after `at`): no paging needed.
    for qs in (Watch.objects.filter(next_card_at__isnull=True), Watch.objects.filter(next_card_at__lte=at)):
        while True:
            with transaction.atomic():
                batch = _read(qs)
                if not batch:
                    break
                _scan_batch(batch, at, cal, run)
                renew_lease()


def _scan_batch(batch: list[Facts], at: datetime, cal: WorkCalendar, run: ScanRun) -> None:
    delta = dict.fromkeys(("open", "suspended", "yellow", "red"), 0)
    new = {Card.YELLOW: 0, Card.RED: 0}
    updates = []
    flips: list[tuple[int, str, str]] = []
    for w in batch:
        view = view_at(w, at, cal)
        count(delta, w.scan_state, w.card, -1)
        count(delta, view.state, view.card, +1)
        card_at = w.card_at
        if view.card != w.card:
            flips.append((w.id, view.card, w.card))
            card_at = at
            if view.card in new:
                new[view.card] += 1
        # Never at or before `at`: the batch loop relies on evaluated watches leaving the range.
        updates.append(
            (view.state, view.card, card_at, max(view.next_at, at + timedelta(microseconds=1)), w.id)
        )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        update_rows(
            cursor, Watch, ("scan_state", "card", "card_at", "next_card_at"), "id",
            [(st, card, adapt(c_at), adapt(nxt), pk) for st, card, c_at, nxt, pk in updates],
        )  # fmt: skip
    queued = _notify(_record_flips(flips, at), at, cal) if flips else 0
    add_to_run(run, delta, new, queued, prefix="watch_")


def _record_flips(flips: list[tuple[int, str, str]], at: datetime) -> list[tuple[int, int, str]]:
    """Insert the flips (watch id, card, previous) of one batch; returns (flip id, watch id, card)."""
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        returned = insert_returning(
            cursor, WatchFlip, ("watch_id", "card", "previous", "at"),
            [(w, card, prev, stamp) for w, card, prev in flips], ("id", "watch_id", "card"),
        )  # fmt: skip
    return [tuple(row) for row in returned]


def remaining_words(due: date, at: datetime, cal: WorkCalendar) -> str:
    """How a text says where a deadline stands at `at`: 剩余2个工作日, 今日到期, 已逾期3个工作日."""
    today = local_date(at)
    if today > due:
        late = cal.workdays_between(due, today)
        return f"已逾期{late}个工作日" if late else "已逾期"
    if today == due:
        return "今日到期"
    left = cal.workdays_between(today, due)
    return f"剩余{left}个工作日" if left else "即将到期"


def text_params(w: Watch, spec: WatchKind, at: datetime, cal: WorkCalendar) -> dict[str, str]:
    """The placeholders of a watched deadline's texts (kinds.PLACEHOLDERS)."""
    return {
        "kind_label": spec.label,
        "label": w.label,
        "due_date": w.due_date.isoformat(),
        "unit_name": w.unit.name,
        "case_no": w.case_id or "",
        "remaining": remaining_words(w.due_date, at, cal),
    }


def recipients(card: str, w: Watch, spec: WatchKind, supervisors) -> list:
    """Yellow: the responsible unit; red: it and the region's supervisors (contract section 6's
    rule, unless the kind says otherwise: no alert rule narrows it); then the kind's own."""
    units = []
    if card == YELLOW and spec.yellow_to_unit:
        units.append(w.unit)
    if card == RED:
        if spec.red_to_unit:
            units.append(w.unit)
        if spec.red_to_supervisors:
            units.extend(routing.supervisors_of(w.unit, supervisors))
    if spec.recipients is not None:
        units.extend(spec.recipients(w, card))
    return list({u.pk: u for u in units}.values())


def _notify(flips: list[tuple[int, int, str]], at: datetime, cal: WorkCalendar) -> int:
    carded = [(pk, watch_id, card) for pk, watch_id, card in flips if card in (Card.YELLOW, Card.RED)]
    if not carded:
        return 0
    # Only what a text needs, and each unit once: a first scan may card thousands at a time.
    watches = Watch.objects.only(
        "id", "kind", "label", "due_date", "case_id", "unit_id", "content_type_id", "object_id"
    )
    watches = watches.in_bulk([watch_id for _, watch_id, _ in carded])
    units = Unit.objects.in_bulk({w.unit_id for w in watches.values()})
    texts = NotificationTemplate.watch_texts()
    book = RuleBook()
    supervisors = routing.all_supervisors()
    messages = []
    for flip_id, watch_id, card in carded:
        w = watches[watch_id]
        w.unit = units[w.unit_id]
        try:
            spec = kind_of(w.kind)
        except UnknownKind:
            spec = WatchKind(w.kind, w.kind)  # an area removed its kind: its watches still speak
        params = text_params(w, spec, at, cal)
        text = render(texts.get(template_key(spec.code, card)) or spec.default_text(card), params)
        units_told = recipients(card, w, spec, supervisors)
        messages.append(routing.Message(units_told, f"watch_{card}", text, params, flip_id, w.case_id))
    return routing.queue_messages(messages, at, link="watch_flip_id", book=book)
