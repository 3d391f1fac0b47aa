"""Complaint deadlines that waited on a year's holiday schedule, computed again once it arrives.

Contract section 3: a deadline that depends on a date of a year with no imported schedule is
provisional until that year is imported, then recomputed; section 7 counts complaint deadlines by
section 3's rules. Connected to `workcal.signals.schedule_changed` by ComplaintsConfig.ready(), as
the cases' own recomputation is.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from govwatch.core.localtime import local_date
from govwatch.workcal.calendar import get_calendar

from . import deadlines, watching
from .models import Complaint


def recompute_provisional() -> int:
    """Recount every provisional complaint deadline with today's calendar; move the watch of each
    one that changed. Returns how many changed."""
    cal = get_calendar()
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        center = watching.service_center()
        for complaint in Complaint.objects.select_for_update().filter(provisional=True).order_by("pk"):
            before = (complaint.due_date, complaint.provisional)
            deadlines.schedule(complaint, complaint.clock_from or local_date(complaint.at), cal)
            if (complaint.due_date, complaint.provisional) == before:
                continue
            complaint.save(update_fields=["clock_from", "due_date", "provisional"])
            if complaint.is_open:
                watching.follow(complaint, now, center)
            changed += 1
    return changed


def on_schedule_changed(sender, years: set[int], **kwargs) -> dict[str, int]:
    return {"complaints": recompute_provisional()}
