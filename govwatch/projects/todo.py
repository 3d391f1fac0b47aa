"""我的待办 of key projects: the owner unit's late milestones, letters to answer and the month's
report; the supervisors' replies to check and slow projects no letter has reached yet."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse

from govwatch.accounts.permissions import ISSUE_LETTERS, REPORT_PROGRESS, scope
from govwatch.core.localtime import local_date
from govwatch.core.todo import TodoGroup, TodoItem
from govwatch.workcal.calendar import get_calendar

from .models import KeyProject, Milestone, ProjectLetter
from .progress import states

NAV = "projects"


def waiting(user, at: datetime) -> list[TodoGroup]:
    mine = scope(user)
    today = local_date(at)
    cal = get_calendar()
    groups: list[TodoGroup] = []
    letters = ProjectLetter.objects.visible_to(mine).select_related("project")
    if mine.may(REPORT_PROGRESS):
        late = (
            Milestone.objects.visible_to(mine)
            .filter(actual_date=None, planned_date__lt=today)
            .select_related("project")
        )
        if count := late.count():
            groups.append(TodoGroup(
                "projects.milestones-late", "逾期未完成的项目节点", count, reverse("projects:list") + "?state=behind",
                items=lambda: [TodoItem.due(f"{m.project.name}：{m.name}", m.get_absolute_url(), m.planned_date, today, cal)
                               for m in late.order_by("planned_date")[:5]],
                nav=NAV, tone="red",
            ))  # fmt: skip
        to_answer = letters.filter(status=ProjectLetter.Status.ISSUED)
        if count := to_answer.count():
            groups.append(TodoGroup(
                "projects.letters-to-answer", "待反馈的提醒函", count, reverse("projects:letter-list") + "?status=issued",
                items=lambda: [TodoItem.due(f"{lt.number} {lt.project.name}", lt.get_absolute_url(), lt.reply_due, today, cal)
                               for lt in to_answer.order_by("reply_due")[:5]],
                nav=NAV, tone="red" if to_answer.filter(reply_due__lt=today).exists() else "",
            ))  # fmt: skip
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        unreported = (
            KeyProject.objects.visible_to(mine)
            .filter(completed_on=None, start_date__lte=last_month)
            .exclude(reports__month=last_month)
        )
        if count := unreported.count():
            groups.append(TodoGroup(
                "projects.reports-due", f"待填报{last_month.month}月月报的项目", count, reverse("projects:list"),
                items=lambda: [TodoItem(p.name, p.get_absolute_url() + "#reports") for p in unreported[:5]], nav=NAV,
            ))  # fmt: skip
    if mine.may(ISSUE_LETTERS):
        replied = letters.filter(status=ProjectLetter.Status.REPLIED)
        if count := replied.count():
            groups.append(TodoGroup(
                "projects.replies-to-check", "待审核的提醒函反馈", count, reverse("projects:letter-list") + "?status=replied",
                items=lambda: [TodoItem(f"{lt.number} {lt.project.name}", lt.get_absolute_url()) for lt in replied[:5]], nav=NAV,
            ))  # fmt: skip
        projects = list(
            KeyProject.objects.visible_to(mine).exclude(letters__status__in=["issued", "replied"]).distinct()
        )
        state_of = states(projects, today)
        slow = [p for p in projects if state_of[p.pk].behind]
        if slow:
            groups.append(TodoGroup(
                "projects.behind-without-letter", "进展滞后、尚未下发提醒函的项目", len(slow),
                reverse("projects:list") + "?state=behind",
                items=[TodoItem(p.name, p.get_absolute_url()) for p in slow[:5]], nav=NAV, tone="yellow",
            ))  # fmt: skip
    return groups
