"""What waits for an inspector (我的待办): secret inspections not yet published."""

from __future__ import annotations

from django.urls import reverse

from govwatch.accounts.permissions import INSPECT_HALLS, may

from .actions import visible_inspections
from .models import Inspection


def todo_items(user) -> list[tuple[str, int, str]]:
    if not may(user, INSPECT_HALLS):
        return []
    secret = visible_inspections(user).filter(status=Inspection.Status.RECORDED).count()
    return [("暗访结果待公开", secret, reverse("hallchecks:index"))] if secret else []
