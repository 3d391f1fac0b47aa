"""What waits for a person in the rectification area (我的待办), for the home page.

`todo_items(user)` gives (label, count, url) rows, zero rows left out: a unit's staff see their
problems overdue or due within three working days and those sent back; the approvers the requests
for sign-off of the lists they approve and the look-backs due. (Hall inspections and integrity
risk points have their own `todo.py`.)
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from govwatch.accounts.permissions import (
    MANAGE_RECTIFICATION,
    REPORT_RECTIFICATION,
    may,
    role_of,
)

from .actions import visible_problems
from .models import Problem
from .rhythm import reminder_window


def todo_items(user) -> list[tuple[str, int, str]]:
    today = timezone.localdate()
    index = reverse("rectification:index")
    problems = visible_problems(user)
    rows: list[tuple[str, int, str]] = []
    if may(user, REPORT_RECTIFICATION):
        owed = problems.filter(status__in=Problem.OWED)
        rows.append(("整改已逾期的问题", owed.filter(deadline__lt=today).count(), f"{index}?state=overdue"))
        soon = owed.filter(deadline__gte=today, deadline__lt=reminder_window(today)).count()
        rows.append(("3个工作日内到期的整改问题", soon, f"{index}?state=due_soon"))
    if may(user, MANAGE_RECTIFICATION):
        mine = problems if user.is_superuser else problems.filter(rlist__approver_role=role_of(user))
        rows.append(
            ("待销号审核", mine.filter(status=Problem.Status.SUBMITTED).count(), f"{index}?state=submitted")
        )
        due = mine.filter(status=Problem.Status.SIGNED_OFF, lookback_due__lte=today).count()
        rows.append(("回头看到期", due, f"{index}?state=lookback"))
    return [row for row in rows if row[1]]
