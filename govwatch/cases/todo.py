"""What waits about deadlines themselves (govwatch.core.todo): the holiday schedules the office
must import, without which deadlines stay provisional (contract section 3)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from govwatch.accounts.permissions import MANAGE_CATALOG, may, scope
from govwatch.core.choices import CaseStatus
from govwatch.core.localtime import local_date
from govwatch.core.todo import TodoGroup, TodoItem
from govwatch.workcal.models import ScheduledYear

from .models import Case

# The State Council publishes next year's schedule in the autumn: from November it is awaited.
NEXT_YEAR_FROM_MONTH = 11


def waiting(user, at: datetime) -> list[TodoGroup]:
    if not may(user, MANAGE_CATALOG):
        return []
    today = local_date(at)
    needed = {today.year} | ({today.year + 1} if today.month >= NEXT_YEAR_FROM_MONTH else set())
    missing = sorted(needed - set(ScheduledYear.objects.values_list("year", flat=True)))
    provisional = (
        Case.objects.counted_for(scope(user))
        .filter(status__in=[CaseStatus.OPEN, CaseStatus.SUSPENDED], provisional=True)
        .count()
    )
    note = f"{provisional} 件在办件的办结期限暂按周末规则计算（待定）" if provisional else ""
    add = reverse("admin:workcal_calendarday_changelist")
    return [
        TodoGroup(
            "cases.calendar-years", "待导入的节假日安排", len(missing), reverse("admin:workcal_scheduledyear_changelist"),
            items=[
                TodoItem(f"{year}年节假日与调休安排", add, note="用 govwatch calendar import 导入国务院通知，或在管理后台录入")
                for year in missing
            ],
            tone="yellow" if missing else "", note=note,
        )
    ]  # fmt: skip
