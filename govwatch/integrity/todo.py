"""What waits for whoever keeps integrity risk points (我的待办): reviews falling due."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from govwatch.accounts.permissions import MANAGE_RISKS, may

from .actions import NOTICE_DAYS, visible_risks


def todo_items(user) -> list[tuple[str, int, str]]:
    if not may(user, MANAGE_RISKS):
        return []
    soon = timezone.localdate() + timedelta(days=NOTICE_DAYS)
    due = visible_risks(user).filter(active=True, next_review__lte=soon).count()
    return [("廉政风险点待复核", due, reverse("integrity:index") + "?due=on")] if due else []
