"""我的待办 of integrity risk points (govwatch.core.todo): the yearly reviews falling due within the
notice period (or past), for whoever keeps the unit's points."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse

from govwatch.accounts.permissions import MANAGE_RISKS, may
from govwatch.core.localtime import local_date
from govwatch.core.todo import SHOWN, TodoGroup, TodoItem

from .actions import NOTICE_DAYS, visible_risks

NAV = "rectification"


def waiting(user, at: datetime) -> list[TodoGroup]:
    if not may(user, MANAGE_RISKS):
        return []
    today = local_date(at)
    due = visible_risks(user).filter(active=True, next_review__lte=today + timedelta(days=NOTICE_DAYS))
    if not (count := due.count()):
        return []
    first = due.order_by("next_review", "id")
    return [TodoGroup(
        "integrity.reviews-due", "待年度复核的廉政风险点", count, reverse("integrity:index") + "?due=on",
        items=lambda: [TodoItem(f"{p.unit.name} · {p.post}", reverse("integrity:edit", args=[p.pk]), p.next_review,
                                note="复核已逾期" if p.next_review < today else "")
                       for p in first[:SHOWN]],
        nav=NAV, tone="red" if due.filter(next_review__lt=today).exists() else "",
    )]  # fmt: skip
