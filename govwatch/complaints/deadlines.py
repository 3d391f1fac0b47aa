"""A complaint's deadline (contract section 7), computed here and nowhere else.

The deadline is its date (or its reopening's) plus N working days by kind, N by the region's
settings (COMPLAINT_DAYS: consult 2, help 10, suggest 10, complaint 15, report 15; urgent 1),
counted with the one working-day calendar (contract section 3 rules). A complaint not closed by the
end of its due date is overdue. Its card is the case rule (red after the due date, yellow while at
most YELLOW_DAYS working days remain), given by e-supervision's scan to the complaint's watched
deadline (govwatch.complaints.watching).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings

from govwatch.core.choices import ComplaintUrgency
from govwatch.core.localtime import local_date
from govwatch.workcal.calendar import Deadline, WorkCalendar, get_calendar

YELLOW_DAYS = 1


def days_for(kind: str, urgency: str) -> int:
    """Working days a complaint of this kind and urgency has."""
    days = settings.COMPLAINT_DAYS
    return days["urgent"] if urgency == ComplaintUrgency.URGENT else days[kind]


def due(start: date, kind: str, urgency: str, cal: WorkCalendar | None = None) -> Deadline:
    """The deadline of a complaint whose clock starts on `start`."""
    return (cal or get_calendar()).add_workdays(start, days_for(kind, urgency))


def schedule(complaint, start: date | None = None, cal: WorkCalendar | None = None) -> None:
    """Set `clock_from`, `due_date` and `provisional` of a complaint (unsaved) from `start`
    (default: its own date)."""
    complaint.clock_from = start or local_date(complaint.at)
    deadline = due(complaint.clock_from, complaint.kind, complaint.urgency, cal)
    complaint.due_date, complaint.provisional = deadline.date, deadline.provisional


def on_time(closed_at: datetime, due_date: date) -> bool:
    return local_date(closed_at) <= due_date
