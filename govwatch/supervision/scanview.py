"""What a scan sees of a deadline (a case's, or a watched deadline's) and the figures it keeps.

Shared by the two halves of the scan (govwatch.supervision.scan for cases, .watchscan for watched
deadlines): the state and card at a moment with the next moment they may change (`View`), when an
open deadline's card next changes (`next_card_moment`), and the figures kept by difference (`count`,
`add_to_run`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import F

from govwatch.core.choices import Card
from govwatch.core.localtime import end_of_day, start_of_day
from govwatch.workcal.calendar import WorkCalendar

from .models import ScanRun

# "Nothing will change until its facts change": later than any real moment, indexable.
NEVER = datetime(2199, 12, 31, tzinfo=UTC)
BATCH = 2000

OPEN, SUSPENDED, CLOSED, PENDING = "open", "suspended", "closed", ""


@dataclass(frozen=True)
class View:
    """What a scan sees of one case or watched deadline at a moment."""

    state: str
    card: str
    next_at: datetime


def next_card_moment(card: str, due: date, threshold: int | None, cal: WorkCalendar) -> datetime:
    """When an open, running deadline's card (`card_on`) next changes if nothing else happens to it."""
    if card == Card.RED:
        return NEVER
    red_from = end_of_day(due)
    if card == Card.YELLOW or threshold is None:
        return red_from
    return start_of_day(cal.first_date_within(due, threshold))


def add_to_run(
    run: ScanRun, delta: dict[str, int], new: dict[str, int], queued: int, prefix: str = ""
) -> None:
    """Add a batch's share to the scan's figures (`prefix` "watch_" for watched deadlines)."""
    changes = {
        **delta,
        "new_yellow": new[Card.YELLOW],
        "new_red": new[Card.RED],
        "notifications_queued": queued,
    }
    ScanRun.objects.filter(pk=run.pk).update(**{prefix + k: F(prefix + k) + v for k, v in changes.items()})


def count(counts: dict[str, int], state: str, card: str, sign: int) -> None:
    """Add (sign +1) or take away (-1) one view in the standing figures."""
    if state in (OPEN, SUSPENDED):
        counts["open"] += sign
    if state == SUSPENDED:
        counts["suspended"] += sign
    if card == Card.YELLOW:
        counts["yellow"] += sign
    elif card == Card.RED:
        counts["red"] += sign
