"""The rhythm of seed 003 (日提醒、周调度、月通报、季考核), the first two of which are messages:

- daily (日提醒): on each working day, one message to each responsible unit naming its problems that
  are overdue or due within three working days (section 3's count), through the outbox, held back
  until the unit's quiet hours end; one per unit and day, whoever runs it and however often;
- weekly (周调度): in each ISO week, from its first working day, one digest per list to the list's
  owner (progress since last week, what was signed off, what is late).

The monthly bulletin's section and the quarterly assessment are figures (`figures.py`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from govwatch.accounts.models import Role
from govwatch.cases.deadlines import local_date, start_of_day
from govwatch.core.choices import UnitKind
from govwatch.orgs.models import Unit
from govwatch.supervision.models import Notification
from govwatch.supervision.routing import message_to, supervisors_of
from govwatch.supervision.rules import RuleBook
from govwatch.workcal.calendar import get_calendar

from .figures import DUE_SOON_WORKDAYS, counts_of, with_steps
from .models import Problem, ProblemStep, RectificationList, Reminder

DAILY, WEEKLY = "rectify", "rectify_weekly"
LISTED = 5  # problems named in one message; the rest are counted


def queue_message(
    unit: Unit, kind: str, text: str, at: datetime, book: RuleBook | None = None
) -> Notification:
    """One outbox message to a unit's alert number, held until its quiet hours end."""
    message = message_to(unit, kind, text)
    if message.status == Notification.Status.QUEUED:
        message.next_attempt_at = (book or RuleBook()).for_case(unit, None).release_at(at)
    message.save()
    return message


def reminder_window(today: date) -> date:
    """Problems with a deadline before this date are overdue or due within three working days:
    at most 3 working days d with today < d <= deadline."""
    return get_calendar().add_workdays(today, DUE_SOON_WORKDAYS + 1).date


def problems_to_remind(today: date):
    return (
        Problem.objects.filter(
            status__in=Problem.OWED, rlist__published=True, deadline__lt=reminder_window(today)
        )
        .select_related("rlist", "unit")
        .order_by("unit_id", "deadline", "rlist__code", "sort")
    )


def _daily_text(unit: Unit, problems: list[Problem], today: date) -> str:
    late = [p for p in problems if p.deadline < today]
    soon = len(problems) - len(late)
    parts = []
    if late:
        parts.append(f"{len(late)}项已逾期")
    if soon:
        parts.append(f"{soon}项{DUE_SOON_WORKDAYS}个工作日内到期")
    named = "；".join(
        f"《{p.rlist.name}》第{p.no}项（整改时限{p.deadline:%m月%d日}）" for p in problems[:LISTED]
    )
    more = f"等{len(problems)}项" if len(problems) > LISTED else ""
    return f"【整改提醒】{unit.name}：您单位有整改问题{'、'.join(parts)}：{named}{more}。请抓紧整改，并登录系统报告进展、申请销号。"


def daily_reminders(at: datetime | None = None) -> int:
    """日提醒: one message per responsible unit with problems overdue or due soon; working days only."""
    at = at or timezone.now()
    today = local_date(at)
    if not get_calendar().is_workday(today):
        return 0
    by_unit: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems_to_remind(today):
        by_unit[problem.unit_id].append(problem)
    book = RuleBook()
    queued = 0
    for problems in by_unit.values():
        unit = problems[0].unit
        if Reminder.objects.filter(kind=DAILY, unit=unit, key="", day=today).exists():
            continue
        text = _daily_text(unit, problems, today)
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(kind=DAILY, unit=unit, key="", day=today, text=text)
                reminder.notification = queue_message(unit, DAILY, text, at, book)
                reminder.save(update_fields=["notification"])
                reminder.problems.set(problems)
        except IntegrityError:
            continue  # another worker reminded this unit today
        queued += 1
    return queued


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
    """周调度: each published list with problems still to sign off gets one digest a week, from the
    week's first working day; the week is claimed on the list by a conditional UPDATE."""
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
    lists = RectificationList.objects.filter(published=True, pk__in=active).filter(
        Q(digest_week__isnull=True) | Q(digest_week__lt=monday)
    )
    book = RuleBook()
    queued = 0
    for rlist in lists:
        with transaction.atomic():
            won = (
                RectificationList.objects.filter(pk=rlist.pk)
                .filter(Q(digest_week__isnull=True) | Q(digest_week__lt=monday))
                .update(digest_week=monday)
            )
            if won != 1:
                continue
            owner = owner_of(rlist)
            if owner is None:
                continue
            text = weekly_text(rlist, at)
            reminder = Reminder.objects.create(
                kind=WEEKLY, unit=owner, key=rlist.code[:64], day=monday, text=text
            )
            reminder.notification = queue_message(owner, WEEKLY, text, at, book)
            reminder.save(update_fields=["notification"])
        queued += 1
    return queued
