"""我的待办 of rectification lists (govwatch.core.todo): the responsible unit's staff find their
problems overdue or due within three working days and those sent back for more evidence; the
approvers (the list's approving role) the requests for sign-off and the look-backs due."""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse

from govwatch.accounts.permissions import MANAGE_RECTIFICATION, REPORT_RECTIFICATION, may, role_of
from govwatch.core.localtime import local_date
from govwatch.core.todo import SHOWN, TodoGroup, TodoItem
from govwatch.workcal.calendar import get_calendar

from .actions import visible_problems
from .models import Problem, ProblemStep
from .rhythm import reminder_window

NAV = "rectification"
Status, Kind = Problem.Status, ProblemStep.Kind


def sent_back(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """Owed problems whose last request for sign-off was sent back: evidence to add, then ask again."""
    last = (
        ProblemStep.objects.filter(
            problem=OuterRef("pk"), kind__in=[Kind.SUBMITTED, Kind.RETURNED, Kind.RELAPSED]
        )
        .order_by("-at", "-id")
        .values("kind")[:1]
    )
    return (
        problems.filter(status__in=Problem.OWED)
        .annotate(last_request=Subquery(last))
        .filter(last_request=Kind.RETURNED)
    )


def _label(p: Problem) -> str:
    return f"{p.rlist.code} 第{p.no}项 {p.title}"


def waiting(user, at: datetime) -> list[TodoGroup]:
    today, cal = local_date(at), get_calendar()
    index = reverse("rectification:index")
    problems = visible_problems(user)
    groups: list[TodoGroup] = []

    def group(key: str, label: str, rows: QuerySet[Problem], state: str, tone: str = "", dated: bool = True):
        if not (count := rows.count()):
            return
        first = rows.order_by("deadline", "rlist__code", "sort")
        groups.append(TodoGroup(
            f"rectification.{key}", label, count, f"{index}?state={state}",
            items=lambda: [TodoItem.due(_label(p), p.get_absolute_url(), p.deadline, today, cal) if dated
                           else TodoItem(_label(p), p.get_absolute_url()) for p in first[:SHOWN]],
            nav=NAV, tone=tone,
        ))  # fmt: skip

    if may(user, REPORT_RECTIFICATION):
        owed = problems.filter(status__in=Problem.OWED)
        group("overdue", "整改已逾期的问题", owed.filter(deadline__lt=today), "overdue", tone="red")
        soon = owed.filter(deadline__gte=today, deadline__lt=reminder_window(today))
        group("due-soon", "3个工作日内到期的整改问题", soon, "due_soon", tone="yellow")
        group("sent-back", "被退回、待补充佐证材料的问题", sent_back(problems), "returned")
    if may(user, MANAGE_RECTIFICATION):
        mine = problems if user.is_superuser else problems.filter(rlist__approver_role=role_of(user))
        group(
            "to-sign-off",
            "待销号审核的整改问题",
            mine.filter(status=Status.SUBMITTED),
            "submitted",
            dated=False,
        )
        due = mine.filter(status=Status.SIGNED_OFF, lookback_due__lte=today)
        group("look-back", "回头看到期的整改问题", due, "lookback", dated=False)
    return groups
