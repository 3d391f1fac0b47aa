"""A complaint's deadline and card (contract section 7), computed here and nowhere else.

The deadline is its date (or its reopening's) plus N working days by kind, N by the region's
settings (COMPLAINT_DAYS: consult 2, help 10, suggest 10, complaint 15, report 15; urgent 1),
counted with the one working-day calendar (contract section 3 rules). A complaint not closed by the
end of its due date is overdue: a red card, as a case; yellow from one working day before, that is
while at most YELLOW_DAYS working days remain (the card rule of cases with that threshold).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.conf import settings

from govwatch.cases.deadlines import card_at
from govwatch.core.choices import Card, CaseStatus, ComplaintUrgency
from govwatch.core.localtime import end_of_day, local_date, start_of_day
from govwatch.workcal.calendar import Deadline, WorkCalendar, get_calendar

YELLOW_DAYS = 1
# "The card will not change again" (a closed complaint): later than any real moment, indexable.
NEVER = datetime(2199, 12, 31, tzinfo=UTC)


def days_for(kind: str, urgency: str) -> int:
    """Working days a complaint of this kind and urgency has."""
    days = settings.COMPLAINT_DAYS
    return days["urgent"] if urgency == ComplaintUrgency.URGENT else days[kind]


def due(start: date, kind: str, urgency: str, cal: WorkCalendar | None = None) -> Deadline:
    """The deadline of a complaint whose clock starts on `start`."""
    return (cal or get_calendar()).add_workdays(start, days_for(kind, urgency))


def schedule(complaint, start: date | None = None, cal: WorkCalendar | None = None) -> None:
    """Set `clock_from`, `due_date` and `provisional` of a complaint (unsaved) from `start` (default:
    its own date), and ask the next scan to look at it again."""
    complaint.clock_from = start or local_date(complaint.at)
    deadline = due(complaint.clock_from, complaint.kind, complaint.urgency, cal)
    complaint.due_date, complaint.provisional = deadline.date, deadline.provisional
    complaint.next_card_at = None


def card(is_open: bool, due_date: date | None, moment: datetime, cal: WorkCalendar) -> str:
    """The card of a complaint at a moment: red after its due date, yellow from one working day
    before, none when closed (the case rule, contract section 3, with threshold YELLOW_DAYS)."""
    if not is_open or due_date is None:
        return Card.NONE.value
    return card_at(CaseStatus.OPEN, due_date, YELLOW_DAYS, YELLOW_DAYS, moment, cal)


def next_change(card_now: str, due_date: date, cal: WorkCalendar) -> datetime | None:
    """When an open complaint's card next changes if nothing else happens to it (None: never)."""
    if card_now == Card.RED:
        return None
    if card_now == Card.YELLOW:
        return end_of_day(due_date)
    return start_of_day(cal.first_date_within(due_date, YELLOW_DAYS))


def on_time(closed_at: datetime, due_date: date) -> bool:
    return local_date(closed_at) <= due_date
