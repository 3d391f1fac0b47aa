"""Deadlines recomputed from their events: provisional ones when the schedule of their years arrives
(contract section 3), open ones when their item's promised days change."""

from __future__ import annotations

from collections import defaultdict

from govwatch.core.choices import CaseStatus
from govwatch.workcal.calendar import get_calendar

from . import deadlines
from .events import CaseChange, apply_events
from .models import Case, CaseEvent

BATCH = 2000


def recompute_provisional(years: set[int] | None = None) -> int:
    """Re-derive every provisional case (or those accepted up to the last of `years`); returns how many."""
    cases = Case.objects.filter(provisional=True)
    if years:
        cases = cases.filter(accepted_on__year__lte=max(years))
    return rederive(cases)


def recompute_open_of_items(item_ids: list[int]) -> int:
    """Re-derive the open cases (suspended ones too) of items whose promised days changed: their
    due dates move, and each is left for the next scan to card afresh (`next_card_at` NULL). A
    closed case keeps the deadline it was handled against."""
    open_states = (CaseStatus.OPEN, CaseStatus.SUSPENDED)
    return rederive(Case.objects.filter(item_id__in=item_ids, status__in=open_states))


def rederive(cases) -> int:
    """Re-derive the facts of `cases` from their stored events, in batches; returns how many."""
    cal = get_calendar()
    done = 0
    last_id = 0
    while True:
        batch = list(cases.filter(id__gt=last_id).select_related("item").order_by("id")[:BATCH])
        if not batch:
            return done
        last_id = batch[-1].id
        events: dict[str, list[deadlines.Event]] = defaultdict(list)
        for e in CaseEvent.objects.filter(case_id__in=[c.case_no for c in batch]).order_by("at", "id"):
            events[e.case_id].append(deadlines.Event(e.kind, e.at, e.reason))
        changes = [
            CaseChange(c.case_no, sorted(events[c.case_no], key=deadlines.sort_key), c.item.promised_days, [])
            for c in batch
            if events[c.case_no]
        ]
        apply_events(changes, cal)
        done += len(changes)


def on_schedule_changed(sender, years: set[int], **kwargs) -> dict[str, int]:
    return {"cases": recompute_provisional(years)}


def on_promised_days_changed(sender, items: dict[int, tuple[int, int]], **kwargs) -> int:
    return recompute_open_of_items(list(items))
