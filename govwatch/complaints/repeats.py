"""Repeats (重复件): complaints with the same contact, or about the same case, within
settings.COMPLAINT_REPEAT_DAYS of the first are linked to it (`repeat_of`); the first and its
repeats are one matter (contract section 7), counted once in the figures.

The links are a function of the complaints themselves: `relink` recomputes them for every complaint
that shares a contact or a case with the ones given (transitively), in time order, so complaints
arriving late or out of order end up linked exactly as if they had come in order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from govwatch.cases.stale import mark_stale

from . import figures
from .models import Complaint

Repeat = Complaint.Repeat
# How many times the set of shared contacts and cases widens (a complaint with contact A about case
# X brings in the complaints of contact B about X, and so on); chains longer than this are rare.
CLOSURE_ROUNDS = 4


def _keys(rows: Iterable[tuple]) -> tuple[set[str], set[str]]:
    contacts, cases = set(), set()
    for _, _, contact, case_no, _, _ in rows:
        if contact:
            contacts.add(contact)
        if case_no:
            cases.add(case_no)
    return contacts, cases


FIELDS = ("id", "at", "contact_hash", "case_id", "repeat_of_id", "repeat_reason")


def _sharing(contacts: set[str], cases: set[str]) -> list[tuple]:
    query = Q(pk__in=[])
    if contacts:
        query |= Q(contact_hash__in=list(contacts))
    if cases:
        query |= Q(case_id__in=list(cases))
    return list(Complaint.objects.filter(query).values_list(*FIELDS))


def links(rows: list[tuple], window: timedelta) -> dict[int, tuple[int | None, str]]:
    """{id: (first id or None, reason)} for rows (FIELDS), by the rule: a complaint repeats the
    earliest first complaint sharing its contact or its case whose time is at most `window` before
    its own. Pure: the rule in one place."""
    firsts: dict[tuple[str, str], list[tuple[datetime, int]]] = defaultdict(list)
    result: dict[int, tuple[int | None, str]] = {}
    for pk, at, contact, case_no, _, _ in sorted(rows, key=lambda r: (r[1], r[0])):
        best: tuple[datetime, int, str] | None = None
        keys = [(Repeat.CASE.value, case_no), (Repeat.CONTACT.value, contact)]
        for reason, value in keys:
            if not value:
                continue
            seen = firsts[(reason, value)]
            i = bisect_left(seen, (at - window, -1))
            if i < len(seen) and (best is None or seen[i][:2] < best[:2]):
                best = (seen[i][0], seen[i][1], reason)
        if best is not None:
            result[pk] = (best[1], best[2])
        else:
            result[pk] = (None, "")
            for reason, value in keys:
                if value:
                    firsts[(reason, value)].append((at, pk))
    return result


def relink(ids: Iterable[int]) -> int:
    """Recompute the repeat links of the complaints `ids` and of every complaint sharing a contact
    or a case with them; returns how many links changed."""
    seeds = list(Complaint.objects.filter(pk__in=list(ids)).values_list(*FIELDS))
    contacts, cases = _keys(seeds)
    if not contacts and not cases:
        return 0
    rows = _sharing(contacts, cases)
    for _ in range(CLOSURE_ROUNDS):
        more_contacts, more_cases = _keys(rows)
        if more_contacts <= contacts and more_cases <= cases:
            break
        contacts, cases = contacts | more_contacts, cases | more_cases
        rows = _sharing(contacts, cases)
    window = timedelta(days=settings.COMPLAINT_REPEAT_DAYS)
    new = links(rows, window)
    changed = [
        Complaint(pk=pk, repeat_of_id=new[pk][0], repeat_reason=new[pk][1])
        for pk, _, _, _, first, reason in rows
        if (first, reason) != new[pk]
    ]
    Complaint.objects.bulk_update(changed, ["repeat_of", "repeat_reason"], batch_size=500)
    # A complaint that became or stopped being a repeat moves its unit's matter and repeat counts.
    relinked = Complaint.objects.filter(pk__in=[c.pk for c in changed]).values_list("unit", "at", "closed_at")
    mark_stale(figures.stale_days(relinked))
    return len(changed)


def chain(complaint: Complaint) -> list[Complaint]:
    """The matter a complaint belongs to: its first complaint and every repeat, in time order."""
    first_id = complaint.repeat_of_id or complaint.pk
    return list(
        Complaint.objects.filter(Q(pk=first_id) | Q(repeat_of_id=first_id))
        .select_related("unit")
        .order_by("at", "id")
    )
