"""我的待办 of double-random inspections: a department's drawn targets awaiting their result; the
office's results awaiting publication (red once past the 20 working days)."""

from __future__ import annotations

from datetime import datetime

from govwatch.accounts.permissions import MANAGE_RANDOM_CHECKS, RECORD_RANDOM_RESULTS, scope
from govwatch.core.localtime import local_date
from govwatch.core.todo import TodoGroup, TodoItem
from govwatch.workcal.calendar import get_calendar

from .models import DrawnTarget, RandomPlan

NAV = "randomchecks"


def waiting(user, at: datetime) -> list[TodoGroup]:
    mine = scope(user)
    today = local_date(at)
    groups: list[TodoGroup] = []
    if mine.may(RECORD_RANDOM_RESULTS) and not mine.may(MANAGE_RANDOM_CHECKS):
        pending = (
            DrawnTarget.objects.visible_to(mine).filter(unstaffed=False, outcome="").select_related("plan")
        )
        if count := pending.count():
            groups.append(TodoGroup(
                "randomchecks.results-to-enter", "待录入的双随机检查结果", count, pending.first().plan.get_absolute_url(),
                items=lambda: [TodoItem(f"{d.plan.number} {d.name}", d.plan.get_absolute_url() + f"#t{d.pk}") for d in pending[:5]],
                nav=NAV,
            ))  # fmt: skip
    if mine.may(MANAGE_RANDOM_CHECKS):
        plans = RandomPlan.objects.visible_to(mine).exclude(publish_due=None).order_by("publish_due")
        if count := plans.count():
            cal = get_calendar()
            groups.append(TodoGroup(
                "randomchecks.results-to-publish", "待公示检查结果的抽查计划", count, plans.first().get_absolute_url(),
                items=lambda: [TodoItem.due(f"{p.number} {p.name}", p.get_absolute_url(), p.publish_due, today, cal)
                               for p in plans[:5]],
                nav=NAV, tone="red" if plans.filter(publish_due__lt=today).exists() else "",
            ))  # fmt: skip
    return groups
