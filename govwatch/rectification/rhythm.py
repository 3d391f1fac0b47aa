"""The rhythm of seed 003 (日提醒、周调度、月通报、季考核), the first two of which are messages, both
through supervision's reminders (govwatch.supervision.reminders: the outbox, the unit's quiet
hours, one message per subject, topic and period whichever worker runs it):

- daily (日提醒): on each working day, a message to the responsible unit for each of its problems
  overdue or due within three working days (section 3's count, the watch of `watching.py`);
- weekly (周调度): in each ISO week, from its first working day, one digest per list to the list's
  owner (progress since last week, what was signed off, what is late).

The monthly bulletin's section and the quarterly assessment are figures (`figures.py`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from govwatch.accounts.models import Role
from govwatch.core.choices import UnitKind
from govwatch.core.localtime import local_date, start_of_day
from govwatch.orgs.models import Unit
from govwatch.supervision.models import Notification, Reminder
from govwatch.supervision.reminders import WEEK, period_key, remind, remind_due
from govwatch.supervision.routing import supervisors_of
from govwatch.workcal.calendar import get_calendar

from .figures import DUE_SOON_WORKDAYS, counts_of, with_steps
from .models import Problem, ProblemStep, RectificationList
from .watching import DAILY_TOPIC, PROBLEM, WEEKLY_TOPIC

LISTED = 5  # problems named in one digest; the rest are counted


def reminder_window(today: date) -> date:
    """Problems with a deadline before this date are overdue or due within three working days:
    at most 3 working days d with today < d <= deadline."""
    return get_calendar().add_workdays(today, DUE_SOON_WORKDAYS + 1).date


def reminders_of(problem: Problem, shown: int = 20) -> list[Notification]:
    """The reminder messages queued about a problem, newest first (its page lists them)."""
    return list(
        Notification.objects.filter(
            reminder__content_type=ContentType.objects.get_for_model(Problem), reminder__object_id=problem.pk
        )
        .select_related("unit")
        .order_by("-created_at")[:shown]
    )


def daily_reminders(at: datetime | None = None) -> int:
    """日提醒: each watched problem overdue or due within three working days, to its unit, once a
    working day. Returns how many problems this call reminded."""
    return remind_due(PROBLEM, at=at, within_workdays=DUE_SOON_WORKDAYS, topic=DAILY_TOPIC)


# -- the weekly digest -----------------------------------------------------------------------------


def owner_of(rlist: RectificationList) -> Unit | None:
    """Who receives the list's digest: its owner, else the approving body of its region (the
    supervisor unit over its units, or the service center), else the region's root."""
    if rlist.owner_id:
        return rlist.owner
    first = rlist.problems.select_related("unit").first()
    if rlist.approver_role == Role.SUPERVISOR and first is not None:
        supervisors = list(Unit.objects.filter(kind=UnitKind.SUPERVISOR).select_related("parent"))
        found = supervisors_of(first.unit, supervisors)
        if found:
            return found[0]
    center = Unit.objects.filter(kind=UnitKind.CENTER).order_by("path").first()
    if rlist.approver_role == Role.OFFICE and center is not None:
        return center
    return Unit.objects.filter(parent=None).order_by("path").first()


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def weekly_text(rlist: RectificationList, at: datetime) -> str:
    monday = week_start(local_date(at))
    since = start_of_day(monday - timedelta(days=7))
    problems = list(with_steps(rlist.problems.select_related("unit")))
    c = counts_of(problems, at)
    week_steps = ProblemStep.objects.filter(problem__rlist=rlist, at__gte=since, at__lt=start_of_day(monday))
    progress = week_steps.filter(kind=ProblemStep.Kind.PROGRESS).count()
    signed = week_steps.filter(kind=ProblemStep.Kind.SIGNED_OFF).count()
    late = sorted((p for p in problems if p.owed and p.deadline < local_date(at)), key=lambda p: p.deadline)
    text = (
        f"【整改周调度】《{rlist.name}》：共{c.problems}项，已销号{c.signed_off}项（上周销号{signed}项），"
        f"上周报告进展{progress}次，待销号审核{c.submitted}项，逾期{c.overdue}项，"
        f"{DUE_SOON_WORKDAYS}个工作日内到期{c.due_soon}项。"
    )
    if late:
        text += "逾期：" + "；".join(
            f"第{p.no}项（{p.unit.name}，时限{p.deadline:%m月%d日}）" for p in late[:LISTED]
        )
        text += f"等{len(late)}项。" if len(late) > LISTED else "。"
    return text


def weekly_digests(at: datetime | None = None) -> int:
    """周调度: each published list with problems still to sign off gets one digest a week to its
    owner, from the week's first working day. Returns how many this call queued."""
    at = at or timezone.now()
    today = local_date(at)
    cal = get_calendar()
    monday = week_start(today)
    first_workday = next(
        (monday + timedelta(days=i) for i in range(7) if cal.is_workday(monday + timedelta(days=i))), None
    )
    if first_workday is None or today < first_workday:
        return 0
    active = Problem.objects.exclude(status=Problem.Status.SIGNED_OFF).values("rlist")
    # The lists whose digest this week is queued already are not read again (the claim is remind's).
    sent = Reminder.objects.filter(
        content_type=ContentType.objects.get_for_model(RectificationList), topic=WEEKLY_TOPIC,
        period=period_key(at, WEEK),
    ).values("object_id")  # fmt: skip
    queued = 0
    lists = RectificationList.objects.filter(published=True, pk__in=active).exclude(pk__in=sent)
    for rlist in lists.order_by("code"):
        owner = owner_of(rlist)
        if owner is None:
            continue
        with transaction.atomic():
            queued += remind(
                rlist, topic=WEEKLY_TOPIC, unit=owner, text=weekly_text(rlist, at), at=at, period=WEEK
            )
    return queued
