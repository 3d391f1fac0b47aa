"""The daily run: the months new evaluation data arrived in since the last finished run, checked
again, by whichever worker claims the day (a conditional UPDATE that must touch one row).

New data is any evaluation stored (or kept pending) since that run's high-water ids, whatever its
own date (a backfill of last spring is checked as such); each month it touches is checked whole, up
to today, because the statistical checks need the month around it. A first run checks the last
twelve months. A worker killed mid-run leaves its watermarks unchanged: the next day's run takes
the data it missed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from govwatch.audit.log import Actor
from govwatch.core.localtime import local_date, start_of_day
from govwatch.evaluations.models import Evaluation, PendingEvaluation
from govwatch.evaluations.pending import link_arrived_cases

from .models import CheckRun, DailyCheck
from .runs import RunResult, clear_arrived, run_checks

DAILY_HOUR = 2  # 02:00 local: after the night's imports, before the day's work
FIRST_MONTHS = 12
WORKER = Actor("system:worker")


def _next_due(now: datetime) -> datetime:
    return start_of_day(local_date(now) + timedelta(days=1)) + timedelta(hours=DAILY_HOUR)


def claim(now: datetime) -> bool:
    """True for the one worker that takes today's run."""
    DailyCheck.objects.get_or_create(name="daily", defaults={"due_at": now})
    with transaction.atomic():
        return (
            DailyCheck.objects.filter(name="daily", due_at__lte=now).update(
                due_at=_next_due(now), holder="worker"
            )
            == 1
        )


def period_to_check(today: date) -> tuple[date, date] | None:
    """[first day of the earliest month with new data, today], or None when nothing arrived."""
    last = CheckRun.objects.exclude(finished_at=None).order_by("-finished_at", "-id").first()
    if last is None:
        first = (today.replace(day=1) - timedelta(days=FIRST_MONTHS * 31)).replace(day=1)
        return (first, today) if Evaluation.objects.exists() or PendingEvaluation.objects.exists() else None
    earliest = [
        Evaluation.objects.filter(pk__gt=last.evaluations_seen).aggregate(m=Min("at"))["m"],
        PendingEvaluation.objects.filter(pk__gt=last.pending_seen).aggregate(m=Min("at"))["m"],
    ]
    earliest = [m for m in earliest if m is not None]
    if not earliest:
        return None
    first = local_date(min(earliest)).replace(day=1)
    return min(first, today), today


def run_daily(now: datetime | None = None) -> RunResult | None:
    now = now or timezone.now()
    if not claim(now):
        return None
    period = period_to_check(local_date(now))
    if period is None:
        link_arrived_cases()
        clear_arrived(now)
        return None
    return run_checks(period[0], period[1], WORKER, now=now)
