"""Reminders and digests (催办提醒, 周报): at most one message per subject, topic and period.

The rhythm of issue 13 ("daily reminder, weekly review") and its kin: an area's worker job calls

    from govwatch.supervision.reminders import remind, remind_due

    remind_due("rectification", at=at, within_workdays=3)     # each problem due within 3 working
                                                              # days or overdue: its unit, daily
    remind(rectification_list, topic="weekly", unit=owner, text=digest, at=at, period="week")

as often as it likes: the Reminder row's unique key (subject, topic, period) is the claim, so any
number of workers, and any number of runs in a day, queue one reminder. Messages go through the
outbox with the unit's alert rule, so quiet hours delay them and nothing is dropped.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from . import routing
from .kinds import REMINDER, kind_of, template_key
from .models import NotificationTemplate, Reminder, Watch
from .rules import RuleBook
from .texts import render
from .watchscan import text_params

DAY, WEEK = "day", "week"
KIND = "reminder"


def period_key(at: datetime, period: str = DAY) -> str:
    """The local day ("2026-03-10") or ISO week ("2026-W11") that `at` falls in."""
    today = local_date(at)
    if period == DAY:
        return today.isoformat()
    if period == WEEK:
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    raise ValueError(f"period must be {DAY!r} or {WEEK!r}, not {period!r}")


def _claim(
    content_type: ContentType, pk: int, topic: str, key: str, unit: Unit, at: datetime
) -> Reminder | None:
    try:
        # A savepoint: a reminder someone already queued leaves the caller's transaction usable.
        with transaction.atomic():
            return Reminder.objects.create(
                content_type=content_type, object_id=pk, topic=topic, period=key, unit=unit, at=at
            )
    except IntegrityError:
        return None


def remind(
    subject: models.Model,
    *,
    topic: str,
    unit: Unit,
    text: str,
    at: datetime | None = None,
    params: dict | None = None,
    period: str = DAY,
    case_no: str | None = None,
    book: RuleBook | None = None,
) -> bool:
    """Queue `text` to `unit` about `subject`, unless a reminder of this topic about it was queued
    in the same period (local day, or ISO week). True when this call queued it. In the caller's
    transaction; `params` are the variables an SMS provider's template takes (default `text`)."""
    if not text.strip():
        raise ValueError("a reminder needs a text")
    at = at or timezone.now()
    reminder = _claim(
        ContentType.objects.get_for_model(subject), subject.pk, topic, period_key(at, period), unit, at
    )
    if reminder is None:
        return False
    message = routing.Message([unit], KIND, text, params or {"text": text}, reminder.pk, case_no)
    routing.queue_messages([message], at, link="reminder_id", book=book)
    return True


def remind_due(
    kind: str,
    *,
    at: datetime | None = None,
    within_workdays: int = 3,
    topic: str | None = None,
    workdays_only: bool = True,
) -> int:
    """The daily reminder of a watch kind: each open deadline due within `within_workdays` working
    days (section 3's count, as `rectification list`'s due_within_3) or overdue is reminded to its
    responsible unit once a day, with the kind's reminder text. Nothing on a non-working day unless
    `workdays_only` is False. `topic` (default "<kind>.due") keys the once-a-day claim. Returns how
    many subjects were reminded by this call."""
    if within_workdays < 0:
        raise ValueError("within_workdays must be >= 0")
    at = at or timezone.now()
    cal = get_calendar()
    today = local_date(at)
    if workdays_only and not cal.is_workday(today):
        return 0
    spec = kind_of(kind)
    template = NotificationTemplate.watch_texts()[template_key(kind, REMINDER)]
    horizon = cal.add_workdays(today, within_workdays).date
    due = Watch.objects.filter(kind=kind, status=Watch.Status.OPEN, due_date__lte=horizon, opened_at__lte=at)
    book = RuleBook()
    key = period_key(at, DAY)
    topic = topic or f"{kind}.due"
    reminded = 0
    for w in due.select_related("unit", "content_type").order_by("due_date", "id").iterator(chunk_size=500):
        with transaction.atomic():
            reminder = _claim(w.content_type, w.object_id, topic, key, w.unit, at)
            if reminder is None:
                continue
            params = text_params(w, spec, at, cal)
            message = routing.Message(
                [w.unit], KIND, render(template, params), params, reminder.pk, w.case_id
            )
            routing.queue_messages([message], at, link="reminder_id", book=book)
            reminded += 1
    return reminded
