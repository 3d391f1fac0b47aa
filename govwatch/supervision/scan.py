"""The scan: every open case's card at a moment, each new card recorded once with its notifications.

Each case stores the next moment its card may change (`Case.next_card_at`): when it turns yellow,
red, or when one of its recorded events (a suspension, a resume, its closing) takes effect. A scan
at moment t touches only the cases whose moment has come (t >= next_card_at) and those whose events
changed since they were last evaluated (next_card_at is NULL), so a scan with no change costs two
indexed look-ups. The figures are kept by difference from the previous scan; a scan earlier than
the previous one (a replay) re-evaluates every case instead.

A scan works in batches of its own transactions, so the web stays writable during a long first
scan on SQLite: each batch commits its cases' new views, their card changes, their messages and
its share of the figures together, and a scan killed mid-way leaves nothing half-done; the next
scan carries on. Only one scan runs at a time (a lease on `ScanLock`).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from govwatch.cases.deadlines import card_at, due_date, yellow_threshold
from govwatch.cases.models import Case, Suspension
from govwatch.core.bulk import insert_returning, update_rows
from govwatch.core.choices import Card, CaseStatus
from govwatch.core.localtime import local_tz
from govwatch.workcal.calendar import WorkCalendar, get_calendar

from . import routing, watchscan
from .models import CardChange, ScanLock, ScanRun
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


@dataclass(slots=True)
class Candidate:
    """The stored facts of a case that a scan needs: read as plain values, not model objects."""

    id: int
    case_no: str
    unit_id: int
    item_id: int
    accepted_at: datetime
    accepted_on: date
    closed_at: datetime | None
    due_date: date
    card: str
    scan_state: str
    promised: int
    threshold: int
    item_name: str


CANDIDATE_FIELDS = (
    "id", "case_no", "unit_id", "item_id", "accepted_at", "accepted_on", "closed_at", "due_date", "card",
    "scan_state", "item__promised_days", "item__yellow_days", "item__name",
)  # fmt: skip


def view_at(case: Candidate, suspensions: list[Suspension], at: datetime, cal: WorkCalendar) -> View:
    """A case's state and card at `at` from its stored facts, and the next moment they may change."""
    if case.accepted_at > at:
        return View(PENDING, Card.NONE, case.accepted_at)
    if case.closed_at is not None and case.closed_at <= at:
        return View(CLOSED, Card.NONE, NEVER)
    upcoming = [case.closed_at] if case.closed_at else []
    added = 0
    for s in suspensions:
        if s.started_at > at:
            upcoming.append(s.started_at)
        elif s.ended_at is None or s.ended_at > at:
            # Clock stopped: no card until it resumes (a resume not yet recorded resets the case).
            return View(SUSPENDED, Card.NONE, min([s.ended_at or NEVER, *upcoming]))
        else:
            added += s.workdays
    due = due_date(cal, case.accepted_on, case.promised, added).date
    card = card_at(CaseStatus.OPEN, due, case.promised, case.threshold, at, cal, local_tz())
    upcoming.append(next_card_moment(card, due, case.threshold if case.promised else None, cal))
    return View(OPEN, card, min(upcoming))


@dataclass
class ScanResult:
    at: datetime
    open: int
    suspended: int
    yellow: int
    red: int
    new_yellow: int
    new_red: int
    notifications_queued: int
    # The same figures for watched deadlines (govwatch.supervision.watches), not the contract's;
    # None while the region has no watched deadline at all.
    watches: dict[str, int] | None = None

    def document(self) -> dict[str, Any]:
        """What `govwatch scan` prints: the contract's keys, then, once there are watched
        deadlines, the extension key `watches` with the same figures for them."""
        if self.watches is None:
            return self.as_dict()
        return {**self.as_dict(), "watches": dict(self.watches)}

    def as_dict(self) -> dict[str, Any]:
        from django.utils import timezone

        return {
            "at": timezone.localtime(self.at).isoformat(),
            "open": self.open,
            "suspended": self.suspended,
            "yellow": self.yellow,
            "red": self.red,
            "new_yellow": self.new_yellow,
            "new_red": self.new_red,
            "notifications_queued": self.notifications_queued,
        }


def _counts_from_scratch() -> dict[str, int]:
    states = dict(
        Case.objects.values_list("scan_state").annotate(n=Count("id")).values_list("scan_state", "n")
    )
    cards = dict(Case.objects.values_list("card").annotate(n=Count("id")).values_list("card", "n"))
    return {
        "open": states.get(OPEN, 0) + states.get(SUSPENDED, 0),
        "suspended": states.get(SUSPENDED, 0),
        "yellow": cards.get(Card.YELLOW, 0),
        "red": cards.get(Card.RED, 0),
    }


def _read(qs) -> list[Candidate]:
    return [
        Candidate(
            i,
            no,
            unit,
            item,
            acc_at,
            acc_on,
            closed,
            due,
            card,
            state,
            promised,
            yellow_threshold(promised, own),
            name,
        )
        for i, no, unit, item, acc_at, acc_on, closed, due, card, state, promised, own, name in qs.values_list(
            *CANDIDATE_FIELDS
        )[:BATCH]
    ]


def _store_views(rows: list[tuple[str, str, datetime, datetime, int]]) -> None:
    """Write back (scan_state, card, card_at, next_card_at) by id, below the ORM: its bulk_update
    builds a CASE expression per row and costs seconds per thousand."""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        update_rows(
            cursor, Case, ("scan_state", "card", "card_at", "next_card_at"), "id",
            [(st, card, adapt(at), adapt(nxt), pk) for st, card, at, nxt, pk in rows],
        )  # fmt: skip


def _record_changes(changes: list[tuple[str, str, str]], at: datetime) -> list[int]:
    """Insert the card changes (case_no, card, previous) of one batch; returns their ids in order."""
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        returned = insert_returning(
            cursor, CardChange, ("case_no", "card", "previous", "at"),
            [(no, card, prev, stamp) for no, card, prev in changes], ("id", "case_no"),
        )  # fmt: skip
    ids = {case_no: pk for pk, case_no in returned}
    return [ids[no] for no, _, _ in changes]


class ScanBusy(Exception):
    """Another scan holds the lease."""


def lease() -> timedelta:
    """How long the scan's lock holds without news from its holder (renewed after every batch)."""
    return timedelta(seconds=settings.SCAN_LEASE_SECONDS)


def _acquire(token: str) -> bool:
    now = timezone.now()
    ScanLock.objects.get_or_create(name="scan")
    won = ScanLock.objects.filter(Q(until__isnull=True) | Q(until__lt=now), name="scan").update(
        holder=token, until=now + lease()
    )
    return won == 1


def _release(token: str) -> None:
    ScanLock.objects.filter(name="scan", holder=token).update(holder="", until=None)


def scan(at: datetime | None = None, wait: float = 600.0) -> ScanResult:
    """Evaluate every case whose card may have changed by `at` (default: now); record and notify
    each new card. Waits up to `wait` seconds for a running scan to finish, else raises ScanBusy."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while not _acquire(token):
        if time.monotonic() >= deadline:
            raise ScanBusy("另一个扫描正在进行")
        time.sleep(0.2)
    try:
        return _scan(at or timezone.now(), token)
    finally:
        _release(token)


def _scan(at: datetime, token: str) -> ScanResult:
    cal = get_calendar()
    with transaction.atomic():
        previous = ScanRun.objects.order_by("-id").first()
        rewind = previous is None or at < previous.at
        # Figures by difference: from the previous scan's, or (replay) from the stored views, then
        # corrected by each case this scan re-evaluates.
        if rewind:
            counts = {**_counts_from_scratch(), **watchscan.counts_from_scratch()}
        else:
            counts = {
                "open": previous.open,
                "suspended": previous.suspended,
                "yellow": previous.yellow,
                "red": previous.red,
            }
            counts.update(watchscan.carried_counts(previous))
        run = ScanRun.objects.create(at=at, **counts)

    def renew_lease() -> None:
        ScanLock.objects.filter(name="scan", holder=token).update(until=timezone.now() + lease())

    batches = _rewind_batches(at) if rewind else _due_batches(at)
    for batch in batches:
        with transaction.atomic():
            _scan_batch(batch, at, cal, run)
            renew_lease()
    watchscan.scan_watches(at, cal, run, rewind, renew_lease)
    ScanRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    run.refresh_from_db()
    return ScanResult(
        at, run.open, run.suspended, run.yellow, run.red, run.new_yellow, run.new_red, run.notifications_queued,
        watches=watchscan.figures(run) if watchscan.any_watched() else None,
    )  # fmt: skip


def _due_batches(at: datetime) -> Iterator[list[Candidate]]:
    """Cases not evaluated since their events changed, then cases whose moment has come.

    Each batch is taken afresh: an evaluated case leaves the query (its next moment is after `at`),
    so no ordering or paging is needed and each query is one index range.
    """
    for qs in (Case.objects.filter(next_card_at__isnull=True), Case.objects.filter(next_card_at__lte=at)):
        while batch := _read(qs):
            yield batch


def _rewind_batches(at: datetime) -> Iterator[list[Candidate]]:
    qs = Case.objects.filter(~Q(scan_state=PENDING) | Q(accepted_at__lte=at) | Q(next_card_at__isnull=True))
    last_id = 0
    while batch := _read(qs.filter(id__gt=last_id).order_by("id")):
        last_id = batch[-1].id
        yield batch


def _scan_batch(batch: list[Candidate], at: datetime, cal: WorkCalendar, run: ScanRun) -> None:
    suspensions: dict[str, list[Suspension]] = defaultdict(list)
    for s in Suspension.objects.filter(case_id__in=[c.case_no for c in batch]).order_by("started_at"):
        suspensions[s.case_id].append(s)
    delta = {"open": 0, "suspended": 0, "yellow": 0, "red": 0}
    new = {Card.YELLOW: 0, Card.RED: 0}
    updates = []
    changes: list[tuple[str, str, str]] = []
    changed: list[Candidate] = []
    for case in batch:
        view = view_at(case, suspensions.get(case.case_no, []), at, cal)
        count(delta, case.scan_state, case.card, -1)
        count(delta, view.state, view.card, +1)
        if view.card != case.card:
            changes.append((case.case_no, view.card, case.card))
            changed.append(case)
            if view.card in new:
                new[view.card] += 1
        # Never at or before `at`: the batch loop relies on evaluated cases leaving the range.
        updates.append(
            (view.state, view.card, at, max(view.next_at, at + timedelta(microseconds=1)), case.id)
        )
    _store_views(updates)
    queued = 0
    if changes:
        ids = _record_changes(changes, at)
        queued = routing.queue_for_changes(
            [routing.NewCard(pk, card, case.case_no, case.unit_id, case.item_id, case.item_name, case.due_date)
             for pk, (_, card, _), case in zip(ids, changes, changed, strict=True)],
            at,
        )  # fmt: skip
    add_to_run(run, delta, new, queued)
