"""我的待办 of hall inspections (govwatch.core.todo): the inspectors' secret checks not yet
published (their problems wait for it); their problems themselves are the rectification lists'."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from govwatch.accounts.permissions import INSPECT_HALLS, may
from govwatch.core.todo import SHOWN, TodoGroup, TodoItem

from .actions import visible_inspections
from .models import Inspection

NAV = "rectification"


def waiting(user, at: datetime) -> list[TodoGroup]:
    if not may(user, INSPECT_HALLS):
        return []
    secret = visible_inspections(user).filter(status=Inspection.Status.RECORDED).order_by("inspected_at")
    if not (count := secret.count()):
        return []
    return [TodoGroup(
        "hallchecks.to-publish", "暗访结果待公开", count, reverse("hallchecks:index"),
        items=lambda: [TodoItem(f"{i.get_mode_display()} {i.unit.name}（{i.template.name}）", i.get_absolute_url())
                       for i in secret[:SHOWN]],
        nav=NAV,
    )]  # fmt: skip
